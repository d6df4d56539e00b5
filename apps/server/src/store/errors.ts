/**
 * What a store reports, the same from either database, so callers never
 * look at a SQLite or PostgreSQL error themselves.
 */

/** A row would break a uniqueness rule: a username taken (case-insensitively), a room id or pass already there. */
export class StoreConflict extends Error {
  override name = 'StoreConflict';
  readonly code = 'conflict' as const;
  constructor(
    /** What is duplicated: 'username', 'room', 'rejoin pass', or the database's own constraint name. */
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(`already exists: ${what}`, options);
  }
}

/** The database cannot be reached now (PostgreSQL down, a connection cut): worth retrying later, not a bug. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
  readonly code = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
