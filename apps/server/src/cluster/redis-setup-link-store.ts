/**
 * The setup link in Redis, for every node: `cv:setup` holds the token's
 * SHA-256, `SET NX PX` an hour, so the first node to start with no users
 * offers it and the others find it taken; a claim is one script (compare,
 * delete, return what was left), so only one node uses it. An expired link
 * is simply gone, so it reads as invalid. Redis restarted without its data
 * forgets the link: restart a node for a new one.
 */
import { keys, SETUP_LINK_CLAIM, type RedisClient } from './redis.js';
import type { SetupLinkStore } from './setup-link-store.js';

export class RedisSetupLinkStore implements SetupLinkStore {
  constructor(private readonly redis: RedisClient) {}

  async offer(tokenHash: string, ttlMs: number): Promise<boolean> {
    const set = await this.redis.set(keys.setupLink, tokenHash, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    return set === 'OK' || (await this.redis.get(keys.setupLink)) === tokenHash;
  }

  async claim(tokenHash: string): Promise<{ leftMs: number } | 'expired' | 'invalid'> {
    const left = Number(await SETUP_LINK_CLAIM.run(this.redis, [keys.setupLink], [tokenHash]));
    return left > 0 ? { leftMs: left } : 'invalid';
  }

  async giveBack(tokenHash: string, leftMs: number): Promise<void> {
    if (leftMs > 0)
      await this.redis.set(keys.setupLink, tokenHash, { condition: 'NX', expiration: { type: 'PX', value: Math.ceil(leftMs) } });
  }

  async live(): Promise<boolean> {
    return (await this.redis.exists(keys.setupLink)) === 1;
  }
}
