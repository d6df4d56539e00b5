import { describe, expect, it } from 'vitest';
import { useRedisPair } from '../test-support/redis-pair.js';
import { keys } from './redis.js';
import { RedisSetupLinkStore } from './redis-setup-link-store.js';
import { setupLinkStoreContract } from './setup-link-store.contract.js';
import { MemorySetupLinkStore } from './setup-link-store.js';

setupLinkStoreContract('memory', () => {
  const store = new MemorySetupLinkStore();
  return Promise.resolve({ store, second: store });
});

describe('MemorySetupLinkStore', () => {
  it('tells an expired link from a wrong one, and lets a new one be offered after', async () => {
    let now = 0;
    const store = new MemorySetupLinkStore(() => now);
    await store.offer('hash-1', 1000);
    now += 1000;
    expect(await store.live()).toBe(false);
    expect(await store.claim('hash-1')).toBe('expired');
    expect(await store.claim('hash-2')).toBe('invalid');
    expect(await store.offer('hash-2', 1000)).toBe(true);
  });
});

describe('RedisSetupLinkStore', () => {
  const redis = useRedisPair();

  setupLinkStoreContract('redis', () =>
    Promise.resolve({ store: new RedisSetupLinkStore(redis.a), second: new RedisSetupLinkStore(redis.b) }),
  );

  it('keeps only the hash, for an hour at most', async () => {
    await new RedisSetupLinkStore(redis.a).offer('hash-1', 3600_000);
    expect(await redis.a.get(keys.setupLink)).toBe('hash-1');
    const ttl = await redis.a.pTTL(keys.setupLink);
    expect(ttl).toBeGreaterThan(3590_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });
});
