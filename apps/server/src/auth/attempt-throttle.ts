/**
 * Slows down guessing: counts failures per key (an IP, an account, an IP and
 * a room) and, past a few free attempts, makes the key wait with
 * exponential backoff. A success clears its key. Counts fade after a quiet
 * period, and the table is bounded so a spray of keys cannot grow it forever.
 */
export interface ThrottleOptions {
  /** Failures allowed before any wait. */
  freeAttempts: number;
  /** The first wait; it doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
  maxKeys?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

export class AttemptThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly o: ThrottleOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Milliseconds this key must still wait before another attempt (0 = go ahead). */
  waitMs(key: string): number {
    const e = this.live(key);
    return e ? Math.max(0, e.blockedUntil - this.now()) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    const e = this.live(key) ?? { failures: 0, lastFailure: now, blockedUntil: 0 };
    e.failures += 1;
    e.lastFailure = now;
    const over = e.failures - this.o.freeAttempts;
    if (over > 0) e.blockedUntil = now + Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (over - 1));
    this.entries.delete(key); // re-insert: the Map's order is then least-recently-failed first
    this.entries.set(key, e);
    const max = this.o.maxKeys ?? 100_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.lastFailure > this.o.forgetAfterMs && e.blockedUntil <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
}
