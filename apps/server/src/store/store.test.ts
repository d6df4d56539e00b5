import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from './sqlite/migrations.js';
import { openDatabase } from './sqlite/database.js';
import { ensurePrivateDir, ensurePrivateFile, octal, type Tightened } from './file-modes.js';
import { openStore } from './store.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'conclave-store-'));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('data at rest: permissions', () => {
  it('makes a missing data directory 0700, whatever the umask', () => {
    const old = process.umask(0o002);
    try {
      const dir = path.join(tmp(), 'data');
      expect(ensurePrivateDir(dir)).toBeNull();
      expect(mode(dir)).toBe(0o700);
    } finally {
      process.umask(old);
    }
  });

  it('tightens a data directory, database and key found looser, and says what it found', () => {
    const dir = path.join(tmp(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(ensurePrivateDir(dir)).toEqual({ path: dir, was: 0o755, now: 0o700 });
    expect(mode(dir)).toBe(0o700);
    expect(ensurePrivateDir(dir)).toBeNull(); // already right: nothing to say

    const file = path.join(dir, 'x.key');
    writeFileSync(file, 'k');
    chmodSync(file, 0o644);
    expect(ensurePrivateFile(file)).toEqual({ path: file, was: 0o644, now: 0o600 });
    expect(mode(file)).toBe(0o600);
    expect(ensurePrivateFile(path.join(dir, 'missing'))).toBeNull();
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
    expect(octal(0o755)).toBe('0755');
  });

  it('creates the database and its -wal and -shm files 0600 (umask 022), and tightens a looser database', async () => {
    const old = process.umask(0o022);
    try {
      const dir = tmp();
      const store = await openStore({ dataDir: dir });
      expect(store.dialect).toBe('sqlite');
      await store.audit.record({ actor: 'admin', action: 'room.create' }); // writes go to the WAL
      for (const f of ['conclave.db', 'conclave.db-wal', 'conclave.db-shm']) {
        expect(existsSync(path.join(dir, f)), f).toBe(true);
        expect(octal(mode(path.join(dir, f))), f).toBe('0600');
      }
      await store.close();
      chmodSync(path.join(dir, 'conclave.db'), 0o644);
      const told: Tightened[] = [];
      await (await openStore({ dataDir: dir, onTightened: (t) => told.push(t) })).close();
      expect(told.map((t) => [path.basename(t.path), octal(t.was)])).toEqual([['conclave.db', '0644']]);
      expect(mode(path.join(dir, 'conclave.db'))).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});

describe('schema', () => {
  it('migrates a new database to the latest version, with the rejoin pass table', () => {
    const db = openDatabase(tmp());
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    const columns = (db.prepare('PRAGMA table_info(rejoin_passes)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toEqual(['pass_hash', 'peer_id', 'room_id', 'issued_at', 'expires_at']);
    db.close();
  });

  it('refuses a database made by a newer Conclave', async () => {
    const dir = tmp();
    const db = openDatabase(dir);
    db.pragma(`user_version = ${migrations.at(-1)!.version + 1}`);
    db.close();
    await expect(openStore({ dataDir: dir })).rejects.toThrow(/newer than this Conclave/);
  });

  it('numbers migrations 1, 2, 3… with no gap', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});

describe('audit log retention', () => {
  /** A store whose audit log holds entries `ages` days old (written straight into the SQLite file first). */
  async function storeWithEntries(ages: number[], now: Date) {
    const dir = tmp();
    const db = openDatabase(dir);
    const insert = db.prepare('INSERT INTO audit_log (at, actor, action) VALUES (?, ?, ?)');
    for (const days of ages) insert.run(new Date(now.getTime() - days * 86_400_000).toISOString(), 'admin', `aged ${days}`);
    db.close();
    return openStore({ dataDir: dir });
  }

  it('deletes entries older than the retention, keeps the rest', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const store = await storeWithEntries([400, 366, 364, 1, 0], now);
    expect(await store.audit.purgeOlderThan(365, now)).toBe(2);
    expect((await store.audit.list()).map((e) => e.action)).toEqual(['aged 0', 'aged 1', 'aged 364']);
    expect(await store.audit.purgeOlderThan(365, now)).toBe(0);
    await store.close();
  });

  it('keeps everything when the retention is 0, and refuses a nonsense retention', async () => {
    const now = new Date();
    const store = await storeWithEntries([10_000, 1], now);
    expect(await store.audit.purgeOlderThan(0, now)).toBe(0);
    expect(await store.audit.list()).toHaveLength(2);
    await expect(store.audit.purgeOlderThan(-1, now)).rejects.toThrow(RangeError);
    await expect(store.audit.purgeOlderThan(1.5, now)).rejects.toThrow(/whole number of days/);
    await store.close();
  });
});
