import { describe, expect, it } from 'vitest';
import { bestGridLayout } from './grid-layout.js';

describe('bestGridLayout', () => {
  it('puts two people side by side on a wide screen and stacked on a phone', () => {
    expect(bestGridLayout(2, 1600, 800).cols).toBe(2);
    expect(bestGridLayout(2, 390, 700).cols).toBe(1);
  });

  it('uses a 2x2 grid for four on a laptop', () => {
    const l = bestGridLayout(4, 1280, 720);
    expect([l.cols, l.rows]).toEqual([2, 2]);
  });

  it('never overflows the space', () => {
    for (let n = 1; n <= 16; n++) {
      const l = bestGridLayout(n, 1000, 600, 10);
      expect(l.cols * l.tileWidth + (l.cols - 1) * 10).toBeLessThanOrEqual(1000 + 1e-6);
      expect(l.rows * l.tileHeight + (l.rows - 1) * 10).toBeLessThanOrEqual(600 + 1e-6);
      expect(l.cols * l.rows).toBeGreaterThanOrEqual(n);
    }
  });
});
