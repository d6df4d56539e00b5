/** Login sessions in PostgreSQL: only the token's SHA-256 is kept. */
import { hashToken, newSessionToken, type SessionStore } from '../session-store.js';
import type { Pg } from './database.js';

export class PgSessionStore implements SessionStore {
  constructor(private readonly pg: Pg) {}

  async create(userId: number, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.pg.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      hashToken(token),
      userId,
      new Date(),
      expiresAt,
    ]);
    return { token, expiresAt };
  }

  async userFor(token: string): Promise<number | null> {
    const { rows } = await this.pg.query<{ user_id: number; expires_at: Date }>(
      'SELECT user_id, expires_at FROM sessions WHERE token_hash = $1',
      [hashToken(token)],
    );
    const r = rows[0];
    if (!r) return null;
    // This process's clock, as when the session was made (and as the SQLite store does).
    if (r.expires_at.getTime() <= Date.now()) {
      await this.delete(token);
      return null;
    }
    return r.user_id;
  }

  async delete(token: string): Promise<void> {
    await this.pg.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(token)]);
  }

  async deleteForUser(userId: number): Promise<void> {
    await this.pg.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  async purgeExpired(): Promise<number> {
    return (await this.pg.query('DELETE FROM sessions WHERE expires_at <= $1', [new Date()])).rowCount ?? 0;
  }
}
