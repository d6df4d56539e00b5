import { describe, expect, it } from 'vitest';
import {
  mainTileKey,
  recordingLayout,
  RECORDING_HEIGHT as H,
  RECORDING_WIDTH as W,
  type LayoutTile,
  type TileRect,
} from './recording-layout.js';

const cam = (key: string, self = false): LayoutTile => ({ key, source: 'camera', self });
const screen = (key: string, self = false): LayoutTile => ({ key, source: 'screen', self });
const area = (r: TileRect) => r.width * r.height;

function expectInsideAndApart(rects: TileRect[]) {
  for (const r of rects) {
    expect(r.x, r.key).toBeGreaterThanOrEqual(0);
    expect(r.y, r.key).toBeGreaterThanOrEqual(0);
    expect(r.x + r.width, r.key).toBeLessThanOrEqual(W);
    expect(r.y + r.height, r.key).toBeLessThanOrEqual(H);
    expect(r.width, r.key).toBeGreaterThan(0);
    expect(r.height, r.key).toBeGreaterThan(0);
    for (const o of rects) {
      if (o === r) continue;
      const apart = r.x + r.width <= o.x || o.x + o.width <= r.x || r.y + r.height <= o.y || o.y + o.height <= r.y;
      expect(apart, `${r.key} overlaps ${o.key}`).toBe(true);
    }
  }
}

describe('recordingLayout', () => {
  it('gives nobody nothing, and one person the whole frame at 16:9, centred', () => {
    expect(recordingLayout([], W, H)).toEqual([]);
    const [only] = recordingLayout([cam('self', true)], W, H);
    expect(only!.height).toBe(H - 32);
    expect(only!.width).toBe(Math.floor((H - 32) * (16 / 9)));
    expect(Math.abs(only!.x + only!.width / 2 - W / 2)).toBeLessThanOrEqual(1);
    expect(only!.main).toBe(false);
  });

  it('puts four people in a 2×2 grid and five in rows of three and two, rows centred', () => {
    const four = recordingLayout(
      ['a', 'b', 'c', 'd'].map((k) => cam(k)),
      W,
      H,
    );
    expect(new Set(four.map((r) => r.y)).size).toBe(2);
    expect(new Set(four.map((r) => r.x)).size).toBe(2);
    expectInsideAndApart(four);

    const five = recordingLayout(
      ['a', 'b', 'c', 'd', 'e'].map((k) => cam(k)),
      W,
      H,
    );
    expectInsideAndApart(five);
    const rows = [...new Set(five.map((r) => r.y))];
    expect(rows).toHaveLength(2);
    const second = five.filter((r) => r.y === rows[1]);
    expect(second).toHaveLength(2);
    const mid = (second[0]!.x + second[1]!.x + second[1]!.width) / 2;
    expect(mid).toBeCloseTo(W / 2, -1);
    // Keeps the call's order.
    expect(five.map((r) => r.key)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('shows a screen share large with everyone else in a strip below it', () => {
    const tiles = [cam('self', true), cam('p1'), screen('p1:screen'), cam('p2')];
    const rects = recordingLayout(tiles, W, H);
    expectInsideAndApart(rects);
    const main = rects.find((r) => r.main)!;
    expect(main.key).toBe('p1:screen');
    for (const r of rects.filter((x) => !x.main)) {
      expect(area(main)).toBeGreaterThan(area(r) * 8);
      expect(r.y).toBeGreaterThan(main.y + main.height);
    }
  });

  it("prefers someone else's screen to our own, and shows our own large when it is the only one", () => {
    expect(mainTileKey([cam('self', true), screen('self:screen', true), cam('p1'), screen('p1:screen')])).toBe('p1:screen');
    expect(mainTileKey([cam('self', true), screen('self:screen', true), cam('p1')])).toBe('self:screen');
    expect(mainTileKey([cam('self', true), cam('p1')])).toBeNull();
    const alone = recordingLayout([screen('self:screen', true)], W, H);
    expect(alone).toEqual([{ key: 'self:screen', x: 16, y: 16, width: W - 32, height: H - 32, main: true }]);
  });

  it('shrinks the strip to fit many people', () => {
    const tiles = [screen('s'), ...Array.from({ length: 20 }, (_, i) => cam(`p${i}`))];
    const rects = recordingLayout(tiles, W, H);
    expectInsideAndApart(rects);
    const strip = rects.filter((r) => !r.main);
    expect(strip).toHaveLength(20);
    expect(new Set(strip.map((r) => r.y)).size).toBe(1);
  });

  it('keeps a large grid inside the frame', () => {
    const rects = recordingLayout(
      Array.from({ length: 25 }, (_, i) => cam(`p${i}`)),
      W,
      H,
    );
    expect(rects).toHaveLength(25);
    expectInsideAndApart(rects);
  });
});
