import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_VALUE } from './header.js';
import { ReplayWindow } from './replay-window.js';

describe('ReplayWindow', () => {
  it('accepts new counters, refuses duplicates and too-old ones', () => {
    const w = new ReplayWindow(128);
    expect(w.highest).toBeUndefined();
    expect(w.commit(5n)).toBe('fresh');
    expect(w.commit(5n)).toBe('duplicate');
    expect(w.commit(3n)).toBe('fresh'); // late but inside the window
    expect(w.commit(3n)).toBe('duplicate');
    expect(w.commit(200n)).toBe('fresh');
    expect(w.check(72n)).toBe('too-old'); // 200 - 72 = 128
    expect(w.check(73n)).toBe('fresh');
    expect(w.check(200n)).toBe('duplicate');
    expect(w.highest).toBe(200n);
  });

  it('check records nothing', () => {
    const w = new ReplayWindow(8);
    expect(w.check(1n)).toBe('fresh');
    expect(w.check(1n)).toBe('fresh');
    expect(w.highest).toBeUndefined();
  });

  it('works at the top of the 64-bit range', () => {
    const w = new ReplayWindow(64);
    expect(w.commit(MAX_HEADER_VALUE - 1n)).toBe('fresh');
    expect(w.commit(MAX_HEADER_VALUE)).toBe('fresh');
    expect(w.commit(MAX_HEADER_VALUE - 1n)).toBe('duplicate');
    expect(w.commit(MAX_HEADER_VALUE - 10n)).toBe('fresh');
    expect(w.commit(0n)).toBe('too-old');
  });

  it('forgets counters that slid out and reuses their slots correctly', () => {
    const w = new ReplayWindow(4);
    for (let i = 0n; i < 4n; i++) expect(w.commit(i)).toBe('fresh');
    expect(w.commit(5n)).toBe('fresh'); // slots of 4 and 5 cleared, 4 unseen
    expect(w.commit(4n)).toBe('fresh');
    expect(w.commit(1n)).toBe('too-old');
    expect(w.commit(2n)).toBe('duplicate');
    w.reset();
    expect(w.commit(2n)).toBe('fresh');
  });

  it('refuses bad sizes', () => {
    expect(() => new ReplayWindow(0)).toThrow(RangeError);
    expect(() => new ReplayWindow(1.5)).toThrow(RangeError);
  });

  it('agrees with a simple model (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: MAX_HEADER_VALUE - 300n, max: MAX_HEADER_VALUE })), {
          maxLength: 300,
        }),
        (size, ctrs) => {
          const w = new ReplayWindow(size);
          const seen = new Set<bigint>();
          let top = -1n;
          for (const c of ctrs) {
            const expected = seen.has(c) ? 'duplicate' : top >= 0n && top - c >= BigInt(size) ? 'too-old' : 'fresh';
            const got = w.commit(c);
            // A counter that is both seen and too old may be reported either way.
            if (expected === 'duplicate' && got === 'too-old') expect(top - c >= BigInt(size)).toBe(true);
            else expect(got).toBe(expected);
            if (got === 'fresh') {
              seen.add(c);
              if (c > top) top = c;
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
