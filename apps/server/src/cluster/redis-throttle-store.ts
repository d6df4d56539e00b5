/**
 * ThrottleStore and BudgetStore in Redis, shared by every node: the rules
 * of auth/attempt-throttle.ts and auth/attempt-budget.ts as Lua scripts
 * (redis.ts THROTTLE and BUDGET), one round trip per call. `kind` keeps
 * different limits apart (`room-password`, `login-address`, …): keys are
 * `cv:thr:<kind>:<key>` and `cv:budget:<kind>:<key>`.
 *
 * Times are the caller's clock (`now`), so a fake clock in tests drives the
 * rules exactly as in memory; keys expire in Redis when the in-memory
 * table would have forgotten them (relative PEXPIRE from the same numbers;
 * the design's PEXPIREAT, without trusting that every node's wall clock
 * agrees with Redis's). The table bound (`maxKeys`) has no Redis
 * counterpart: keys expire instead.
 */
import { randomBytes } from 'node:crypto';
import { BUDGET, keys, THROTTLE, type RedisClient } from './redis.js';
import type { BudgetOptions, BudgetStore, Reservation, ThrottleOptions, ThrottleStore } from './throttle-store.js';

const KIND = /^[a-z][a-z0-9-]{0,40}$/;

export class RedisThrottleStore implements ThrottleStore {
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly kind: string,
    private readonly o: ThrottleOptions,
  ) {
    if (!KIND.test(kind)) throw new Error(`bad throttle kind: ${kind}`);
    this.now = o.now ?? Date.now;
  }

  async waitMs(key: string): Promise<number> {
    return this.run('wait', key);
  }

  async reserve(key: string): Promise<Reservation> {
    const wait = await this.run('reserve', key);
    return wait > 0 ? { ok: false, retryAfterMs: wait } : { ok: true };
  }

  async fail(key: string): Promise<void> {
    await this.run('fail', key);
  }

  async failed(key: string): Promise<void> {
    await this.run('failed', key);
  }

  async refund(key: string): Promise<void> {
    await this.run('refund', key);
  }

  async succeed(key: string): Promise<void> {
    await this.run('succeed', key);
  }

  private async run(op: string, key: string): Promise<number> {
    const o = this.o;
    const r = await THROTTLE.run(
      this.redis,
      [keys.throttle(this.kind, key)],
      [op, this.now(), o.freeAttempts, o.baseDelayMs, o.maxDelayMs, o.forgetAfterMs],
    );
    return Number(r);
  }
}

export class RedisBudgetStore implements BudgetStore {
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly kind: string,
    private readonly o: BudgetOptions,
  ) {
    if (!KIND.test(kind)) throw new Error(`bad budget kind: ${kind}`);
    this.now = o.now ?? Date.now;
  }

  async remaining(key: string): Promise<number> {
    return this.run('remaining', key);
  }

  async reserve(key: string): Promise<Reservation> {
    const wait = await this.run('reserve', key);
    return wait > 0 ? { ok: false, retryAfterMs: wait } : { ok: true };
  }

  async refund(key: string): Promise<void> {
    await this.run('refund', key);
  }

  private async run(op: string, key: string): Promise<number> {
    const member = `${this.now()}:${randomBytes(6).toString('base64url')}`;
    const r = await BUDGET.run(this.redis, [keys.budget(this.kind, key)], [op, this.now(), this.o.limit, this.o.windowMs, member]);
    return Number(r);
  }
}
