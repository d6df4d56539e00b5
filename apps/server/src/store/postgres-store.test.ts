/**
 * The store contract on a real PostgreSQL (Debian's, started for this file
 * by test-support/postgres-server.ts), each test on a fresh database; then
 * what only PostgreSQL has: migrations from several nodes at once, its
 * errors turned into the store's own, and a URL that leaks no password.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../test-support/postgres-server.js';
import { StoreConflict, StoreUnavailable } from './errors.js';
import { storeError } from './postgres/database.js';
import { redactUrl } from './redact-url.js';
import { PG_LATEST_VERSION, pgMigrations } from './postgres/migrations.js';
import { openPostgresStore } from './postgres/store.js';
import { openStore } from './store.js';
import { storeContract } from './store.contract.js';

let server: PostgresServer | undefined;
const running = () => {
  if (!server) throw new Error('PostgreSQL starts in beforeAll');
  return server;
};

describe.skipIf(postgresSkipReason !== null)(`PostgreSQL${postgresSkipReason ? ` (skipped: ${postgresSkipReason})` : ''}`, () => {
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  storeContract('PostgreSQL', async () =>
    openStore({ dataDir: '/nonexistent', databaseUrl: await running().createDatabase(), databasePool: 4 }),
  );

  describe('migrations', () => {
    it('two nodes migrating one fresh database at once both succeed, and it is migrated once', async () => {
      const url = await running().createDatabase();
      const stores = await Promise.all([
        openPostgresStore(url, { max: 2 }),
        openPostgresStore(url, { max: 2 }),
        openPostgresStore(url, { max: 2 }),
      ]);
      try {
        const applied = stores.map((s) => s.migration.applied);
        expect(applied.flat()).toEqual(pgMigrations.map((m) => m.version));
        expect(stores.map((s) => s.migration.to)).toEqual([PG_LATEST_VERSION, PG_LATEST_VERSION, PG_LATEST_VERSION]);
        const { rows } = await stores[0].pool.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((m) => m.version));
        // Each works on the one schema.
        await stores[1].users.create('ada', 'h', 'admin');
        expect(await stores[2].users.byUsername('ADA')).toMatchObject({ username: 'ada' });
      } finally {
        for (const s of stores) await s.close();
      }
      // A later start finds nothing to do.
      const again = await openPostgresStore(url, { max: 1 });
      expect(again.migration).toEqual({ from: PG_LATEST_VERSION, to: PG_LATEST_VERSION, applied: [] });
      await again.close();
    });

    it('makes the schema the design names: citext usernames, booleans, timestamptz, identity ids', async () => {
      const store = await openPostgresStore(await running().createDatabase(), { max: 1 });
      try {
        const { rows } = await store.pool.query<{ table_name: string; column_name: string; data_type: string; is_identity: string }>(
          `SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name IN ('users', 'rooms', 'audit_log', 'sessions', 'rejoin_passes')`,
        );
        const col = (t: string, c: string) => rows.find((r) => r.table_name === t && r.column_name === c);
        expect(col('users', 'id')).toMatchObject({ data_type: 'bigint', is_identity: 'YES' });
        expect(col('users', 'username')?.data_type).toBe('USER-DEFINED'); // citext
        expect(col('rooms', 'lobby')?.data_type).toBe('boolean');
        expect(col('rooms', 'locked')?.data_type).toBe('boolean');
        expect(col('audit_log', 'id')).toMatchObject({ data_type: 'bigint', is_identity: 'YES' });
        expect(col('audit_log', 'at')?.data_type).toBe('timestamp with time zone');
        expect(col('sessions', 'expires_at')?.data_type).toBe('timestamp with time zone');
        expect(col('rejoin_passes', 'expires_at')?.data_type).toBe('timestamp with time zone');
      } finally {
        await store.close();
      }
    });

    it('refuses a database made by a newer Conclave', async () => {
      const url = await running().createDatabase();
      const first = await openPostgresStore(url, { max: 1 });
      await first.pool.query("INSERT INTO schema_version (version, description) VALUES ($1, 'from the future')", [PG_LATEST_VERSION + 1]);
      await first.close();
      await expect(openPostgresStore(url, { max: 1 })).rejects.toThrow(/newer than this Conclave/);
    });
  });

  describe('errors', () => {
    it('a database that cannot be reached is a clear error at open, naming it without its password', async () => {
      const url = `postgres://conclave:s3cret-pw@127.0.0.1:${running().port + 1}/nothing`;
      const err = await openPostgresStore(url, { max: 1 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/PostgreSQL at postgres:\/\/conclave:\*\*\*@127\.0\.0\.1:\d+\/nothing: cannot reach it/);
      expect(err!.message).not.toContain('s3cret-pw');
      expect(err!.cause).toBeInstanceOf(StoreUnavailable);
    });

    it('a database that goes away mid-use gives StoreUnavailable, and the store recovers once it is back', async () => {
      const url = await running().createDatabase();
      const store = await openPostgresStore(url, { max: 2 });
      try {
        await store.users.create('u', 'h', 'host');
        const admin = new pg.Client({ connectionString: running().url('postgres') });
        await admin.connect();
        // What a restart of PostgreSQL does to open connections.
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          new URL(url).pathname.slice(1),
        ]);
        await admin.end();
        // The pool may notice the dead connections first (then the next query just reconnects) or hand one out.
        const after = await store.users.count().then(
          (n) => n,
          (e: unknown) => e,
        );
        if (after instanceof Error) expect(after).toBeInstanceOf(StoreUnavailable);
        else expect(after).toBe(1);
        expect(await store.users.count()).toBe(1);
      } finally {
        await store.close();
      }
    });

    it('maps PostgreSQL errors to the store’s own', () => {
      const pgErr = (code: string, extra: object = {}) => Object.assign(new Error('x'), { code, ...extra });
      expect(storeError(pgErr('23505', { constraint: 'users_username_key' }))).toEqual(new StoreConflict('username'));
      expect(storeError(pgErr('23505', { constraint: 'rooms_pkey' }))).toBeInstanceOf(StoreConflict);
      for (const code of ['ECONNREFUSED', '57P01', '08006', '53300'])
        expect(storeError(pgErr(code)), code).toBeInstanceOf(StoreUnavailable);
      expect(storeError(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(StoreUnavailable);
      const syntax = pgErr('42601');
      expect(storeError(syntax)).toBe(syntax);
    });

    it('redacts the password of a URL', () => {
      expect(redactUrl('postgres://u:pw@h:5432/db?sslmode=require')).toBe('postgres://u:***@h:5432/db?sslmode=require');
      expect(redactUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
      expect(redactUrl('not a url :pw@')).toBe('(hidden: not a URL)');
    });
  });
});
