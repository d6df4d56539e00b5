/**
 * Rejoin passes behind an async interface (design §3.3), with the rules of
 * rooms/rejoin-passes.ts: a fresh pass per join, good while its holder is
 * in and for REJOIN_GRACE_MS after their connection drops; void after a
 * deliberate leave, a removal, a newer join or the meeting's end; `redeem`
 * uses it up (and `giveBack` restores it when the join that used it
 * failed). In cluster mode `redeem` runs on whichever node the rejoin lands
 * on, so the Redis store does it in one script: two nodes cannot both
 * redeem one pass.
 *
 * MemoryPassStore is the single-node store: it delegates to a RejoinPasses
 * (which keeps writing through to SQLite when given its store), so the app
 * keeps calling releaseAll/purgeExpired on that object as today.
 * RedisPassStore (redis-pass-store.ts) is the cluster's; there, Redis
 * expires passes itself, and a node going away releases its own peers'
 * passes one by one (there is no "all passes of the cluster" to release).
 */
import { RejoinPasses } from '../rooms/rejoin-passes.js';

export { REJOIN_GRACE_MS } from '../rooms/rejoin-passes.js';

export interface PassStore {
  /** A new pass for a peer that has just joined `roomId` (any older pass of the peer is void). */
  issue(peerId: string, roomId: string): Promise<string>;
  /** The peer's connection dropped: its pass works for the grace period. */
  release(peerId: string): Promise<void>;
  /** The peer left on purpose or was put out: its pass is void. */
  revoke(peerId: string): Promise<void>;
  /** The meeting ended: every pass for it is void. */
  revokeRoom(roomId: string): Promise<void>;
  /** Whose pass this is, if it would let its holder back into `roomId` now (it stays good); null otherwise. */
  holderOf(pass: string, roomId: string): Promise<string | null>;
  /** Uses up a good pass for `roomId` and says whose it was; null when it is not good. */
  redeem(pass: string, roomId: string): Promise<string | null>;
  /** The join that used up this pass failed: it is good again for the grace period (unless the peer has a newer pass). */
  giveBack(pass: string, roomId: string, peerId: string): Promise<void>;
}

export class MemoryPassStore implements PassStore {
  constructor(readonly passes: RejoinPasses = new RejoinPasses()) {}

  issue(peerId: string, roomId: string): Promise<string> {
    return Promise.resolve(this.passes.issue(peerId, roomId));
  }

  release(peerId: string): Promise<void> {
    this.passes.release(peerId);
    return Promise.resolve();
  }

  revoke(peerId: string): Promise<void> {
    this.passes.revoke(peerId);
    return Promise.resolve();
  }

  revokeRoom(roomId: string): Promise<void> {
    this.passes.revokeRoom(roomId);
    return Promise.resolve();
  }

  holderOf(pass: string, roomId: string): Promise<string | null> {
    return Promise.resolve(this.passes.holderOf(pass, roomId));
  }

  redeem(pass: string, roomId: string): Promise<string | null> {
    return Promise.resolve(this.passes.redeem(pass, roomId));
  }

  giveBack(pass: string, roomId: string, peerId: string): Promise<void> {
    this.passes.giveBack(pass, roomId, peerId);
    return Promise.resolve();
  }
}
