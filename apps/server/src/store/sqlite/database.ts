/**
 * The SQLite database in CONCLAVE_DATA_DIR: opened in WAL mode with foreign
 * keys on, migrated to the latest schema version at start. Writes that touch
 * more than one row go through a transaction, so a crash never leaves half a
 * change. The file is made 0600 before SQLite opens it (SQLite gives its
 * -wal and -shm files the same mode), and tightened if it was looser.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateFile, type Tightened } from '../file-modes.js';
import { StoreConflict } from '../errors.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** `onTightened`: told of each file that existed with looser permissions than 0600 (and was tightened). */
export function openDatabase(dataDir: string, file = 'conclave.db', onTightened: (t: Tightened) => void = () => undefined): Db {
  const dbFile = path.join(dataDir, file);
  const tighten = (f: string, create = false) => {
    const t = ensurePrivateFile(f, { create });
    if (t) onTightened(t);
  };
  tighten(dbFile, true);
  for (const suffix of ['-wal', '-shm', '-journal']) tighten(dbFile + suffix);
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // Made by SQLite just now, with the database's mode: checked all the same.
  for (const suffix of ['-wal', '-shm']) tighten(dbFile + suffix);
  return db;
}

/** The schema version this Conclave writes. */
export const LATEST_VERSION = migrations.at(-1)?.version ?? 0;

/** Refuses a database made by a newer Conclave; returns its schema version. */
export function checkVersion(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) {
    throw new Error(`the database is at schema version ${current}, newer than this Conclave (${LATEST_VERSION}); upgrade Conclave`);
  }
  return current;
}

/** Runs every migration newer than the database's user_version, each atomically. */
export function migrate(db: Db): number {
  const current = checkVersion(db);
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return LATEST_VERSION;
}

export const nowIso = (): string => new Date().toISOString();

/** Runs `write`, turning SQLite's uniqueness errors into StoreConflict (naming `what`). */
export function unique<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreConflict(what, { cause: err });
    throw err;
  }
}
