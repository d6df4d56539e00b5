import { describe, expect, it } from 'vitest';
import { useRedisPair } from '../test-support/redis-pair.js';
import { keys } from './redis.js';
import { RedisBudgetStore, RedisThrottleStore } from './redis-throttle-store.js';
import { budgetStoreContract, throttleStoreContract } from './throttle-store.contract.js';
import { MemoryBudgetStore, MemoryThrottleStore } from './throttle-store.js';

throttleStoreContract('memory', (o) => Promise.resolve(new MemoryThrottleStore(o)));
budgetStoreContract('memory', (o) => Promise.resolve(new MemoryBudgetStore(o)));

describe('Redis throttle and budget stores', () => {
  const redis = useRedisPair();
  let kinds = 0;

  throttleStoreContract('redis', (o) => Promise.resolve(new RedisThrottleStore(redis.a, `test-${++kinds}`, o)));
  budgetStoreContract('redis', (o) => Promise.resolve(new RedisBudgetStore(redis.a, `test-${++kinds}`, o)));

  const roomPassword = { freeAttempts: 5, baseDelayMs: 2000, maxDelayMs: 10 * 60_000, forgetAfterMs: 30 * 60_000 };

  it('is shared between nodes: 5 wrong passwords through node A, the 6th through node B waits 2 s, then 4 s', async () => {
    let now = 5_000_000;
    const nodeA = new RedisThrottleStore(redis.a, 'room-password', { ...roomPassword, now: () => now });
    const nodeB = new RedisThrottleStore(redis.b, 'room-password', { ...roomPassword, now: () => now });
    for (let i = 0; i < 5; i++) {
      expect(await nodeA.reserve('1.2.3.4|room-r')).toEqual({ ok: true });
      await nodeA.failed('1.2.3.4|room-r');
    }
    expect(await nodeB.reserve('1.2.3.4|room-r')).toEqual({ ok: false, retryAfterMs: 2000 });
    expect(await nodeB.reserve('5.6.7.8|room-r')).toEqual({ ok: true }); // another key
    now += 2000;
    expect(await nodeB.reserve('1.2.3.4|room-r')).toEqual({ ok: true });
    await nodeB.failed('1.2.3.4|room-r');
    expect(await nodeA.waitMs('1.2.3.4|room-r')).toBe(4000);
  });

  it('20 simultaneous guesses spread over two nodes: only the free ones are checked', async () => {
    const nodeA = new RedisThrottleStore(redis.a, 'room-password', roomPassword);
    const nodeB = new RedisThrottleStore(redis.b, 'room-password', roomPassword);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? nodeA : nodeB).reserve('k')));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
  });

  it('a key expires in Redis when it would be forgotten (its forget window, or its wait if longer)', async () => {
    const t = new RedisThrottleStore(redis.a, 'login-address', {
      freeAttempts: 1,
      baseDelayMs: 1000,
      maxDelayMs: 100_000,
      forgetAfterMs: 60_000,
    });
    await t.fail('x');
    const ttl = await redis.a.pTTL(keys.throttle('login-address', 'x'));
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
    for (let i = 0; i < 8; i++) await t.fail('x'); // wait 2^8 s, capped at 100 s: longer than the window
    expect(await redis.a.pTTL(keys.throttle('login-address', 'x'))).toBeGreaterThan(99_000);
    await t.succeed('x'); // nothing in flight: the key is dropped
    expect(await redis.a.exists(keys.throttle('login-address', 'x'))).toBe(0);
  });

  it('shares an account budget between nodes', async () => {
    const nodeA = new RedisBudgetStore(redis.a, 'account', { limit: 3, windowMs: 3600_000 });
    const nodeB = new RedisBudgetStore(redis.b, 'account', { limit: 3, windowMs: 3600_000 });
    await nodeA.reserve('ada');
    await nodeB.reserve('ada');
    await nodeA.reserve('ada');
    const refused = await nodeB.reserve('ada');
    expect(refused.ok).toBe(false);
    await nodeA.refund('ada');
    expect(await nodeB.remaining('ada')).toBe(1);
    expect(await redis.a.pTTL(keys.budget('account', 'ada'))).toBeGreaterThan(3590_000);
  });

  it('refuses a kind that would make odd keys', () => {
    expect(() => new RedisThrottleStore(redis.a, 'Bad Kind', roomPassword)).toThrow(/kind/);
  });
});
