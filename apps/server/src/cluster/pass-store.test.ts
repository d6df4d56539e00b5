import { describe, expect, it } from 'vitest';
import { RejoinPasses } from '../rooms/rejoin-passes.js';
import { hashPass } from '../store/rejoin-pass-store.js';
import { useRedisPair } from '../test-support/redis-pair.js';
import { passStoreContract } from './pass-store.contract.js';
import { MemoryPassStore, REJOIN_GRACE_MS } from './pass-store.js';
import { keys } from './redis.js';
import { RedisPassStore } from './redis-pass-store.js';

passStoreContract('memory', (now) => Promise.resolve(new MemoryPassStore(new RejoinPasses(now))));

describe('RedisPassStore', () => {
  const redis = useRedisPair();

  passStoreContract('redis', (now) => Promise.resolve(new RedisPassStore(redis.a, { now })));

  it('two nodes redeeming the same pass at once: exactly one gets its holder', async () => {
    const nodeA = new RedisPassStore(redis.a);
    const nodeB = new RedisPassStore(redis.b);
    const passes = await Promise.all(Array.from({ length: 200 }, (_, i) => nodeA.issue(`p${i}`, 'room-r')));
    await Promise.all(passes.map((_, i) => (i % 2 ? nodeB.release(`p${i}`) : Promise.resolve())));
    const results = await Promise.all(passes.map((pass) => Promise.all([nodeA.redeem(pass, 'room-r'), nodeB.redeem(pass, 'room-r')])));
    results.forEach(([x, y], i) => {
      expect([x, y].filter((r) => r !== null)).toEqual([`p${i}`]);
    });
    expect((await redis.a.keys('cv:pass*')).length).toBe(0); // all used up, with their holders' index
  });

  it('keeps only hashes, indexes them by holder and room, and lets Redis expire released ones', async () => {
    const store = new RedisPassStore(redis.a, { heldTtlMs: 3600_000 });
    const pass = await store.issue('p1', 'room-r');
    const h = hashPass(pass);
    expect(await redis.a.hGetAll(keys.pass(h))).toEqual({ p: 'p1', r: 'room-r', e: '' });
    expect(await redis.a.get(keys.peerPass('p1'))).toBe(h);
    expect(await redis.a.sMembers(keys.roomPasses('room-r'))).toEqual([h]);
    expect(await redis.a.pTTL(keys.pass(h))).toBeGreaterThan(3590_000);
    expect((await redis.a.keys('*')).join(' ')).not.toContain(pass);
    await store.release('p1');
    const ttl = await redis.a.pTTL(keys.pass(h));
    expect(ttl).toBeLessThanOrEqual(REJOIN_GRACE_MS);
    expect(ttl).toBeGreaterThan(REJOIN_GRACE_MS - 5000);
    expect(await redis.a.pTTL(keys.peerPass('p1'))).toBeLessThanOrEqual(REJOIN_GRACE_MS);
    await store.revokeRoom('room-r');
    expect(await redis.a.keys('*')).toEqual([]);
  });

  it('refuses a room id that would break the room key’s hash tag', async () => {
    await expect(new RedisPassStore(redis.a).issue('p', 'bad}room')).rejects.toThrow(/room id/);
  });
});
