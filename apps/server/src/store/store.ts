/**
 * The persistent store: users, sessions, rooms, the audit log and rejoin
 * passes, one object per table, every method async. Two databases behind
 * the same interface: SQLite in the data directory (the default: one file,
 * nothing to run) and PostgreSQL (CONCLAVE_DATABASE_URL), which several
 * Conclave nodes can share. store.contract.ts holds both to the same
 * behaviour.
 */
import type { Tightened } from './file-modes.js';
import type { AuditLog } from './audit-log.js';
import type { RejoinPassStore } from './rejoin-pass-store.js';
import type { RoomStore } from './room-store.js';
import type { SessionStore } from './session-store.js';
import type { UserStore } from './user-store.js';
import { openPostgresStore } from './postgres/store.js';
import { openSqliteStore } from './sqlite/store.js';

/** The tables, as a transaction sees them too. */
export interface StoreTables {
  users: UserStore;
  sessions: SessionStore;
  rooms: RoomStore;
  audit: AuditLog;
  rejoinPasses: RejoinPassStore;
}

export interface Store extends StoreTables {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` as one transaction: all of its writes or none. Transactions
   * run one at a time (SQLite: its one connection; PostgreSQL: an advisory
   * lock held until the commit, across every node), so what `fn` checks
   * still holds when it acts on it, against any other transaction. Inside
   * `fn`, use `tx` only: the store itself would wait for `fn` to end.
   */
  transaction<T>(fn: (tx: StoreTables) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** SQLite: where conclave.db is kept. */
  dataDir: string;
  /** postgres:// or postgresql:// to use PostgreSQL; null or absent for SQLite. */
  databaseUrl?: string | null;
  /** PostgreSQL connections at most (CONCLAVE_DATABASE_POOL). */
  databasePool?: number;
  /** SQLite: told of each database file found with permissions looser than 0600 (now tightened). */
  onTightened?: (t: Tightened) => void;
  /** PostgreSQL: an idle connection failed (the pool replaces it). */
  onPoolError?: (err: Error) => void;
}

/** Opens (and migrates to the latest schema) the store the options name. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    return openPostgresStore(options.databaseUrl, {
      ...(options.databasePool !== undefined ? { max: options.databasePool } : {}),
      ...(options.onPoolError ? { onPoolError: options.onPoolError } : {}),
    });
  }
  return openSqliteStore(options.dataDir, options.onTightened);
}
