/** Login sessions in SQLite (synchronous; sqlite/store.ts serves it as the async SessionStore). */
import { hashToken, newSessionToken } from '../session-store.js';
import { nowIso, type Db } from './database.js';

export class SqliteSessionStore {
  constructor(private readonly db: Db) {}

  create(userId: number, ttlMs: number): { token: string; expiresAt: Date } {
    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + ttlMs);
    this.db
      .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(token), userId, nowIso(), expiresAt.toISOString());
    return { token, expiresAt };
  }

  userFor(token: string): number | null {
    const r = this.db.prepare('SELECT user_id, expires_at FROM sessions WHERE token_hash = ?').get(hashToken(token)) as
      { user_id: number; expires_at: string } | undefined;
    if (!r) return null;
    if (Date.parse(r.expires_at) <= Date.now()) {
      this.delete(token);
      return null;
    }
    return r.user_id;
  }

  delete(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
  }

  deleteForUser(userId: number): void {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowIso()).changes;
  }
}
