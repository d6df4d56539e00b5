import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogRateLimiter } from './log-rate-limiter.js';

describe('LogRateLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets the first N events of an interval through, then summarizes the rest once the interval ends', () => {
    const summaries: number[] = [];
    const limiter = new LogRateLimiter({ burst: 3, intervalMs: 1000, summary: (n) => summaries.push(n) });
    const allowed = Array.from({ length: 10 }, () => limiter.allow());
    expect(allowed).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(summaries).toEqual([]);
    // The summary comes when the interval ends, without waiting for another event.
    vi.advanceTimersByTime(1000);
    expect(summaries).toEqual([7]);
    // A new interval starts fresh.
    expect(limiter.allow()).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(summaries).toEqual([7]);
  });

  it('writes no summary when nothing was dropped, and one on flush', () => {
    const summaries: number[] = [];
    const limiter = new LogRateLimiter({ burst: 2, intervalMs: 60_000, summary: (n) => summaries.push(n) });
    limiter.allow();
    limiter.allow();
    vi.advanceTimersByTime(120_000);
    expect(summaries).toEqual([]);
    limiter.allow();
    limiter.allow();
    limiter.allow();
    limiter.flush();
    expect(summaries).toEqual([1]);
  });

  it('bounds the lines written under a flood to burst + 1 per interval', () => {
    let lines = 0;
    const limiter = new LogRateLimiter({ burst: 10, intervalMs: 60_000, summary: () => (lines += 1) });
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 10_000; i++) if (limiter.allow()) lines += 1;
      vi.advanceTimersByTime(60_000);
    }
    expect(lines).toBe(5 * 11);
  });
});
