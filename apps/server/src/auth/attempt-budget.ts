/**
 * A hard budget of attempts per key over a sliding window: at most `limit`
 * attempts in any `windowMs` (e.g. 100 password guesses an hour against one
 * account, however many addresses they come from). Like AttemptThrottle, an
 * attempt is reserved before the password check and refunded when it turns
 * out not to be a guess (the right password, or nothing was checked). The
 * table is bounded; the least recently charged key goes first.
 */
import type { Reservation } from './attempt-throttle.js';

export interface BudgetOptions {
  limit: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class AttemptBudget {
  /** Per key, the times of its charged attempts in the window, oldest first. */
  private readonly entries = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly o: BudgetOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Attempts still allowed for `key` in the current window. */
  remaining(key: string): number {
    return this.o.limit - this.live(key).length;
  }

  reserve(key: string): Reservation {
    const times = this.live(key);
    const now = this.now();
    if (times.length >= this.o.limit) return { ok: false, retryAfterMs: Math.max(1, times[0]! + this.o.windowMs - now) };
    times.push(now);
    this.entries.delete(key);
    this.entries.set(key, times);
    const max = this.o.maxKeys ?? 10_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
    return { ok: true };
  }

  /** Gives back the latest reserved attempt of `key`. */
  refund(key: string): void {
    const times = this.entries.get(key);
    if (!times) return;
    times.pop();
    if (times.length === 0) this.entries.delete(key);
  }

  private live(key: string): number[] {
    const times = this.entries.get(key);
    if (!times) return [];
    const cutoff = this.now() - this.o.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= cutoff) drop++;
    if (drop) times.splice(0, drop);
    if (times.length === 0) this.entries.delete(key);
    return times;
  }
}
