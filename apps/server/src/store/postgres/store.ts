/** The Store on PostgreSQL (CONCLAVE_DATABASE_URL): a pool of CONCLAVE_DATABASE_POOL connections, migrated at open. */
import type { Pool } from 'pg';
import type { Store, StoreTables } from '../store.js';
import { StoreUnavailable } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import { createPool, inTransaction, onPool, type Pg } from './database.js';
import { migratePostgres } from './migrations.js';
import { PgAuditLog } from './audit-log.js';
import { PgRejoinPassStore } from './rejoin-pass-store.js';
import { PgRoomStore } from './room-store.js';
import { PgSessionStore } from './session-store.js';
import { PgUserStore } from './user-store.js';

export const pgTables = (pg: Pg): StoreTables => ({
  users: new PgUserStore(pg),
  sessions: new PgSessionStore(pg),
  rooms: new PgRoomStore(pg),
  audit: new PgAuditLog(pg),
  rejoinPasses: new PgRejoinPassStore(pg),
});

export interface PgStoreOptions {
  /** Connections at most (default 10). */
  max?: number;
  onPoolError?: (err: Error) => void;
}

export type PgStore = Store & { readonly pool: Pool; readonly migration: { from: number; to: number; applied: number[] } };

/** Connects, migrates (once, whichever node gets there first) and returns the store; a clear error if the database cannot be used. */
export async function openPostgresStore(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
  const pool = createPool(url, options.max ?? 10, options.onPoolError ?? (() => undefined));
  let migration;
  try {
    migration = await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    const why = err instanceof StoreUnavailable ? 'cannot reach it' : 'cannot use it';
    throw new Error(`PostgreSQL at ${redactUrl(url)}: ${why}: ${(err as Error).message}`, { cause: err });
  }
  let closed: Promise<void> | null = null;
  return {
    dialect: 'postgres',
    pool,
    migration,
    ...pgTables(onPool(pool)),
    transaction: (fn) => inTransaction(pool, (tx) => fn(pgTables(tx))),
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
