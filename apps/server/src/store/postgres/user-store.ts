/** Accounts in PostgreSQL: username is citext UNIQUE, so a name taken in any case is a StoreConflict, as in SQLite. */
import type { Role } from '@conclave/protocol';
import type { StoredUser, UserStore } from '../user-store.js';
import type { Pg } from './database.js';

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: Date;
}

const toUser = (r: UserRow): StoredUser => ({
  id: r.id,
  username: r.username,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  passwordHash: r.password_hash,
});

const first = (rows: UserRow[]) => (rows[0] ? toUser(rows[0]) : null);

/** An id PostgreSQL's bigint can hold and a JS number can say exactly; no user has any other (SQLite simply finds none). */
const storable = (id: number) => Number.isSafeInteger(id);

export class PgUserStore implements UserStore {
  constructor(private readonly pg: Pg) {}

  async count(): Promise<number> {
    return (await this.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n;
  }

  async countAdmins(): Promise<number> {
    return (await this.pg.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin'")).rows[0]!.n;
  }

  async create(username: string, passwordHash: string, role: Role): Promise<StoredUser> {
    const { rows } = await this.pg.query<UserRow>(
      'INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [username, passwordHash, role, new Date()],
    );
    return toUser(rows[0]!);
  }

  async createFirst(username: string, passwordHash: string, role: Role): Promise<StoredUser | null> {
    // Under the store's transaction lock: two nodes (or two requests) cannot both see no user and both insert.
    return this.pg.atomically(async (tx) => {
      const { rows } = await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS any');
      if (rows[0]!.any) return null;
      return new PgUserStore(tx).create(username, passwordHash, role);
    });
  }

  async byId(id: number): Promise<StoredUser | null> {
    if (!storable(id)) return null;
    return first((await this.pg.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows);
  }

  async byUsername(username: string): Promise<StoredUser | null> {
    return first((await this.pg.query<UserRow>('SELECT * FROM users WHERE username = $1', [username])).rows);
  }

  async list(): Promise<StoredUser[]> {
    // SQLite's NOCASE order: ASCII letters folded, then byte order (not the database's locale, which may ignore punctuation).
    const { rows } = await this.pg.query<UserRow>('SELECT * FROM users ORDER BY lower(username::text) COLLATE "C"');
    return rows.map(toUser);
  }

  async setRole(id: number, role: Role): Promise<void> {
    if (!storable(id)) return;
    await this.pg.query('UPDATE users SET role = $1 WHERE id = $2', [role, id]);
  }

  async setPasswordHash(id: number, passwordHash: string): Promise<void> {
    if (!storable(id)) return;
    await this.pg.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, id]);
  }

  async delete(id: number): Promise<boolean> {
    if (!storable(id)) return false;
    return ((await this.pg.query('DELETE FROM users WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
}
