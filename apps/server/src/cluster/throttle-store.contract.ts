/**
 * What every ThrottleStore and BudgetStore must do (the rules of
 * auth/attempt-throttle.test.ts and auth/attempt-budget.test.ts, minus the
 * in-memory table bound), run against the Memory and Redis stores by
 * throttle-store.test.ts. The factories get the options, clock included.
 */
import { describe, expect, it } from 'vitest';
import type { BudgetOptions, BudgetStore, ThrottleOptions, ThrottleStore } from './throttle-store.js';

export function throttleStoreContract(name: string, make: (o: ThrottleOptions) => Promise<ThrottleStore>): void {
  describe(`ThrottleStore contract: ${name}`, () => {
    const setup = async () => {
      let now = 1_000_000;
      const t = await make({ freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000, now: () => now });
      return { t, advance: (ms: number) => (now += ms) };
    };

    it('lets a few failures through, then backs off exponentially up to a cap', async () => {
      const { t, advance } = await setup();
      for (let i = 0; i < 3; i++) {
        expect(await t.waitMs('ip')).toBe(0);
        await t.fail('ip');
      }
      expect(await t.waitMs('ip')).toBe(1000);
      advance(400);
      expect(await t.waitMs('ip')).toBe(600);
      advance(600);
      expect(await t.waitMs('ip')).toBe(0);
      await t.fail('ip');
      expect(await t.waitMs('ip')).toBe(2000);
      for (let i = 0; i < 5; i++) await t.fail('ip');
      expect(await t.waitMs('ip')).toBe(8000);
    });

    it('reserves attempts before they are checked: 20 at once, only the free ones go ahead', async () => {
      const { t } = await setup();
      const results = await Promise.all(Array.from({ length: 20 }, () => t.reserve('acct')));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.find((r) => !r.ok)).toEqual({ ok: false, retryAfterMs: 1000 });
    });

    it('a refunded reservation no longer counts; a success clears the key; a failure keeps its count', async () => {
      const { t } = await setup();
      for (let i = 0; i < 3; i++) expect((await t.reserve('k')).ok).toBe(true);
      expect((await t.reserve('k')).ok).toBe(false);
      await t.refund('k'); // the third was never checked
      expect((await t.reserve('k')).ok).toBe(true);
      for (let i = 0; i < 2; i++) await t.failed('k');
      await t.succeed('k'); // the last one: the right password
      expect(await t.waitMs('k')).toBe(0);
      for (let i = 0; i < 3; i++) {
        await t.reserve('k');
        await t.failed('k');
      }
      expect(await t.waitMs('k')).toBe(1000); // three failures stand
      await t.refund('other'); // unknown keys are ignored
      await t.succeed('other');
      await t.failed('other');
      expect(await t.waitMs('other')).toBe(0);
    });

    it('a success leaves attempts still being checked counted', async () => {
      const { t } = await setup();
      for (let i = 0; i < 3; i++) await t.reserve('k');
      await t.succeed('k');
      expect(await t.waitMs('k')).toBe(0);
      await t.reserve('k');
      await t.failed('k');
      await t.failed('k');
      await t.failed('k');
      expect(await t.waitMs('k')).toBe(1000); // the two checked meanwhile and the new one
    });

    it('the wait runs from when the last check ended, and nobody goes while one is still checked', async () => {
      const { t, advance } = await setup();
      for (let i = 0; i < 3; i++) await t.reserve('k');
      advance(5000); // the checks are slow
      expect(await t.waitMs('k')).toBe(1000);
      await t.failed('k');
      await t.failed('k');
      advance(5000);
      expect(await t.waitMs('k')).toBe(1000); // one is still being checked
      await t.failed('k');
      expect(await t.waitMs('k')).toBe(1000);
      advance(1000);
      expect((await t.reserve('k')).ok).toBe(true);
      await t.failed('unknown');
    });

    it('keys are independent, a success clears its key, and quiet keys are forgotten', async () => {
      const { t, advance } = await setup();
      for (let i = 0; i < 5; i++) await t.fail('a');
      expect(await t.waitMs('a')).toBeGreaterThan(0);
      expect(await t.waitMs('b')).toBe(0);
      await t.succeed('a');
      expect(await t.waitMs('a')).toBe(0);
      for (let i = 0; i < 5; i++) await t.fail('c');
      advance(61_000);
      await t.fail('c');
      expect(await t.waitMs('c')).toBe(0); // counting starts again
    });
  });
}

export function budgetStoreContract(name: string, make: (o: BudgetOptions) => Promise<BudgetStore>): void {
  describe(`BudgetStore contract: ${name}`, () => {
    const setup = async (limit = 3, windowMs = 60_000) => {
      let now = 1_000_000;
      const b = await make({ limit, windowMs, now: () => now });
      return { b, advance: (ms: number) => (now += ms) };
    };

    it('allows `limit` attempts in any window, then says when the oldest leaves it', async () => {
      const { b, advance } = await setup();
      expect((await b.reserve('acct')).ok).toBe(true);
      advance(10_000);
      expect((await b.reserve('acct')).ok).toBe(true);
      expect((await b.reserve('acct')).ok).toBe(true);
      expect(await b.remaining('acct')).toBe(0);
      expect(await b.reserve('acct')).toEqual({ ok: false, retryAfterMs: 50_000 });
      advance(50_000);
      expect((await b.reserve('acct')).ok).toBe(true); // the first one aged out
      expect((await b.reserve('acct')).ok).toBe(false);
      expect((await b.reserve('other')).ok).toBe(true);
    });

    it('a refund gives the latest attempt back', async () => {
      const { b } = await setup();
      for (let i = 0; i < 3; i++) await b.reserve('k');
      await b.refund('k');
      expect(await b.remaining('k')).toBe(1);
      expect((await b.reserve('k')).ok).toBe(true);
      await b.refund('nobody');
      expect(await b.remaining('nobody')).toBe(3);
    });

    it('never allows more than the limit in a window, however the attempts are spread', async () => {
      const windowMs = 360_000;
      const { b, advance } = await setup(10, windowMs);
      const times: number[] = [];
      let t = 0;
      for (let step = 0; step < 3 * 120; step++) {
        if ((await b.reserve('acct')).ok) times.push(t);
        advance(3000);
        t += 3000;
      }
      for (let i = 0; i + 10 < times.length; i++) expect(times[i + 10]! - times[i]!).toBeGreaterThanOrEqual(windowMs);
      expect(times.length).toBeGreaterThanOrEqual(30);
    });
  });
}
