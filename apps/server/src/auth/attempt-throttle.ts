/**
 * Slows down guessing: counts attempts per key (an address, an account, a
 * device, an address and a room) and, past a few free attempts, makes the
 * key wait with exponential backoff. An attempt is *reserved* before the
 * expensive password check and counts as a failure at once, so parallel
 * requests cannot all slip through while the first ones are still being
 * verified: with 5 free attempts, 20 simultaneous wrong guesses verify 5.
 * A failure keeps its count and restarts the wait (it runs from when the
 * check ended, and nobody past the free attempts goes while one is still
 * being checked); a success clears its key; an attempt that never reached the
 * check (the hasher was busy, another limit refused it) is refunded. Counts fade after
 * a quiet period, and the table is bounded so a spray of keys cannot grow it
 * forever.
 */
export interface ThrottleOptions {
  /** Attempts allowed back to back before any wait. */
  freeAttempts: number;
  /** The wait after the free attempts are used; it doubles with each further attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts older than this (with no wait pending) are forgotten. */
  forgetAfterMs: number;
  maxKeys?: number;
  now?: () => number;
}

interface Entry {
  /** Failed attempts plus attempts reserved and not yet settled. */
  attempts: number;
  /** Reserved attempts still being checked. */
  inFlight: number;
  lastAttempt: number;
}

/** An attempt that may go ahead, or how long to wait before the next one may. */
export type Reservation = { ok: true } | { ok: false; retryAfterMs: number };

export class AttemptThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly o: ThrottleOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Milliseconds this key must still wait before another attempt (0 = go ahead). */
  waitMs(key: string): number {
    const e = this.live(key);
    return e ? this.waitFor(e) : 0;
  }

  /**
   * Claims an attempt for `key` before checking a password: refused while
   * the key must wait, otherwise counted as a failure until `succeed` or
   * `refund` says otherwise.
   */
  reserve(key: string): Reservation {
    const wait = this.waitMs(key);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    this.fail(key);
    this.entries.get(key)!.inFlight += 1;
    return { ok: true };
  }

  /** Counts a failed attempt that was not reserved. */
  fail(key: string): void {
    const now = this.now();
    const e = this.live(key) ?? { attempts: 0, inFlight: 0, lastAttempt: now };
    e.attempts += 1;
    e.lastAttempt = now;
    this.entries.delete(key); // re-insert: the Map's order is then least-recently-used first
    this.entries.set(key, e);
    const max = this.o.maxKeys ?? 100_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** A reserved attempt turned out wrong: it stays counted, and the wait before the next runs from now, not from when it was reserved. */
  failed(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.inFlight = Math.max(0, e.inFlight - 1);
    e.lastAttempt = Math.max(e.lastAttempt, this.now());
  }

  /** A reserved attempt that was not a guess after all (nothing was checked): it no longer counts. */
  refund(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.attempts -= 1;
    e.inFlight = Math.max(0, e.inFlight - 1);
    if (e.attempts <= 0) this.entries.delete(key);
  }

  /** The right password: the key starts afresh (attempts of it still being checked stay counted). */
  succeed(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.inFlight = Math.max(0, e.inFlight - 1);
    e.attempts = e.inFlight;
    if (e.attempts <= 0) this.entries.delete(key);
  }

  /**
   * With `attempts` counted, the next one may start `delay` after the last
   * check ended; while one is still being checked, at least `delay` from now.
   */
  private waitFor(e: Entry): number {
    const over = e.attempts - this.o.freeAttempts;
    if (over < 0) return 0;
    const delay = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.min(over, 40));
    if (e.inFlight > 0) return delay;
    return Math.max(0, e.lastAttempt + delay - this.now());
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.lastAttempt > this.o.forgetAfterMs && this.waitFor(e) === 0) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
}
