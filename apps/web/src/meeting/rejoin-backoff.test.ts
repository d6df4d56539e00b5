import { describe, expect, it } from 'vitest';
import { REJOIN_DELAYS_MS, REJOIN_GIVE_UP_MS, RejoinBackoff } from './rejoin-backoff.js';

const mid = () => 0.5; // no jitter: the base delay

describe('RejoinBackoff', () => {
  it('waits a little at first, then longer, capped at the last delay', () => {
    const b = new RejoinBackoff(0, mid);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const step = b.next(now)!;
      expect(step.attempt).toBe(i + 1);
      delays.push(step.delayMs);
      now += step.delayMs;
    }
    expect(delays).toEqual([250, 500, 1000, 1000, 1000, 1000, 1500, 2000, 3000, 4000, 5000, 5000]);
    // Within the first six seconds, no wait is over a second: a restarted server is found quickly.
    expect(delays.slice(0, 6).every((d) => d <= 1000)).toBe(true);
  });

  it('never waits more than 5 s plus jitter, so a server that is back is found quickly', () => {
    const b = new RejoinBackoff(0, () => 0.999999);
    let now = 0;
    for (let step = b.next(now); step; step = b.next(now)) {
      expect(step.delayMs).toBeLessThanOrEqual(6000);
      now += step.delayMs + 40; // each failed attempt takes a moment too
    }
  });

  it('spreads the waits by ±20% with the random source', () => {
    expect(new RejoinBackoff(0, () => 0).next(0)!.delayMs).toBe(200);
    expect(new RejoinBackoff(0, () => 0.999999).next(0)!.delayMs).toBe(300);
  });

  it('gives up once the next attempt would start more than two minutes after the loss', () => {
    const b = new RejoinBackoff(1_000, mid);
    let now = 1_000;
    let attempts = 0;
    for (let step = b.next(now); step; step = b.next(now)) {
      attempts += 1;
      now += step.delayMs;
      expect(now - 1_000).toBeLessThanOrEqual(REJOIN_GIVE_UP_MS);
    }
    // 15.25 s for the first ten, then 5 s each until 120 s: 20 more.
    expect(REJOIN_DELAYS_MS.slice(0, 10).reduce((a, b) => a + b, 0)).toBe(15_250);
    expect(attempts).toBe(10 + Math.floor((REJOIN_GIVE_UP_MS - 15_250) / 5000));
    expect(b.next(now)).toBeNull();
  });

  it('counts time spent inside failed attempts towards the limit', () => {
    const b = new RejoinBackoff(0, mid);
    expect(b.next(0)).not.toBeNull();
    expect(b.next(REJOIN_GIVE_UP_MS - 100)).toBeNull(); // a slow attempt used up the time
  });

  it('rejects nonsense', () => {
    expect(() => new RejoinBackoff(Number.NaN)).toThrow(/startedAt/);
    expect(() => new RejoinBackoff(0, mid, 0)).toThrow(/giveUpMs/);
    expect(() => new RejoinBackoff(0, () => 1).next(0)).toThrow(/random/);
  });
});
