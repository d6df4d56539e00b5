/** Rejoin passes in PostgreSQL: only the pass's SHA-256 is kept. */
import type { RejoinPassStore, StoredPass } from '../rejoin-pass-store.js';
import type { Pg } from './database.js';

interface Row {
  pass_hash: string;
  peer_id: string;
  room_id: string;
  expires_at: Date | null;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export class PgRejoinPassStore implements RejoinPassStore {
  constructor(private readonly pg: Pg) {}

  async all(): Promise<StoredPass[]> {
    const { rows } = await this.pg.query<Row>('SELECT pass_hash, peer_id, room_id, expires_at FROM rejoin_passes');
    return rows.map((r) => ({
      passHash: r.pass_hash,
      peerId: r.peer_id,
      roomId: r.room_id,
      expiresAt: r.expires_at === null ? null : r.expires_at.getTime(),
    }));
  }

  async insert(pass: StoredPass, now: number): Promise<void> {
    // One statement replaces the peer's old pass (SQLite deletes and inserts in a transaction).
    await this.pg.query(
      `INSERT INTO rejoin_passes (pass_hash, peer_id, room_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (peer_id) DO UPDATE
         SET pass_hash = EXCLUDED.pass_hash, room_id = EXCLUDED.room_id, issued_at = EXCLUDED.issued_at, expires_at = EXCLUDED.expires_at`,
      [pass.passHash, pass.peerId, pass.roomId, new Date(now), date(pass.expiresAt)],
    );
  }

  async release(peerId: string, expiresAt: number): Promise<void> {
    await this.pg.query('UPDATE rejoin_passes SET expires_at = $1 WHERE peer_id = $2 AND expires_at IS NULL', [
      new Date(expiresAt),
      peerId,
    ]);
  }

  async releaseAll(expiresAt: number): Promise<number> {
    return (await this.pg.query('UPDATE rejoin_passes SET expires_at = $1 WHERE expires_at IS NULL', [new Date(expiresAt)])).rowCount ?? 0;
  }

  async deletePeer(peerId: string): Promise<void> {
    await this.pg.query('DELETE FROM rejoin_passes WHERE peer_id = $1', [peerId]);
  }

  async deleteRoom(roomId: string): Promise<void> {
    await this.pg.query('DELETE FROM rejoin_passes WHERE room_id = $1', [roomId]);
  }

  async purgeExpired(now: number): Promise<number> {
    return (
      (await this.pg.query('DELETE FROM rejoin_passes WHERE expires_at IS NOT NULL AND expires_at <= $1', [new Date(now)])).rowCount ?? 0
    );
  }
}
