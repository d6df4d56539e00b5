/**
 * The SQLite database in CONCLAVE_DATA_DIR: opened in WAL mode with foreign
 * keys on, migrated to the latest schema version at start. Writes that touch
 * more than one row go through `transaction`, so a crash never leaves half a
 * change.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export function openDatabase(dataDir: string, file = 'conclave.db'): Db {
  const db = new Database(path.join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Runs every migration newer than the database's user_version, each atomically. */
export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this Conclave (${latest}); upgrade Conclave`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}

export const nowIso = (): string => new Date().toISOString();
