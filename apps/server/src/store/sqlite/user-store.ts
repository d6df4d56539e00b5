/** Accounts in SQLite (synchronous; sqlite/store.ts serves it as the async UserStore). */
import type { Role } from '@conclave/protocol';
import type { StoredUser } from '../user-store.js';
import { nowIso, unique, type Db } from './database.js';

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: string;
}

const toUser = (r: UserRow): StoredUser => ({
  id: r.id,
  username: r.username,
  role: r.role,
  createdAt: r.created_at,
  passwordHash: r.password_hash,
});

export class SqliteUserStore {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  countAdmins(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
  }

  /** The username column is UNIQUE COLLATE NOCASE: a name taken in any case is a StoreConflict. */
  create(username: string, passwordHash: string, role: Role): StoredUser {
    const info = unique('username', () =>
      this.db
        .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
        .run(username, passwordHash, role, nowIso()),
    );
    return this.byId(Number(info.lastInsertRowid))!;
  }

  createFirst(username: string, passwordHash: string, role: Role): StoredUser | null {
    // One synchronous transaction: nothing else runs on this connection between the count and the insert.
    return this.db.transaction(() => (this.count() > 0 ? null : this.create(username, passwordHash, role)))();
  }

  byId(id: number): StoredUser | null {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  byUsername(username: string): StoredUser | null {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  list(): StoredUser[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  setRole(id: number, role: Role): void {
    this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id);
  }

  setPasswordHash(id: number, passwordHash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }
}
