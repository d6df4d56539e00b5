/**
 * Rejoin passes on disk, so that a restart (graceful or a crash) does not
 * lock people out of the meeting they were in. Like login sessions, only the
 * SHA-256 of a pass is kept: a leaked database lets nobody in. Times are ms
 * since the epoch; `expiresAt` is null while the holder is in the meeting.
 * rooms/rejoin-passes.ts holds the rules; this is its storage.
 */
import { createHash } from 'node:crypto';
import type { Db } from './database.js';

export const hashPass = (pass: string): string => createHash('sha256').update(pass).digest('hex');

export interface StoredPass {
  passHash: string;
  peerId: string;
  roomId: string;
  /** null while the holder is in the meeting. */
  expiresAt: number | null;
}

interface Row {
  pass_hash: string;
  peer_id: string;
  room_id: string;
  expires_at: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class RejoinPassStore {
  constructor(private readonly db: Db) {}

  all(): StoredPass[] {
    return (this.db.prepare('SELECT pass_hash, peer_id, room_id, expires_at FROM rejoin_passes').all() as Row[]).map((r) => ({
      passHash: r.pass_hash,
      peerId: r.peer_id,
      roomId: r.room_id,
      expiresAt: r.expires_at === null ? null : Date.parse(r.expires_at),
    }));
  }

  /** A new pass for `peerId` (replacing any it had). */
  insert(pass: StoredPass, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM rejoin_passes WHERE peer_id = ?').run(pass.peerId);
      this.db
        .prepare('INSERT INTO rejoin_passes (pass_hash, peer_id, room_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(pass.passHash, pass.peerId, pass.roomId, iso(now), pass.expiresAt === null ? null : iso(pass.expiresAt));
    })();
  }

  /** The holder's connection dropped: the pass expires at `expiresAt` (unless it already expires). */
  release(peerId: string, expiresAt: number): void {
    this.db.prepare('UPDATE rejoin_passes SET expires_at = ? WHERE peer_id = ? AND expires_at IS NULL').run(iso(expiresAt), peerId);
  }

  /** Every holder is gone at once (a restart): every held pass expires at `expiresAt`. Returns how many. */
  releaseAll(expiresAt: number): number {
    return this.db.prepare('UPDATE rejoin_passes SET expires_at = ? WHERE expires_at IS NULL').run(iso(expiresAt)).changes;
  }

  deletePeer(peerId: string): void {
    this.db.prepare('DELETE FROM rejoin_passes WHERE peer_id = ?').run(peerId);
  }

  deleteRoom(roomId: string): void {
    this.db.prepare('DELETE FROM rejoin_passes WHERE room_id = ?').run(roomId);
  }

  /** Deletes every pass that has expired by `now`; returns how many. */
  purgeExpired(now: number): number {
    return this.db.prepare('DELETE FROM rejoin_passes WHERE expires_at IS NOT NULL AND expires_at <= ?').run(iso(now)).changes;
  }
}
