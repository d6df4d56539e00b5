import { describe, expect, it } from 'vitest';
import { chooseWorker, SPILL_MARGIN, type PlacementPolicy, type SlotState } from './placement.js';

const fill: PlacementPolicy = { spread: 'fill', softLimit: 65 };
const even: PlacementPolicy = { spread: 'even', softLimit: 65 };

function slot(index: number, o: Partial<SlotState> = {}): SlotState {
  return { index, live: true, load: 0, consumers: 0, roomPeers: 0, roomRouter: false, ...o };
}

describe('chooseWorker (fill)', () => {
  it('puts a new room on the least-loaded live worker, consumers breaking ties', () => {
    expect(chooseWorker([slot(0, { load: 30 }), slot(1, { load: 10 }), slot(2, { load: 20 })], fill)).toBe(1);
    expect(chooseWorker([slot(0, { load: 10, consumers: 50 }), slot(1, { load: 10, consumers: 5 })], fill)).toBe(1);
    expect(chooseWorker([slot(0, { load: 0, live: false }), slot(1, { load: 40 })], fill)).toBe(1);
  });

  it('keeps a room on its worker while that worker is under the soft limit, even if others are idle', () => {
    const slots = [slot(0, { load: 60, roomRouter: true, roomPeers: 40 }), slot(1, { load: 0 })];
    expect(chooseWorker(slots, fill)).toBe(0);
  });

  it('spills onto an unused worker once the room worker passes the soft limit, if that one is clearly lighter', () => {
    const slots = [slot(0, { load: 70, roomRouter: true }), slot(1, { load: 70 - SPILL_MARGIN })];
    expect(chooseWorker(slots, fill)).toBe(1);
    // Not clearly lighter: stays (no see-saw between two busy workers).
    expect(chooseWorker([slot(0, { load: 70, roomRouter: true }), slot(1, { load: 70 - SPILL_MARGIN + 1 })], fill)).toBe(0);
  });

  it('once spread over several workers, fills the least-loaded of them', () => {
    const slots = [slot(0, { load: 80, roomRouter: true }), slot(1, { load: 50, roomRouter: true }), slot(2, { load: 0 })];
    expect(chooseWorker(slots, fill)).toBe(1);
  });

  it('ignores the room router of a dead worker', () => {
    const slots = [slot(0, { load: 0, roomRouter: true, live: false }), slot(1, { load: 30 }), slot(2, { load: 20 })];
    expect(chooseWorker(slots, fill)).toBe(2);
  });

  it('answers null while no worker is live', () => {
    expect(chooseWorker([slot(0, { live: false })], fill)).toBeNull();
    expect(chooseWorker([], even)).toBeNull();
  });
});

describe('chooseWorker (even)', () => {
  it('spreads a room over all live workers, fewest of its peers first', () => {
    const place = (slots: SlotState[]) => chooseWorker(slots, even);
    expect(place([slot(0, { roomPeers: 1, roomRouter: true }), slot(1)])).toBe(1);
    expect(place([slot(0, { roomPeers: 1 }), slot(1, { roomPeers: 1, load: 5 })])).toBe(0);
    expect(place([slot(0, { roomPeers: 3 }), slot(1, { roomPeers: 2, live: false }), slot(2, { roomPeers: 4 })])).toBe(0);
  });

  it('spreads twenty peers over two workers ten and ten', () => {
    const slots = [slot(0), slot(1)];
    for (let i = 0; i < 20; i++) {
      const at = chooseWorker(slots, even)!;
      slots[at]!.roomPeers += 1;
    }
    expect(slots.map((s) => s.roomPeers)).toEqual([10, 10]);
  });
});
