/** The timer wheel (run: tsx --test bench/lib/*.test.ts). */
/* eslint-disable @typescript-eslint/no-floating-promises -- node:test's describe/it return promises its runner awaits */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimerWheel } from './timer-wheel.js';

describe('TimerWheel', () => {
  it('hands out items slot by slot, only those due, and those scheduled while draining if due', () => {
    const wheel = new TimerWheel<string>(1, 64, 0);
    wheel.schedule(5.5, 'b');
    wheel.schedule(2, 'a');
    wheel.schedule(40, 'c');
    const seen: string[] = [];
    wheel.drain(10, (item, at) => {
      seen.push(`${item}@${at}`);
      if (item === 'a') wheel.schedule(at + 3, 'a2');
      if (item === 'a2') wheel.schedule(at + 100 - 90, 'a3'); // 15: not due yet
    });
    // Slot by slot; within one slot (1 ms) in the order scheduled.
    assert.deepEqual(seen, ['a@2', 'b@5.5', 'a2@5']);
    assert.equal(wheel.size, 2);
    assert.equal(wheel.dueBy(20), 1);
    wheel.drain(100, (item) => seen.push(item));
    assert.deepEqual(seen.slice(3), ['a3', 'c']);
    assert.equal(wheel.size, 0);
  });

  it('runs an overdue item at the next drain, wraps around, and refuses one beyond its horizon', () => {
    const wheel = new TimerWheel<number>(1, 8, 0);
    wheel.drain(20, () => assert.fail('empty'));
    wheel.schedule(3, 1); // already past
    wheel.schedule(27, 2);
    const seen: number[] = [];
    wheel.drain(21, (i) => seen.push(i));
    assert.deepEqual(seen, [1]);
    wheel.drain(27, (i) => seen.push(i));
    assert.deepEqual(seen, [1, 2]);
    assert.throws(() => wheel.schedule(40, 3), RangeError);
  });
});
