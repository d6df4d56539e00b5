/**
 * What every PassStore must do (rooms/rejoin-passes.test.ts's rules), run
 * against MemoryPassStore and RedisPassStore by pass-store.test.ts. `make`
 * gets the clock the store must use.
 */
import { describe, expect, it } from 'vitest';
import { REJOIN_GRACE_MS, type PassStore } from './pass-store.js';

export function passStoreContract(name: string, make: (now: () => number) => Promise<PassStore>): void {
  describe(`PassStore contract: ${name}`, () => {
    it('lets a dropped peer back once, into the same room only', async () => {
      const passes = await make(Date.now);
      const pass = await passes.issue('p1', 'room-a');
      await passes.release('p1');
      expect(await passes.redeem(pass, 'room-b')).toBeNull();
      expect(await passes.redeem(pass, 'room-a')).toBe('p1');
      expect(await passes.redeem(pass, 'room-a')).toBeNull();
    });

    it('is good again, for a grace period, when the join that used it failed', async () => {
      let now = 1000;
      const passes = await make(() => now);
      const pass = await passes.issue('p1', 'r');
      expect(await passes.redeem(pass, 'r')).toBe('p1');
      expect(await passes.holderOf(pass, 'r')).toBeNull();
      await passes.giveBack(pass, 'r', 'p1');
      expect(await passes.holderOf(pass, 'r')).toBe('p1');
      expect(await passes.holderOf(pass, 'other')).toBeNull();
      now += REJOIN_GRACE_MS + 1;
      expect(await passes.redeem(pass, 'r')).toBeNull();
      // Not when the peer has a newer pass (its join went through after all).
      const other = await passes.issue('p2', 'r');
      expect(await passes.redeem(other, 'r')).toBe('p2');
      await passes.issue('p2', 'r');
      await passes.giveBack(other, 'r', 'p2');
      expect(await passes.holderOf(other, 'r')).toBeNull();
    });

    it('works while the holder is still in (the server has not noticed the drop yet)', async () => {
      const passes = await make(Date.now);
      expect(await passes.redeem(await passes.issue('p1', 'r'), 'r')).toBe('p1');
    });

    it('expires a grace period after the drop', async () => {
      let now = 1000;
      const passes = await make(() => now);
      const pass = await passes.issue('p1', 'r');
      now += 10 * REJOIN_GRACE_MS; // in the meeting for a long time: still good
      expect(await passes.holderOf(pass, 'r')).toBe('p1');
      await passes.release('p1');
      now += REJOIN_GRACE_MS - 1;
      const second = await passes.issue('p2', 'r');
      await passes.release('p2');
      await passes.release('p2'); // a second release does not push the deadline back
      expect(await passes.redeem(pass, 'r')).toBe('p1');
      now += REJOIN_GRACE_MS + 1;
      expect(await passes.holderOf(second, 'r')).toBeNull();
      expect(await passes.redeem(second, 'r')).toBeNull();
    });

    it('is void after leaving on purpose, being removed, a new join, or the meeting ending', async () => {
      const passes = await make(Date.now);
      const left = await passes.issue('left', 'r');
      await passes.revoke('left');
      await passes.release('left'); // the socket closes after the leave: nothing comes back
      expect(await passes.redeem(left, 'r')).toBeNull();

      const old = await passes.issue('p', 'r');
      const fresh = await passes.issue('p', 'r');
      expect(await passes.redeem(old, 'r')).toBeNull();
      expect(await passes.redeem(fresh, 'r')).toBe('p');

      const a = await passes.issue('a', 'ended');
      const a2 = await passes.issue('a2', 'ended');
      await passes.release('a2');
      const b = await passes.issue('b', 'other');
      await passes.revokeRoom('ended');
      expect(await passes.redeem(a, 'ended')).toBeNull();
      expect(await passes.holderOf(a2, 'ended')).toBeNull();
      expect(await passes.redeem(b, 'other')).toBe('b');
      // The peers of the ended room can get new passes, and lose them again.
      const again = await passes.issue('a', 'next');
      await passes.revoke('a');
      expect(await passes.holderOf(again, 'next')).toBeNull();
    });

    it('moving to another room voids the pass for the first', async () => {
      const passes = await make(Date.now);
      const first = await passes.issue('p', 'room-1');
      const second = await passes.issue('p', 'room-2');
      expect(await passes.holderOf(first, 'room-1')).toBeNull();
      await passes.revokeRoom('room-1'); // does not touch the peer's newer pass
      expect(await passes.redeem(second, 'room-2')).toBe('p');
    });

    it('can be checked (whose it is) without being used up', async () => {
      const passes = await make(Date.now);
      const pass = await passes.issue('p1', 'r');
      await passes.release('p1');
      expect(await passes.holderOf(pass, 'r')).toBe('p1');
      expect(await passes.holderOf(pass, 'other')).toBeNull();
      expect(await passes.holderOf(pass, 'r')).toBe('p1');
      expect(await passes.redeem(pass, 'r')).toBe('p1');
      expect(await passes.holderOf(pass, 'r')).toBeNull();
    });

    it('refuses made-up passes', async () => {
      const passes = await make(Date.now);
      expect(await passes.redeem('not-a-pass', 'r')).toBeNull();
      expect(await passes.holderOf('not-a-pass', 'r')).toBeNull();
      expect(await passes.redeem('', 'r')).toBeNull();
      await passes.release('nobody');
      await passes.revoke('nobody');
      await passes.revokeRoom('no-room');
    });
  });
}
