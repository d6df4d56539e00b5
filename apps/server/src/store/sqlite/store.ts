/**
 * The Store on SQLite: today's synchronous better-sqlite3 tables, served
 * through the async interface. Each call runs at once, unless a
 * transaction is open: better-sqlite3 has one connection, and a statement
 * run on it mid-transaction would become part of that transaction (and be
 * rolled back with it), so calls from outside wait until it ends.
 */
import type { Tightened } from '../file-modes.js';
import type { Store, StoreTables } from '../store.js';
import type { AuditLog } from '../audit-log.js';
import type { RejoinPassStore } from '../rejoin-pass-store.js';
import type { RoomStore } from '../room-store.js';
import type { SessionStore } from '../session-store.js';
import type { UserStore } from '../user-store.js';
import { openDatabase, type Db } from './database.js';
import { SqliteAuditLog } from './audit-log.js';
import { SqliteRejoinPassStore } from './rejoin-pass-store.js';
import { SqliteRoomStore } from './room-store.js';
import { SqliteSessionStore } from './session-store.js';
import { SqliteUserStore } from './user-store.js';

/** `T`'s methods, answering with a promise. */
type Promised<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

type Run = <R>(fn: () => R) => Promise<R>;

/** `impl`'s methods, each run through `run`. */
function promised<T extends object>(impl: T, run: Run): Promised<T> {
  const out: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(impl) as object)) {
    const method = (impl as Record<string, unknown>)[key];
    if (key === 'constructor' || typeof method !== 'function') continue;
    out[key] = (...args: unknown[]) => run(() => (method as (...a: unknown[]) => unknown).apply(impl, args));
  }
  return out as Promised<T>;
}

function tables(db: Db, run: Run): StoreTables {
  // Each is checked against its interface here: a sync method that drifts from it fails to compile.
  const users: UserStore = promised(new SqliteUserStore(db), run);
  const sessions: SessionStore = promised(new SqliteSessionStore(db), run);
  const rooms: RoomStore = promised(new SqliteRoomStore(db), run);
  const audit: AuditLog = promised(new SqliteAuditLog(db), run);
  const rejoinPasses: RejoinPassStore = promised(new SqliteRejoinPassStore(db), run);
  return { users, sessions, rooms, audit, rejoinPasses };
}

/** Opens (creating and migrating) conclave.db in `dataDir`. */
export function openSqliteStore(dataDir: string, onTightened?: (t: Tightened) => void, file?: string): Store {
  const db = openDatabase(dataDir, file, onTightened);
  /** Settles when the open transaction ends; null when none is open. */
  let open: Promise<void> | null = null;
  const outside: Run = async (fn) => {
    while (open) await open;
    return fn();
  };
  const inside: Run = async (fn) => fn();
  const txTables = tables(db, inside);
  return {
    dialect: 'sqlite',
    ...tables(db, outside),
    async transaction<T>(fn: (tx: StoreTables) => Promise<T>): Promise<T> {
      while (open) await open;
      let done!: () => void;
      open = new Promise<void>((resolve) => (done = resolve));
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(txTables);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        open = null;
        done();
      }
    },
    async close() {
      while (open) await open;
      db.close();
    },
  };
}
