/**
 * The database schema, as numbered migrations. The database's user_version
 * records how many have run; each runs in its own transaction, so a crash
 * mid-migration leaves the previous version intact. Append; never edit a
 * migration that has shipped.
 */
export const migrations: ReadonlyArray<{ version: number; description: string; sql: string }> = [
  {
    version: 1,
    description: 'users, sessions, rooms, audit log',
    sql: `
      CREATE TABLE users (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('admin', 'host')),
        created_at    TEXT NOT NULL
      );
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX sessions_expiry ON sessions(expires_at);
      CREATE TABLE rooms (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL,
        password_hash    TEXT,
        lobby            INTEGER NOT NULL DEFAULT 0,
        locked           INTEGER NOT NULL DEFAULT 0,
        max_participants INTEGER NOT NULL DEFAULT 50,
        created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at       TEXT NOT NULL
      );
      CREATE TABLE audit_log (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        at     TEXT NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT,
        ip     TEXT
      );
    `,
  },
  {
    version: 2,
    description: 'rejoin passes (hashed) that outlive a restart; audit log indexed by time for its retention',
    sql: `
      CREATE TABLE rejoin_passes (
        pass_hash  TEXT PRIMARY KEY,
        peer_id    TEXT NOT NULL UNIQUE,
        room_id    TEXT NOT NULL,
        issued_at  TEXT NOT NULL,
        expires_at TEXT
      );
      CREATE INDEX rejoin_passes_room ON rejoin_passes(room_id);
      CREATE INDEX rejoin_passes_expiry ON rejoin_passes(expires_at);
      CREATE INDEX audit_log_at ON audit_log(at);
    `,
  },
];
