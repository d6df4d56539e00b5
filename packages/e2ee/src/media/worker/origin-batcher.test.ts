import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameOrigin } from '../../frame-crypto.js';
import { ORIGIN_BATCH_MAX_ENTRIES, ORIGIN_BATCH_MS } from '../worker-messages.js';
import { decodeOriginBatch } from './origin-batch.js';
import { OriginBatcher } from './origin-batcher.js';

const origin = (ctr: number, size = 10): FrameOrigin => ({
  kid: 0x105n,
  ctr: BigInt(ctr),
  clear: new Uint8Array(0),
  sframe: new Uint8Array(size).fill(ctr),
});
const ctrs = (batch: Uint8Array) => decodeOriginBatch(batch).map((e) => Number(e.ctr));

describe('OriginBatcher', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  it('hands over a batch ORIGIN_BATCH_MS after its first entry, and nothing when idle', () => {
    const batches: Uint8Array[] = [];
    const b = new OriginBatcher((x) => batches.push(x));
    b.add(origin(0));
    vi.advanceTimersByTime(ORIGIN_BATCH_MS / 2);
    b.add(origin(1));
    vi.advanceTimersByTime(ORIGIN_BATCH_MS / 2 - 1);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches.map(ctrs)).toEqual([[0, 1]]);
    vi.advanceTimersByTime(10 * ORIGIN_BATCH_MS);
    expect(batches).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hands over a full batch at once', () => {
    const batches: Uint8Array[] = [];
    const b = new OriginBatcher((x) => batches.push(x));
    for (let i = 0; i < ORIGIN_BATCH_MAX_ENTRIES + 1; i++) b.add(origin(i));
    expect(batches.map((x) => ctrs(x).length)).toEqual([ORIGIN_BATCH_MAX_ENTRIES]);
    vi.advanceTimersByTime(ORIGIN_BATCH_MS);
    expect(batches.map(ctrs).at(-1)).toEqual([ORIGIN_BATCH_MAX_ENTRIES]);
  });

  it('adds entries whose hash finishes later, and none still hashing when cleared', async () => {
    const batches: Uint8Array[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new OriginBatcher(
      (x) => batches.push(x),
      async (o) => {
        await gate;
        return o.sframe.slice(0, 16);
      },
    );
    b.add(origin(0, 16));
    b.clear();
    b.add(origin(1, 16));
    release();
    await new Promise((r) => setImmediate(r)); // both hashes done
    vi.advanceTimersByTime(ORIGIN_BATCH_MS);
    expect(batches.map(ctrs)).toEqual([[1]]);
  });
});
