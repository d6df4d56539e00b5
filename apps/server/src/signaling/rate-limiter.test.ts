import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limiter.js';

describe('TokenBucket', () => {
  it('allows a burst, then refuses until tokens refill at the given rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 100; // one token at 10/s
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000; // refills only up to the burst
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});

describe('TokenBucket as a byte budget', () => {
  it('takes the whole cost or nothing, so a large frame cannot overdraw it', () => {
    let now = 0;
    const bytes = new TokenBucket(1000, 4000, () => now);
    expect(bytes.take(3000)).toBe(true);
    expect(bytes.take(1500)).toBe(false); // 1000 left: refused, and nothing taken
    expect(bytes.take(1000)).toBe(true);
    expect(bytes.take(1)).toBe(false);
    now += 500; // 500 bytes back at 1000/s
    expect(bytes.take(600)).toBe(false);
    expect(bytes.take(500)).toBe(true);
  });
});
