/**
 * The PostgreSQL schema, as numbered migrations recorded in schema_version.
 * Nodes that start at once all call `migrate`; it takes a session-level
 * advisory lock first, so one of them applies each migration (each in its
 * own transaction) and the others, once they get the lock, find nothing
 * left to do. Append; never edit a migration that has shipped.
 *
 * What it stores matches the SQLite schema (sqlite/migrations.ts): usernames
 * unique whatever their case (citext), booleans for lobby and lock, times as
 * timestamptz, ids as identity columns.
 */
import type { Pool } from 'pg';
import { LOCK_NAMESPACE, LOCKS, storeError } from './database.js';

export const pgMigrations: ReadonlyArray<{ version: number; description: string; sql: string }> = [
  {
    version: 1,
    description: 'users, sessions, rooms, audit log, rejoin passes',
    sql: `
      CREATE EXTENSION IF NOT EXISTS citext;
      CREATE TABLE users (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username      citext NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role          text NOT NULL CHECK (role IN ('admin', 'host')),
        created_at    timestamptz NOT NULL
      );
      CREATE TABLE sessions (
        token_hash text PRIMARY KEY,
        user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_expiry ON sessions(expires_at);
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE rooms (
        id               text PRIMARY KEY,
        name             text NOT NULL,
        password_hash    text,
        lobby            boolean NOT NULL DEFAULT false,
        locked           boolean NOT NULL DEFAULT false,
        max_participants integer NOT NULL DEFAULT 50,
        created_by       bigint REFERENCES users(id) ON DELETE SET NULL,
        created_at       timestamptz NOT NULL
      );
      CREATE INDEX rooms_owner ON rooms(created_by);
      CREATE TABLE audit_log (
        id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at     timestamptz NOT NULL,
        actor  text NOT NULL,
        action text NOT NULL,
        target text,
        detail text,
        ip     text
      );
      CREATE INDEX audit_log_at ON audit_log(at);
      CREATE TABLE rejoin_passes (
        pass_hash  text PRIMARY KEY,
        peer_id    text NOT NULL UNIQUE,
        room_id    text NOT NULL,
        issued_at  timestamptz NOT NULL,
        expires_at timestamptz
      );
      CREATE INDEX rejoin_passes_room ON rejoin_passes(room_id);
      CREATE INDEX rejoin_passes_expiry ON rejoin_passes(expires_at);
    `,
  },
];

export const PG_LATEST_VERSION = pgMigrations.at(-1)?.version ?? 0;

/** Brings the database to the latest schema; says which version it found and which migrations this call applied. */
export async function migratePostgres(pool: Pool): Promise<{ from: number; to: number; applied: number[] }> {
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    throw storeError(err);
  }
  let broken: Error | undefined;
  try {
    // Before anything else, even the CREATE ... IF NOT EXISTS: two of those at once can still collide.
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrations]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_version (
          version     integer PRIMARY KEY,
          description text NOT NULL,
          applied_at  timestamptz NOT NULL DEFAULT now()
        )`);
      const { rows } = await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM schema_version');
      const from = rows[0]!.v;
      if (from > PG_LATEST_VERSION) {
        throw new Error(`the database is at schema version ${from}, newer than this Conclave (${PG_LATEST_VERSION}); upgrade Conclave`);
      }
      const applied: number[] = [];
      for (const m of pgMigrations) {
        if (m.version <= from) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_version (version, description) VALUES ($1, $2)', [m.version, m.description]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch((e: Error) => (broken = e));
          throw new Error(`PostgreSQL schema migration ${m.version} (${m.description}) failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.version);
      }
      return { from, to: PG_LATEST_VERSION, applied };
    } finally {
      if (!broken)
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrations]).catch((e: Error) => (broken = e));
    }
  } catch (err) {
    throw storeError(err);
  } finally {
    // A connection left in doubt is closed, which also lets go of its advisory lock.
    client.release(broken);
  }
}
