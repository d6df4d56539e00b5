/**
 * Rejoin passes: what lets someone whose connection dropped back into a
 * meeting that was locked (or has a lobby) after they had joined. Every join
 * gets a fresh random pass. It is good while its holder is in the meeting
 * and for a grace period after their connection drops; leaving on purpose,
 * being removed, flooding, or the meeting ending voids it. Asking for a
 * ticket only checks it; the join the ticket leads to uses it up (so a
 * rejoin whose socket fails can try again with it). Passes live in memory only: a server restart forgets
 * them, like the meetings themselves.
 */
import { randomBytes } from 'node:crypto';

/** How long after a dropped connection its pass still works. */
export const REJOIN_GRACE_MS = 2 * 60_000;

interface Pass {
  peerId: string;
  roomId: string;
  /** null while the holder is in the meeting. */
  expiresAt: number | null;
}

export class RejoinPasses {
  private readonly passes = new Map<string, Pass>();
  private readonly byPeer = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new pass for a peer that has just joined `roomId`. */
  issue(peerId: string, roomId: string): string {
    this.sweep();
    this.revoke(peerId);
    const pass = randomBytes(24).toString('base64url');
    this.passes.set(pass, { peerId, roomId, expiresAt: null });
    this.byPeer.set(peerId, pass);
    return pass;
  }

  /** The peer's connection dropped: its pass works for the grace period. */
  release(peerId: string): void {
    const pass = this.byPeer.get(peerId);
    const entry = pass ? this.passes.get(pass) : undefined;
    if (entry && entry.expiresAt === null) entry.expiresAt = this.now() + REJOIN_GRACE_MS;
  }

  /** The peer left on purpose or was put out: its pass is void. */
  revoke(peerId: string): void {
    const pass = this.byPeer.get(peerId);
    if (pass) this.passes.delete(pass);
    this.byPeer.delete(peerId);
  }

  /** The meeting ended: every pass for it is void. */
  revokeRoom(roomId: string): void {
    for (const [pass, entry] of this.passes) {
      if (entry.roomId !== roomId) continue;
      this.passes.delete(pass);
      this.byPeer.delete(entry.peerId);
    }
  }

  /** Whose pass this is, if it would let its holder back into `roomId` now (it stays good); null otherwise. */
  holderOf(pass: string, roomId: string): string | null {
    const entry = this.passes.get(pass);
    const good = entry !== undefined && entry.roomId === roomId && (entry.expiresAt === null || entry.expiresAt > this.now());
    return good ? entry.peerId : null;
  }

  /**
   * Uses up a good pass for `roomId` and says whose it was (that peer may
   * still be in the room if the server has not yet noticed its connection
   * drop: the newcomer replaces it). null when the pass is not good.
   */
  redeem(pass: string, roomId: string): string | null {
    const entry = this.passes.get(pass);
    if (!entry || entry.roomId !== roomId) return null;
    this.revoke(entry.peerId);
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) return null;
    return entry.peerId;
  }

  private sweep(): void {
    const now = this.now();
    for (const entry of this.passes.values()) if (entry.expiresAt !== null && entry.expiresAt <= now) this.revoke(entry.peerId);
  }
}
