/**
 * PostgreSQL through node-postgres: one pool per process, `$1` placeholders,
 * and one place that turns the database's errors into the store's own
 * (errors.ts), so callers see the same errors as with SQLite.
 */
import pg from 'pg';
import type { CustomTypesConfig, Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { StoreConflict, StoreUnavailable } from '../errors.js';

/** pg_advisory_lock's first key for everything Conclave locks: 'Conc' in ASCII. */
export const LOCK_NAMESPACE = 0x436f6e63;
/** The second key: one lock for schema migrations, one held by every store transaction. */
export const LOCKS = { migrations: 1, transactions: 2 } as const;

/** Unique constraints by name, as StoreConflict names them. */
const CONFLICTS: Record<string, string> = {
  users_username_key: 'username',
  rooms_pkey: 'room',
  rejoin_passes_pkey: 'rejoin pass',
  rejoin_passes_peer_id_key: 'rejoin pass',
};

/** SQLSTATEs that say the database is not there now (class 08: connection exception; 57P0x: shutting down; too many connections). */
const UNAVAILABLE_STATES = /^(08...|57P01|57P02|57P03|53300)$/;
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/** The store's own error for `err` from node-postgres (unchanged when it is neither a conflict nor an outage). */
export function storeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { code, constraint } = err as Error & { code?: string; constraint?: string };
  if (code === '23505') return new StoreConflict(CONFLICTS[constraint ?? ''] ?? constraint ?? 'row', { cause: err });
  if (
    (code && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_CODES.has(code))) ||
    /^Connection terminated|timeout exceeded when trying to connect/.test(err.message)
  ) {
    return new StoreUnavailable(`the database is unavailable: ${code ?? err.message}`, { cause: err });
  }
  return err;
}

const INT8 = 20;
/** bigint columns (ids, counts) as numbers: ids stay far below 2^53. */
const parseInt8 = (v: string): number => Number(v);
const types: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as CustomTypesConfig['getTypeParser'],
};

export function createPool(url: string, max: number, onError: (err: Error) => void): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    // A database that does not answer fails the request (503) rather than hanging it.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'conclave',
  });
  // An idle connection that breaks (the server restarted) is replaced by the pool; without a listener it would crash the process.
  pool.on('error', onError);
  return pool;
}

/** PostgreSQL text cannot hold NUL: it becomes U+FFFD (no stored name or id can contain either). */
export const pgText = <T>(v: T): T => (typeof v === 'string' && v.includes('\0') ? (v.replaceAll('\0', '\uFFFD') as T) : v);
const params = (values: unknown[]) => values.map(pgText);

/** Where the tables run their statements: the pool, or one transaction's connection. */
export interface Pg {
  query<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<QueryResult<R>>;
  /** Runs `fn` as one transaction holding the store's transaction lock (inside a transaction: just runs it). */
  atomically<T>(fn: (q: Pg) => Promise<T>): Promise<T>;
}

async function query<R extends QueryResultRow>(on: Pool | PoolClient, sql: string, values: unknown[]): Promise<QueryResult<R>> {
  try {
    return await on.query<R>(sql, params(values));
  } catch (err) {
    throw storeError(err);
  }
}

/** One transaction on a connection of its own, holding the transaction lock until it ends. */
export async function inTransaction<T>(pool: Pool, fn: (q: Pg) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw storeError(err);
  }
  const tx: Pg = { query: (sql, values = []) => query(client, sql, values), atomically: (f) => f(tx) };
  let broken: Error | undefined;
  try {
    await tx.query('BEGIN');
    await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCKS.transactions]);
    const result = await fn(tx);
    await tx.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
    throw err;
  } finally {
    // A connection whose rollback failed is in an unknown state: the pool closes it.
    client.release(broken);
  }
}

export function onPool(pool: Pool): Pg {
  return { query: (sql, values = []) => query(pool, sql, values), atomically: (fn) => inTransaction(pool, fn) };
}
