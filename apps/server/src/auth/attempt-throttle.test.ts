import { describe, expect, it } from 'vitest';
import { AttemptThrottle } from './attempt-throttle.js';

describe('AttemptThrottle', () => {
  const make = () => {
    let now = 0;
    const t = new AttemptThrottle({ freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000, now: () => now });
    return { t, advance: (ms: number) => (now += ms) };
  };

  it('lets a few failures through, then backs off exponentially up to a cap', () => {
    const { t, advance } = make();
    for (let i = 0; i < 3; i++) {
      expect(t.waitMs('ip')).toBe(0);
      t.fail('ip');
    }
    expect(t.waitMs('ip')).toBe(1000);
    advance(1000);
    expect(t.waitMs('ip')).toBe(0);
    t.fail('ip');
    expect(t.waitMs('ip')).toBe(2000);
    for (let i = 0; i < 5; i++) t.fail('ip');
    expect(t.waitMs('ip')).toBe(8000);
  });

  it('reserves attempts before they are checked: 20 at once, only the free ones go ahead', () => {
    const { t } = make();
    const results = Array.from({ length: 20 }, () => t.reserve('acct'));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const refused = results.find((r) => !r.ok);
    expect(refused).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('a refunded reservation no longer counts; a success clears the key; a failure keeps its count', () => {
    const { t } = make();
    for (let i = 0; i < 3; i++) expect(t.reserve('k').ok).toBe(true);
    expect(t.reserve('k').ok).toBe(false);
    t.refund('k'); // the third was never checked
    expect(t.reserve('k').ok).toBe(true);
    for (let i = 0; i < 2; i++) t.failed('k');
    t.succeed('k'); // the last one: the right password
    expect(t.waitMs('k')).toBe(0);
    for (let i = 0; i < 3; i++) {
      t.reserve('k');
      t.failed('k');
    }
    expect(t.waitMs('k')).toBe(1000); // three failures stand
    t.refund('other'); // unknown keys are ignored
  });

  it('a success leaves attempts still being checked counted', () => {
    const { t } = make();
    for (let i = 0; i < 3; i++) t.reserve('k');
    t.succeed('k');
    expect(t.waitMs('k')).toBe(0);
    t.reserve('k');
    t.failed('k');
    t.failed('k');
    t.failed('k');
    expect(t.waitMs('k')).toBe(1000); // the two checked meanwhile and the new one
  });

  it('the wait runs from when the last check ended, and nobody goes while one is still checked', () => {
    const { t, advance } = make();
    for (let i = 0; i < 3; i++) t.reserve('k');
    advance(5000); // the checks are slow
    expect(t.waitMs('k')).toBe(1000);
    t.failed('k');
    t.failed('k');
    advance(5000);
    expect(t.waitMs('k')).toBe(1000); // one is still being checked
    t.failed('k');
    expect(t.waitMs('k')).toBe(1000);
    advance(1000);
    expect(t.reserve('k').ok).toBe(true);
    t.failed('unknown');
  });

  it('keys are independent, a success clears its key, and quiet keys are forgotten', () => {
    const { t, advance } = make();
    for (let i = 0; i < 5; i++) t.fail('a');
    expect(t.waitMs('a')).toBeGreaterThan(0);
    expect(t.waitMs('b')).toBe(0);
    t.succeed('a');
    expect(t.waitMs('a')).toBe(0);
    for (let i = 0; i < 5; i++) t.fail('c');
    advance(61_000);
    t.fail('c');
    expect(t.waitMs('c')).toBe(0); // counting starts again
  });

  it('stays bounded', () => {
    const now = 0;
    const t = new AttemptThrottle({
      freeAttempts: 0,
      baseDelayMs: 1000,
      maxDelayMs: 1000,
      forgetAfterMs: 60_000,
      maxKeys: 10,
      now: () => now,
    });
    for (let i = 0; i < 100; i++) t.fail(`k${i}`);
    expect(t.waitMs('k0')).toBe(0);
    expect(t.waitMs('k99')).toBe(1000);
  });
});
