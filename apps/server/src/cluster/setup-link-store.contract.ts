/**
 * What every SetupLinkStore must do, run against MemorySetupLinkStore and
 * RedisSetupLinkStore by setup-link-store.test.ts. `make` gives a fresh,
 * empty store; `second` another handle on the same one (another node's).
 */
import { describe, expect, it } from 'vitest';
import type { SetupLinkStore } from './setup-link-store.js';

const HOUR = 3600_000;

export function setupLinkStoreContract(name: string, make: () => Promise<{ store: SetupLinkStore; second: SetupLinkStore }>): void {
  describe(`SetupLinkStore contract: ${name}`, () => {
    it('offers one link; a second offer while it is live is refused; it is claimed once', async () => {
      const { store, second } = await make();
      expect(await store.live()).toBe(false);
      expect(await store.offer('hash-1', HOUR)).toBe(true);
      expect(await second.offer('hash-2', HOUR)).toBe(false);
      expect(await second.live()).toBe(true);
      expect(await second.claim('hash-2')).toBe('invalid');
      const both = await Promise.all([store.claim('hash-1'), second.claim('hash-1')]);
      const won = both.filter((c) => typeof c === 'object');
      expect(won).toHaveLength(1);
      expect((won[0] as { leftMs: number }).leftMs).toBeGreaterThan(HOUR - 60_000);
      expect(both.filter((c) => c === 'invalid')).toHaveLength(1);
      expect(await store.live()).toBe(false);
    });

    it('takes a claimed link back for the time it had left; then it can be claimed again', async () => {
      const { store, second } = await make();
      await store.offer('hash-1', HOUR);
      const claimed = await store.claim('hash-1');
      if (typeof claimed !== 'object') throw new Error(`not claimed: ${claimed}`);
      expect(await second.live()).toBe(false);
      await second.giveBack('hash-1', claimed.leftMs);
      expect(await store.live()).toBe(true);
      expect(typeof (await second.claim('hash-1'))).toBe('object');
    });

    it('refuses a token that was never offered, and a claim of nothing', async () => {
      const { store } = await make();
      expect(await store.claim('hash-1')).toBe('invalid');
      await store.offer('hash-1', HOUR);
      expect(await store.claim('')).toBe('invalid');
      expect(await store.claim('hash-x')).toBe('invalid');
    });
  });
}
