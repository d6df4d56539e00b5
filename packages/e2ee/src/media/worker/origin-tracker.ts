/**
 * Receiver side of frame origin, for one (peer, source): matches the frames
 * this Worker decrypted from that source against the entries of batches the
 * peer signed, and keeps the source's origin status.
 *
 * - A frame is recorded with (KID, CTR), its origin hash, when it arrived and
 *   whether it was shown (passed on to the decoder). An entry of a verified
 *   batch with the same (KID, CTR) covers it if the hashes are equal; if
 *   they differ, the frame is forged: status 'failed' ('forged') until
 *   `newEpoch` (the peer's keys of a new epoch).
 * - Entries may come before their frame (a batch can overtake frames): they
 *   wait, for as long as a frame waits for its entry, and match the frame
 *   when it comes.
 * - A shown frame still not covered ORIGIN_DEADLINE_MS after it arrived
 *   (`sweep`) fails the source as 'unsigned'. While failed, frames are not
 *   shown but still recorded; the source is 'verified' again once a frame is
 *   covered and no frame that arrived before it is still uncovered (frames
 *   older than the deadline have been let go by then: they already failed it).
 * - 'pending' until the first frame is covered, then 'verified'.
 *
 * Bounded: at most `maxPending` frames and `maxEarly` entries wait, oldest let
 * go first (a shown frame let go uncovered fails the source, as at its
 * deadline); matched ones are dropped at once. Time is passed in (ms, any
 * monotonic clock), so tests need no timers.
 */
import { ORIGIN_DEADLINE_MS, type OriginFailure, type OriginStatus } from '../worker-messages.js';

export const ORIGIN_MAX_PENDING = 512;
export const ORIGIN_MAX_EARLY = 512;

export interface OriginTrackerOptions {
  /** Called on every change of status; `resumed` when frames are shown again after a failure. */
  onChange: (status: OriginStatus, reason: OriginFailure | undefined, resumed: boolean) => void;
  deadlineMs?: number;
  maxPending?: number;
  maxEarly?: number;
}

interface Pending {
  hash: Uint8Array;
  at: number;
  shown: boolean;
}

interface Early {
  hash: Uint8Array;
  at: number;
}

/** One Map key per (KID, CTR); both are < 2^64. */
const keyOf = (kid: bigint, ctr: bigint) => (kid << 64n) | ctr;

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export class OriginTracker {
  #status: OriginStatus = 'pending';
  #reason: OriginFailure | undefined;
  #announced = false;
  /** Recorded frames not yet covered, in arrival order. */
  readonly #pending = new Map<bigint, Pending>();
  /** Verified entries whose frame has not come (yet), in arrival order. */
  readonly #early = new Map<bigint, Early>();
  readonly #deadline: number;
  readonly #maxPending: number;
  readonly #maxEarly: number;

  constructor(private readonly options: OriginTrackerOptions) {
    this.#deadline = options.deadlineMs ?? ORIGIN_DEADLINE_MS;
    this.#maxPending = options.maxPending ?? ORIGIN_MAX_PENDING;
    this.#maxEarly = options.maxEarly ?? ORIGIN_MAX_EARLY;
  }

  get status(): OriginStatus {
    return this.#status;
  }

  get reason(): OriginFailure | undefined {
    return this.#reason;
  }

  /** Whether frames arriving now are to be shown. */
  get showing(): boolean {
    return this.#status !== 'failed';
  }

  /** Frames and entries waiting for each other. */
  get waiting(): { frames: number; entries: number } {
    return { frames: this.#pending.size, entries: this.#early.size };
  }

  /** A frame decrypted from this source, which arrived at `at` and was shown or not. */
  frame(kid: bigint, ctr: bigint, hash: Uint8Array, at: number, shown: boolean): void {
    if (!this.#announced) {
      this.#announced = true;
      this.options.onChange(this.#status, this.#reason, false);
    }
    this.sweep(at);
    const key = keyOf(kid, ctr);
    const early = this.#early.get(key);
    if (early) {
      this.#early.delete(key);
      return this.#match(hash, early.hash, at);
    }
    this.#pending.set(key, { hash, at, shown });
    if (this.#pending.size > this.#maxPending) {
      const [oldestKey, oldest] = this.#pending.entries().next().value!;
      this.#pending.delete(oldestKey);
      if (oldest.shown) this.#fail('unsigned');
    }
  }

  /** An entry of a batch this source's sender signed, verified at `now`. */
  vouch(kid: bigint, ctr: bigint, hash: Uint8Array, now: number): void {
    this.sweep(now);
    const key = keyOf(kid, ctr);
    const frame = this.#pending.get(key);
    if (frame) {
      this.#pending.delete(key);
      return this.#match(frame.hash, hash, frame.at);
    }
    if (this.#early.has(key)) return; // the sender lists each frame once; keep what came first
    this.#early.set(key, { hash, at: now });
    if (this.#early.size > this.#maxEarly) this.#early.delete(this.#early.keys().next().value!);
  }

  /** Lets go of frames past their deadline (failing the source for shown ones) and of entries as old. */
  sweep(now: number): void {
    for (const [key, p] of this.#pending) {
      if (now - p.at < this.#deadline) break;
      this.#pending.delete(key);
      if (p.shown) this.#fail('unsigned');
    }
    for (const [key, e] of this.#early) {
      if (now - e.at < this.#deadline) break;
      this.#early.delete(key);
    }
  }

  /** The peer's keys of a new epoch arrived: a forgery found under the old ones no longer holds the source. */
  newEpoch(): void {
    if (this.#status === 'failed' && this.#reason === 'forged') this.#set('pending', undefined, true);
  }

  #match(frameHash: Uint8Array, vouchedHash: Uint8Array, arrivedAt: number): void {
    if (!sameHash(frameHash, vouchedHash)) return this.#fail('forged');
    if (this.#status === 'pending') return this.#set('verified', undefined, false);
    if (this.#status === 'failed' && this.#reason === 'unsigned') {
      const oldest = this.#pending.values().next().value;
      if (!oldest || oldest.at > arrivedAt) this.#set('verified', undefined, true);
    }
  }

  #fail(reason: OriginFailure): void {
    if (this.#status === 'failed' && (this.#reason === 'forged' || this.#reason === reason)) return;
    this.#set('failed', reason, false);
  }

  #set(status: OriginStatus, reason: OriginFailure | undefined, resumed: boolean): void {
    this.#status = status;
    this.#reason = reason;
    this.#announced = true;
    this.options.onChange(status, reason, resumed);
  }
}
