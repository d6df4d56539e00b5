/**
 * migrate-sqlite-to-postgres: a SQLite install, copied into a fresh
 * PostgreSQL database, gives the same users (who sign in with their old
 * passwords), the same rooms and the same audit log; sessions stay behind;
 * a second copy is refused; the SQLite file is left as it was. Also through
 * the real command line (main.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../auth/accounts.js';
import { DeviceCookies } from '../auth/device-cookie.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import { memoryLoginLimits } from '../cluster/ephemeral-stores.js';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../test-support/postgres-server.js';
import { runMigrateSqliteToPostgres } from './migrate-sqlite-to-postgres.js';
import { openPostgresStore } from './postgres/store.js';
import { openStore, type Store } from './store.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let server: PostgresServer | undefined;
const pgServer = () => {
  if (!server) throw new Error('PostgreSQL starts in beforeAll');
  return server;
};

/** What the command printed, and its exit code. */
async function run(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigrateSqliteToPostgres(
    args,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const withoutIds = <T extends { id: number }>(rows: T[]) => rows.map(({ id: _, ...rest }) => rest);

async function everyAuditEntry(store: Store) {
  const all = [];
  for (let page = await store.audit.list(500); page.length; page = await store.audit.list(500, page.at(-1)!.id)) all.push(...page);
  return all;
}

describe.skipIf(postgresSkipReason !== null)(
  `migrate-sqlite-to-postgres${postgresSkipReason ? ` (skipped: ${postgresSkipReason})` : ''}`,
  () => {
    const hasher = new PasswordHasher();
    let sqliteFile = '';
    let sessionToken = '';

    beforeAll(async () => {
      server = await startPostgres();
      // A SQLite install with some history: an id gap, rooms with and without owners, a long audit log, sessions.
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-migrate-'));
      sqliteFile = path.join(dataDir, 'conclave.db');
      const store = await openStore({ dataDir });
      const accounts = new Accounts(store, hasher, pino({ level: 'silent' }), 3600_000, {
        devices: new DeviceCookies(Buffer.alloc(32, 7)),
        limits: memoryLoginLimits(),
      });
      const ada = await accounts.create('Ada', 'ada-password-1', 'admin');
      const grace = await accounts.create('grace', 'grace-password-1', 'host');
      const gone = await store.users.create('gone', 'h', 'host');
      await store.users.create('linus', '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA', 'host');
      await store.rooms.create({
        id: 'aaaa-bbbb-ccccc',
        name: 'Standup',
        passwordHash: 'ph',
        lobby: true,
        maxParticipants: 8,
        createdBy: grace.id,
      });
      await store.rooms.update('aaaa-bbbb-ccccc', { locked: true });
      await store.rooms.create({
        id: 'dddd-eeee-fffff',
        name: 'Orphan',
        passwordHash: null,
        lobby: false,
        maxParticipants: 50,
        createdBy: gone.id,
      });
      await store.rooms.create({
        id: 'gggg-hhhh-iiiii',
        name: 'Admin’s',
        passwordHash: null,
        lobby: false,
        maxParticipants: 100,
        createdBy: ada.id,
      });
      await store.users.delete(gone.id);
      for (let i = 0; i < 2345; i++) {
        await store.audit.record({
          actor: i % 7 ? 'Ada' : 'stranger\0typed',
          action: `action.${i}`,
          target: i % 3 ? `t${i}` : null,
          ip: '203.0.113.1',
        });
      }
      sessionToken = (await store.sessions.create(grace.id, 3600_000)).token;
      await store.sessions.create(ada.id, 3600_000);
      await store.rejoinPasses.insert({ passHash: 'p', peerId: 'peer', roomId: 'aaaa-bbbb-ccccc', expiresAt: null }, Date.now());
      await store.close();
    }, 120_000);

    afterAll(async () => {
      await hasher.close();
      await server?.stop();
    });

    it('copies users, rooms and the audit log; drops sessions; the users sign in with their passwords', async () => {
      const url = await pgServer().createDatabase();
      const before = readFileSync(sqliteFile);
      const result = await run(['--from', sqliteFile], { CONCLAVE_DATABASE_URL: url });
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toContain('copied 3 users, 3 rooms, 2345 audit log entries');
      expect(result.out).toMatch(/not copied: 2 sign-in sessions \(everyone signs in again.*\) and 1 rejoin passes/);
      expect(readFileSync(sqliteFile).equals(before), 'the SQLite file is only read').toBe(true);

      const sqlite = await openStore({ dataDir: path.dirname(sqliteFile) });
      const pg = await openPostgresStore(url, { max: 2 });
      try {
        // Same ids, names, roles, times and password hashes.
        expect(await pg.users.list()).toEqual(await sqlite.users.list());
        expect(await pg.rooms.list()).toEqual(await sqlite.rooms.list());
        expect((await pg.rooms.get('aaaa-bbbb-ccccc'))?.createdByName).toBe('grace');
        const [pgAudit, sqliteAudit] = [await everyAuditEntry(pg), await everyAuditEntry(sqlite)];
        expect(pgAudit).toHaveLength(2345);
        // NUL cannot be stored in PostgreSQL text: it is U+FFFD there.
        expect(withoutIds(pgAudit)).toEqual(withoutIds(sqliteAudit).map((e) => ({ ...e, actor: e.actor.replaceAll('\0', '\uFFFD') })));
        expect(await pg.sessions.userFor(sessionToken)).toBeNull();
        expect(await pg.rejoinPasses.all()).toEqual([]);

        // Signing in checks the copied argon2id hash; a new account continues after the copied ids.
        const accounts = new Accounts(pg, hasher, pino({ level: 'silent' }), 3600_000, {
          devices: new DeviceCookies(Buffer.alloc(32, 7)),
          limits: memoryLoginLimits(),
        });
        const signedIn = await accounts.login('grace', 'grace-password-1', '198.51.100.7');
        expect(signedIn.ok).toBe(true);
        expect((await accounts.login('ada', 'wrong-password', '198.51.100.8')).ok).toBe(false);
        expect((await accounts.login('ADA', 'ada-password-1', '198.51.100.9')).ok).toBe(true);
        const maxId = Math.max(...(await sqlite.users.list()).map((u) => u.id));
        expect((await pg.users.create('newcomer', 'h', 'host')).id).toBeGreaterThan(maxId);
      } finally {
        await sqlite.close();
        await pg.close();
      }

      // Once only: the target has users now.
      const again = await run(['--from', sqliteFile], { CONCLAVE_DATABASE_URL: url });
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/already has 4 users and 3 rooms: refusing to copy over them/);
    });

    it('says what is missing or wrong, never showing the database password', async () => {
      const url = (await pgServer().createDatabase()).replace('postgres@', 'postgres:topsecret@');
      expect((await run(['--from', sqliteFile], {})).err).toMatch(/set CONCLAVE_DATABASE_URL to the PostgreSQL database/);
      expect((await run([], { CONCLAVE_DATABASE_URL: url })).err).toMatch(/--from <path\/to\/conclave.db>/);
      expect((await run(['--from', sqliteFile, '--to', 'x'], { CONCLAVE_DATABASE_URL: url })).err).toMatch(/unknown argument "--to"/);
      const missing = await run(['--from', '/nonexistent/conclave.db'], { CONCLAVE_DATABASE_URL: url });
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/cannot open \/nonexistent\/conclave.db/);
      const wrongScheme = await run(['--from', sqliteFile], { CONCLAVE_DATABASE_URL: 'mysql://root:topsecret@db/x' });
      expect(wrongScheme.err).toMatch(/CONCLAVE_DATABASE_URL="mysql:\/\/root:\*\*\*@db\/x"/);
      const unreachable = await run(['--from', sqliteFile], {
        CONCLAVE_DATABASE_URL: `postgres://u:topsecret@127.0.0.1:${pgServer().port + 1}/x`,
      });
      expect(unreachable.code).toBe(1);
      expect(unreachable.err).toMatch(/cannot reach it/);
      for (const r of [missing, wrongScheme, unreachable]) expect(r.err + r.out).not.toContain('topsecret');
    });

    it('runs as `main.js migrate-sqlite-to-postgres --from …`', async () => {
      const url = await pgServer().createDatabase();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(serverDir, 'src/main.ts'), 'migrate-sqlite-to-postgres', '--from', sqliteFile],
        {
          cwd: serverDir,
          env: { PATH: process.env.PATH, CONCLAVE_DATABASE_URL: url },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(out).toContain('copied 3 users, 3 rooms, 2345 audit log entries');
      expect(code).toBe(0);
    }, 60_000);
  },
);
