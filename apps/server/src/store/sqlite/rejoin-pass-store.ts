/** Rejoin passes in SQLite (synchronous; sqlite/store.ts serves it as the async RejoinPassStore). */
import type { StoredPass } from '../rejoin-pass-store.js';
import { unique, type Db } from './database.js';

interface Row {
  pass_hash: string;
  peer_id: string;
  room_id: string;
  expires_at: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class SqliteRejoinPassStore {
  constructor(private readonly db: Db) {}

  all(): StoredPass[] {
    return (this.db.prepare('SELECT pass_hash, peer_id, room_id, expires_at FROM rejoin_passes').all() as Row[]).map((r) => ({
      passHash: r.pass_hash,
      peerId: r.peer_id,
      roomId: r.room_id,
      expiresAt: r.expires_at === null ? null : Date.parse(r.expires_at),
    }));
  }

  insert(pass: StoredPass, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM rejoin_passes WHERE peer_id = ?').run(pass.peerId);
      unique('rejoin pass', () =>
        this.db
          .prepare('INSERT INTO rejoin_passes (pass_hash, peer_id, room_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)')
          .run(pass.passHash, pass.peerId, pass.roomId, iso(now), pass.expiresAt === null ? null : iso(pass.expiresAt)),
      );
    })();
  }

  release(peerId: string, expiresAt: number): void {
    this.db.prepare('UPDATE rejoin_passes SET expires_at = ? WHERE peer_id = ? AND expires_at IS NULL').run(iso(expiresAt), peerId);
  }

  releaseAll(expiresAt: number): number {
    return this.db.prepare('UPDATE rejoin_passes SET expires_at = ? WHERE expires_at IS NULL').run(iso(expiresAt)).changes;
  }

  deletePeer(peerId: string): void {
    this.db.prepare('DELETE FROM rejoin_passes WHERE peer_id = ?').run(peerId);
  }

  deleteRoom(roomId: string): void {
    this.db.prepare('DELETE FROM rejoin_passes WHERE room_id = ?').run(roomId);
  }

  purgeExpired(now: number): number {
    return this.db.prepare('DELETE FROM rejoin_passes WHERE expires_at IS NOT NULL AND expires_at <= ?').run(iso(now)).changes;
  }
}
