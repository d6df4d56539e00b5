/**
 * `node dist/main.js migrate-sqlite-to-postgres --from data/conclave.db`:
 * moves an existing single-node install onto PostgreSQL (the database of
 * CONCLAVE_DATABASE_URL) by copying its users (with their ids and password
 * hashes: everyone keeps their password), rooms and audit log. Sessions are
 * not copied: everyone signs in again. Rejoin passes neither: they last
 * minutes, and the server is stopped for the move.
 *
 * The SQLite file is only read (it stays as it was, a fallback). The copy is
 * one PostgreSQL transaction: all of it or nothing. It refuses a target that
 * already has users or rooms, so it never mixes two installs.
 */
import Database from 'better-sqlite3';
import type { Role } from '@conclave/protocol';
import { loadDatabaseConfig } from '../config.js';
import { redactUrl } from './redact-url.js';
import { inTransaction, pgText, type Pg } from './postgres/database.js';
import { openPostgresStore, type PgStore } from './postgres/store.js';
import { checkVersion } from './sqlite/database.js';

export class MigrationRefused extends Error {
  override name = 'MigrationRefused';
}

export interface MigrationCounts {
  users: number;
  rooms: number;
  auditEntries: number;
  /** Left behind on purpose. */
  sessionsDropped: number;
  rejoinPassesDropped: number;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: string;
}
interface RoomRow {
  id: string;
  name: string;
  password_hash: string | null;
  lobby: number;
  locked: number;
  max_participants: number;
  created_by: number | null;
  created_at: string;
}
interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

/** Audit entries per INSERT (each column goes as one array parameter). */
const BATCH = 1000;

const count = (db: Database.Database, table: string): number => {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
  return exists ? (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
};

/** Copies `from` (a Conclave SQLite database) into `store`'s PostgreSQL database; returns what it copied. */
export async function copySqliteToPostgres(from: string, store: PgStore): Promise<MigrationCounts> {
  let db: Database.Database;
  try {
    db = new Database(from, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new MigrationRefused(`cannot open ${from}: ${(err as Error).message}`, { cause: err });
  }
  try {
    let version: number;
    try {
      version = checkVersion(db);
    } catch (err) {
      throw new MigrationRefused(`${from}: ${(err as Error).message}`, { cause: err });
    }
    if (version < 1) throw new MigrationRefused(`${from} is not a Conclave database (no schema in it)`);
    const users = db.prepare('SELECT id, username, password_hash, role, created_at FROM users ORDER BY id').all() as UserRow[];
    const rooms = db
      .prepare('SELECT id, name, password_hash, lobby, locked, max_participants, created_by, created_at FROM rooms ORDER BY created_at, id')
      .all() as RoomRow[];
    const sessionsDropped = count(db, 'sessions');
    const rejoinPassesDropped = count(db, 'rejoin_passes');

    return await inTransaction(store.pool, async (tx: Pg) => {
      const { rows } = await tx.query<{ users: number; rooms: number }>(
        'SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM rooms)::int AS rooms',
      );
      const there = rows[0]!;
      if (there.users > 0 || there.rooms > 0) {
        throw new MigrationRefused(
          `the PostgreSQL database already has ${there.users} users and ${there.rooms} rooms: refusing to copy over them (use an empty database)`,
        );
      }
      // With their ids, so rooms keep their owners; the identity then continues after the highest.
      for (const u of users) {
        await tx.query(
          'INSERT INTO users (id, username, password_hash, role, created_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)',
          [u.id, u.username, u.password_hash, u.role, new Date(u.created_at)],
        );
      }
      if (users.length) await tx.query("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))");
      for (const r of rooms) {
        await tx.query(
          `INSERT INTO rooms (id, name, password_hash, lobby, locked, max_participants, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [r.id, r.name, r.password_hash, r.lobby === 1, r.locked === 1, r.max_participants, r.created_by, new Date(r.created_at)],
        );
      }
      // In their order, after any entries the database already has (a node started on it may have logged failed sign-ins).
      let auditEntries = 0;
      let batch: AuditRow[] = [];
      // Read as it is written, not all at once: an audit log of a year may be long.
      const audit = db
        .prepare('SELECT id, at, actor, action, target, detail, ip FROM audit_log ORDER BY id')
        .iterate() as IterableIterator<AuditRow>;
      const flush = async () => {
        if (!batch.length) return;
        await tx.query(
          `INSERT INTO audit_log (at, actor, action, target, detail, ip)
           SELECT at, actor, action, target, detail, ip
           FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
             AS t(at, actor, action, target, detail, ip, n)
           ORDER BY n`,
          [
            batch.map((e) => new Date(e.at)),
            batch.map((e) => pgText(e.actor)),
            batch.map((e) => pgText(e.action)),
            batch.map((e) => pgText(e.target)),
            batch.map((e) => pgText(e.detail)),
            batch.map((e) => pgText(e.ip)),
          ],
        );
        auditEntries += batch.length;
        batch = [];
      };
      try {
        for (const e of audit) {
          batch.push(e);
          if (batch.length === BATCH) await flush();
        }
        await flush();
      } finally {
        audit.return?.(); // frees the SQLite connection if the copy stopped half-way
      }
      return { users: users.length, rooms: rooms.length, auditEntries, sessionsDropped, rejoinPassesDropped };
    });
  } finally {
    db.close();
  }
}

/** Parses `--from <file>` (or `--from=<file>`); a UsageError-like message otherwise. */
export function parseMigrateArgs(args: string[]): { from: string } {
  let from: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--from' && args[i + 1] !== undefined) from = args[++i];
    else if (arg.startsWith('--from=')) from = arg.slice('--from='.length);
    else throw new MigrationRefused(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (!from) throw new MigrationRefused('say which SQLite database to copy: --from <path/to/conclave.db>');
  return { from };
}

/**
 * The command as main.ts runs it: checks CONCLAVE_DATABASE_URL, opens (and
 * migrates) PostgreSQL, copies, and says what it did. Returns the exit code.
 */
export async function runMigrateSqliteToPostgres(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  let store: PgStore | undefined;
  try {
    const { from } = parseMigrateArgs(args);
    const database = loadDatabaseConfig(env);
    if (!database.url) throw new MigrationRefused('set CONCLAVE_DATABASE_URL to the PostgreSQL database to copy into (postgres://…)');
    store = await openPostgresStore(database.url, { max: 2 });
    out(`copying ${from} into ${redactUrl(database.url)}`);
    const c = await copySqliteToPostgres(from, store);
    out(`copied ${c.users} users, ${c.rooms} rooms, ${c.auditEntries} audit log entries`);
    out(
      `not copied: ${c.sessionsDropped} sign-in sessions (everyone signs in again, with the same password) and ${c.rejoinPassesDropped} rejoin passes`,
    );
    out(`${from} is unchanged; start Conclave with CONCLAVE_DATABASE_URL set to use PostgreSQL from now on`);
    return 0;
  } catch (e) {
    err(`migrate-sqlite-to-postgres: ${(e as Error).message}`);
    return 1;
  } finally {
    await store?.close();
  }
}
