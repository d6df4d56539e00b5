/**
 * Rejoin passes: what lets someone whose connection dropped back into a
 * meeting that was locked (or has a lobby) after they had joined. Every join
 * gets a fresh random pass. It is good while its holder is in the meeting
 * and for a grace period after their connection drops; leaving on purpose,
 * being removed, flooding, or the meeting ending voids it. Asking for a
 * ticket only checks it; the join the ticket leads to uses it up (so a
 * rejoin whose socket fails can try again with it).
 *
 * With a store (store/rejoin-pass-store.ts) every change is written through
 * to the database, hashed, so passes outlive a restart: a graceful shutdown
 * releases them all (the grace period starts then); after a crash, a pass
 * whose holder was still in the meeting is treated as released at start
 * (`restore`, awaited once before the server serves).
 *
 * Lookups and changes are served from memory (keyed by the same hash) and
 * never wait for the database: checking and using up a pass happen with no
 * await between them, so two joins with one pass cannot both redeem it. The
 * writes follow in the background, one after another in the order the
 * changes were made (`flush` waits for them). A failed write is reported
 * to `onStoreError` and never fails the caller: the pass then works until
 * the next restart only.
 */
import { randomBytes } from 'node:crypto';
import { hashPass, type RejoinPassStore } from '../store/rejoin-pass-store.js';

/** How long after a dropped connection (or a server restart) its pass still works. */
export const REJOIN_GRACE_MS = 2 * 60_000;

interface Pass {
  peerId: string;
  roomId: string;
  /** null while the holder is in the meeting. */
  expiresAt: number | null;
}

export interface RejoinPassesOptions {
  /** Where passes are kept across restarts; none = memory only. */
  store?: RejoinPassStore;
  /** A write to the store failed (the change stands in memory). */
  onStoreError?: (err: unknown, what: string) => void;
}

export class RejoinPasses {
  /** By the pass's SHA-256 (never the pass itself). */
  private readonly passes = new Map<string, Pass>();
  private readonly byPeer = new Map<string, string>();
  private store: RejoinPassStore | null;
  private readonly onStoreError: (err: unknown, what: string) => void;
  /** The writes not yet made, chained in order. */
  private writes: Promise<void> = Promise.resolve();
  /** What was read back from the store at start (for the start-up log line). */
  readonly restored: { passes: number; heldAtCrash: number; expired: number } = { passes: 0, heldAtCrash: 0, expired: 0 };

  constructor(
    private readonly now: () => number = Date.now,
    options: RejoinPassesOptions = {},
  ) {
    this.store = options.store ?? null;
    this.onStoreError = options.onStoreError ?? (() => undefined);
  }

  /**
   * Reads back the passes kept from before a restart (once, at start): purges
   * the expired ones, and starts the grace period of those whose holder was
   * still in a meeting when the last process died without releasing them.
   */
  async restore(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const now = this.now();
    try {
      this.restored.expired = await store.purgeExpired(now);
      // Held at the last stop: the process died without releasing them (a crash). Their grace starts now.
      this.restored.heldAtCrash = await store.releaseAll(now + REJOIN_GRACE_MS);
      for (const p of await store.all()) {
        if (this.byPeer.has(p.peerId)) continue; // changed here since start: memory is newer
        this.passes.set(p.passHash, { peerId: p.peerId, roomId: p.roomId, expiresAt: p.expiresAt });
        this.byPeer.set(p.peerId, p.passHash);
      }
      this.restored.passes = this.passes.size;
    } catch (err) {
      this.onStoreError(err, 'restore');
    }
  }

  /** A new pass for a peer that has just joined `roomId`. */
  issue(peerId: string, roomId: string): string {
    this.purgeExpired();
    this.forget(peerId);
    const pass = randomBytes(24).toString('base64url');
    const passHash = hashPass(pass);
    this.passes.set(passHash, { peerId, roomId, expiresAt: null });
    this.byPeer.set(peerId, passHash);
    const issuedAt = this.now();
    this.write('issue', (s) => s.insert({ passHash, peerId, roomId, expiresAt: null }, issuedAt));
    return pass;
  }

  /** The peer's connection dropped: its pass works for the grace period. */
  release(peerId: string): void {
    const hash = this.byPeer.get(peerId);
    const entry = hash ? this.passes.get(hash) : undefined;
    if (!entry || entry.expiresAt !== null) return;
    const expiresAt = this.now() + REJOIN_GRACE_MS;
    entry.expiresAt = expiresAt;
    this.write('release', (s) => s.release(peerId, expiresAt));
  }

  /** The server is going away (a restart): every pass whose holder is in a meeting starts its grace period now. */
  releaseAll(): number {
    const expiresAt = this.now() + REJOIN_GRACE_MS;
    let released = 0;
    for (const entry of this.passes.values()) {
      if (entry.expiresAt !== null) continue;
      entry.expiresAt = expiresAt;
      released += 1;
    }
    this.write('releaseAll', (s) => s.releaseAll(expiresAt));
    return released;
  }

  /** The peer left on purpose or was put out: its pass is void. */
  revoke(peerId: string): void {
    if (!this.byPeer.has(peerId)) return;
    this.forget(peerId);
    this.write('revoke', (s) => s.deletePeer(peerId));
  }

  /** The meeting ended: every pass for it is void. */
  revokeRoom(roomId: string): void {
    for (const [hash, entry] of this.passes) {
      if (entry.roomId !== roomId) continue;
      this.passes.delete(hash);
      this.byPeer.delete(entry.peerId);
    }
    this.write('revokeRoom', (s) => s.deleteRoom(roomId));
  }

  /** Whose pass this is, if it would let its holder back into `roomId` now (it stays good); null otherwise. */
  holderOf(pass: string, roomId: string): string | null {
    const entry = this.passes.get(hashPass(pass));
    const good = entry !== undefined && entry.roomId === roomId && (entry.expiresAt === null || entry.expiresAt > this.now());
    return good ? entry.peerId : null;
  }

  /**
   * Uses up a good pass for `roomId` and says whose it was (that peer may
   * still be in the room if the server has not yet noticed its connection
   * drop: the newcomer replaces it). null when the pass is not good.
   */
  redeem(pass: string, roomId: string): string | null {
    const entry = this.passes.get(hashPass(pass));
    if (!entry || entry.roomId !== roomId) return null;
    this.revoke(entry.peerId);
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) return null;
    return entry.peerId;
  }

  /**
   * A join that had used up this pass failed before its holder was back in
   * (no media worker, a full room, a closed socket): the pass is good again,
   * for a grace period, so the holder's next attempt is not locked out.
   * Nothing happens if the peer has a newer pass.
   */
  giveBack(pass: string, roomId: string, peerId: string): void {
    if (this.byPeer.has(peerId)) return;
    const passHash = hashPass(pass);
    const expiresAt = this.now() + REJOIN_GRACE_MS;
    this.passes.set(passHash, { peerId, roomId, expiresAt });
    this.byPeer.set(peerId, passHash);
    const issuedAt = this.now();
    this.write('giveBack', (s) => s.insert({ passHash, peerId, roomId, expiresAt }, issuedAt));
  }

  /** How many passes are kept (held or in their grace period). */
  get size(): number {
    return this.passes.size;
  }

  /** Forgets every pass whose grace period is over, here and in the store. */
  purgeExpired(): void {
    const now = this.now();
    for (const [hash, entry] of this.passes) {
      if (entry.expiresAt === null || entry.expiresAt > now) continue;
      this.passes.delete(hash);
      this.byPeer.delete(entry.peerId);
    }
    this.write('purge', (s) => s.purgeExpired(now));
  }

  /** Waits until every change made so far is written (or has failed, and been reported). */
  flush(): Promise<void> {
    return this.writes;
  }

  /** Stops writing to the store (it is about to close: `flush` first); passes work from memory until the process ends. */
  detach(): void {
    this.store = null;
  }

  private forget(peerId: string): void {
    const hash = this.byPeer.get(peerId);
    if (hash) this.passes.delete(hash);
    this.byPeer.delete(peerId);
  }

  /** Queues a write after the ones before it (a pass issued then revoked must not be written revoked, then issued). */
  private write(what: string, change: (store: RejoinPassStore) => Promise<unknown>): void {
    const store = this.store;
    if (!store) return;
    this.writes = this.writes.then(() => change(store).then(() => undefined)).catch((err: unknown) => this.onStoreError(err, what));
  }
}
