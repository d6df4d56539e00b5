/** Percentiles, histogram and least squares (run: tsx --test bench/lib/*.test.ts). */
/* eslint-disable @typescript-eslint/no-floating-promises -- node:test's describe/it return promises its runner awaits */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, leastSquares, percentile } from './stats.js';

describe('stats', () => {
  it('percentile by nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('histogram quantiles within a bin', () => {
    const h = new Histogram(0.5, 100);
    for (let i = 0; i < 99; i++) h.add(1.2);
    h.add(1000);
    assert.equal(h.quantile(0.5), 1.5);
    assert.equal(h.quantile(1), 1000);
    assert.equal(h.max, 1000);
  });

  it('least squares recovers exact coefficients and refuses a singular system', () => {
    const rows = [
      [10, 100],
      [20, 800],
      [5, 50],
    ];
    const ys = rows.map(([a, b]) => 0.3 * a! + 0.02 * b!);
    const c = leastSquares(rows, ys)!;
    assert.ok(Math.abs(c[0]! - 0.3) < 1e-9 && Math.abs(c[1]! - 0.02) < 1e-9);
    assert.equal(
      leastSquares(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
      null,
    );
  });
});
