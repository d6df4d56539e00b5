/**
 * Password-guessing limits behind an async interface, so that in cluster
 * mode every node counts the same attempts (design §3.3; without it the
 * guessing budget is multiplied by the number of nodes).
 *
 * ThrottleStore has auth/attempt-throttle.ts's rules (free attempts, then a
 * doubling wait; reserve before the check, failed/refund/succeed after;
 * quiet keys forgotten), BudgetStore auth/attempt-budget.ts's (at most
 * `limit` attempts in any window). The Memory versions delegate to those
 * classes; the Redis versions (redis-throttle-store.ts) run the same rules
 * as Lua scripts. throttle-store.contract.ts holds both to the same tests.
 */
import { AttemptBudget, type BudgetOptions } from '../auth/attempt-budget.js';
import { AttemptThrottle, type Reservation, type ThrottleOptions } from '../auth/attempt-throttle.js';

export type { BudgetOptions, Reservation, ThrottleOptions };

export interface ThrottleStore {
  /** Milliseconds this key must still wait before another attempt (0 = go ahead). */
  waitMs(key: string): Promise<number>;
  /** Claims an attempt before checking a password: refused while the key must wait, otherwise counted as a failure until settled. */
  reserve(key: string): Promise<Reservation>;
  /** Counts a failed attempt that was not reserved. */
  fail(key: string): Promise<void>;
  /** A reserved attempt turned out wrong: it stays counted; the wait runs from now. */
  failed(key: string): Promise<void>;
  /** A reserved attempt that was not a guess after all: it no longer counts. */
  refund(key: string): Promise<void>;
  /** The right password: the key starts afresh (attempts still being checked stay counted). */
  succeed(key: string): Promise<void>;
}

export interface BudgetStore {
  remaining(key: string): Promise<number>;
  reserve(key: string): Promise<Reservation>;
  /** Gives back the latest reserved attempt of `key`. */
  refund(key: string): Promise<void>;
}

export class MemoryThrottleStore implements ThrottleStore {
  readonly throttle: AttemptThrottle;

  constructor(options: ThrottleOptions) {
    this.throttle = new AttemptThrottle(options);
  }

  waitMs(key: string): Promise<number> {
    return Promise.resolve(this.throttle.waitMs(key));
  }

  reserve(key: string): Promise<Reservation> {
    return Promise.resolve(this.throttle.reserve(key));
  }

  fail(key: string): Promise<void> {
    this.throttle.fail(key);
    return Promise.resolve();
  }

  failed(key: string): Promise<void> {
    this.throttle.failed(key);
    return Promise.resolve();
  }

  refund(key: string): Promise<void> {
    this.throttle.refund(key);
    return Promise.resolve();
  }

  succeed(key: string): Promise<void> {
    this.throttle.succeed(key);
    return Promise.resolve();
  }
}

export class MemoryBudgetStore implements BudgetStore {
  readonly budget: AttemptBudget;

  constructor(options: BudgetOptions) {
    this.budget = new AttemptBudget(options);
  }

  remaining(key: string): Promise<number> {
    return Promise.resolve(this.budget.remaining(key));
  }

  reserve(key: string): Promise<Reservation> {
    return Promise.resolve(this.budget.reserve(key));
  }

  refund(key: string): Promise<void> {
    this.budget.refund(key);
    return Promise.resolve();
  }
}
