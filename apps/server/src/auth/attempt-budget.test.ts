import { describe, expect, it } from 'vitest';
import { AttemptBudget } from './attempt-budget.js';

describe('AttemptBudget', () => {
  const make = (limit = 3, windowMs = 60_000, maxKeys?: number) => {
    let now = 1_000_000;
    const b = new AttemptBudget({ limit, windowMs, now: () => now, ...(maxKeys ? { maxKeys } : {}) });
    return { b, advance: (ms: number) => (now += ms) };
  };

  it('allows `limit` attempts in any window, then says when the oldest leaves it', () => {
    const { b, advance } = make();
    expect(b.reserve('acct').ok).toBe(true);
    advance(10_000);
    expect(b.reserve('acct').ok).toBe(true);
    expect(b.reserve('acct').ok).toBe(true);
    expect(b.remaining('acct')).toBe(0);
    expect(b.reserve('acct')).toEqual({ ok: false, retryAfterMs: 50_000 });
    advance(50_000);
    expect(b.reserve('acct').ok).toBe(true); // the first one aged out
    expect(b.reserve('acct').ok).toBe(false);
    expect(b.reserve('other').ok).toBe(true);
  });

  it('a refund gives the latest attempt back', () => {
    const { b } = make();
    for (let i = 0; i < 3; i++) b.reserve('k');
    b.refund('k');
    expect(b.remaining('k')).toBe(1);
    expect(b.reserve('k').ok).toBe(true);
    b.refund('nobody');
  });

  it('never allows more than the limit in an hour, however the attempts are spread', () => {
    const { b, advance } = make(100, 3600_000);
    const times: number[] = [];
    let t = 0;
    for (let step = 0; step < 3 * 3600; step++) {
      if (b.reserve('acct').ok) times.push(t);
      advance(1000);
      t += 1000;
    }
    for (let i = 0; i + 100 < times.length; i++) expect(times[i + 100]! - times[i]!).toBeGreaterThanOrEqual(3600_000);
    expect(times.length).toBeGreaterThanOrEqual(300);
  });

  it('stays bounded', () => {
    const { b } = make(3, 60_000, 5);
    for (let i = 0; i < 50; i++) b.reserve(`k${i}`);
    expect(b.remaining('k0')).toBe(3);
    expect(b.remaining('k49')).toBe(2);
  });
});
