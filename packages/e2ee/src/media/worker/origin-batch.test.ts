import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOriginBatch, encodeOriginBatch, OriginBatchError, ORIGIN_HASH_BYTES, type OriginEntry } from './origin-batch.js';
import { ORIGIN_BATCH_MAX_BYTES, ORIGIN_BATCH_MAX_ENTRIES } from '../worker-messages.js';

const hash = (n: number) => new Uint8Array(ORIGIN_HASH_BYTES).fill(n);
const entry = (kid: bigint, ctr: bigint, n = Number(ctr & 0xffn)): OriginEntry => ({ kid, ctr, hash: hash(n) });
const plain = (es: OriginEntry[]) => es.map((e) => ({ kid: e.kid, ctr: e.ctr, hash: [...e.hash] }));
const MAX_U64 = (1n << 64n) - 1n;

describe('origin batch encoding', () => {
  it('writes consecutive counters of a KID as one run: 17 bytes per run, 16 per entry', () => {
    const cam = [0n, 1n, 2n, 3n].map((c) => entry(0x105n, 40n + c));
    const mic = [entry(0x1000105n, 7n), entry(0x1000105n, 8n)];
    const bytes = encodeOriginBatch([...mic, ...cam].reverse());
    expect(bytes.length).toBe(1 + 2 * 17 + 6 * 16);
    expect(bytes[0]).toBe(1);
    expect(plain(decodeOriginBatch(bytes))).toEqual(plain([...cam, ...mic]));
  });

  it('starts a new run at a gap in the counters', () => {
    const bytes = encodeOriginBatch([entry(5n, 1n), entry(5n, 3n), entry(5n, 4n)]);
    expect(bytes.length).toBe(1 + 2 * 17 + 3 * 16);
    expect(plain(decodeOriginBatch(bytes))).toEqual(plain([entry(5n, 1n), entry(5n, 3n), entry(5n, 4n)]));
  });

  it('takes at most ORIGIN_BATCH_MAX_BYTES, and round-trips any valid set of entries', () => {
    const worst = Array.from({ length: ORIGIN_BATCH_MAX_ENTRIES }, (_, i) => entry(BigInt(i), MAX_U64 - BigInt(i)));
    expect(encodeOriginBatch(worst).length).toBe(ORIGIN_BATCH_MAX_BYTES);
    const anEntry = fc.record({
      kid: fc.bigInt({ min: 0n, max: 3n }), // few KIDs, so runs form
      ctr: fc.bigInt({ min: 0n, max: 80n }).map((c) => (c > 70n ? MAX_U64 - (c - 71n) : c)),
      hash: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(anEntry, { minLength: 1, maxLength: ORIGIN_BATCH_MAX_ENTRIES, selector: (e) => `${e.kid}:${e.ctr}` }),
        (es) => {
          const bytes = encodeOriginBatch(es);
          const sorted = [...es].sort((a, b) => (a.kid !== b.kid ? (a.kid < b.kid ? -1 : 1) : a.ctr < b.ctr ? -1 : 1));
          expect(plain(decodeOriginBatch(bytes))).toEqual(plain(sorted));
          expect(bytes.length).toBeLessThanOrEqual(ORIGIN_BATCH_MAX_BYTES);
        },
      ),
    );
  });

  it('refuses to encode nothing, too much, duplicates, and bad fields', () => {
    expect(() => encodeOriginBatch([])).toThrow(OriginBatchError);
    expect(() => encodeOriginBatch(Array.from({ length: 65 }, (_, i) => entry(1n, BigInt(i))))).toThrow(OriginBatchError);
    expect(() => encodeOriginBatch([entry(1n, 2n), entry(1n, 2n, 9)])).toThrow(/twice/);
    expect(() => encodeOriginBatch([{ kid: 1n, ctr: 1n, hash: new Uint8Array(15) }])).toThrow(/16 bytes/);
    expect(() => encodeOriginBatch([entry(-1n, 1n)])).toThrow(/KID/);
    expect(() => encodeOriginBatch([entry(1n, MAX_U64 + 1n)])).toThrow(/CTR/);
  });

  it('refuses malformed batches', () => {
    const good = encodeOriginBatch([entry(9n, 1n), entry(9n, 2n), entry(10n, 0n)]);
    const edit = (f: (b: Uint8Array) => Uint8Array | void) => {
      const b = good.slice();
      return f(b) ?? b;
    };
    const run2 = 1 + 17 + 2 * 16; // offset of the second run
    const bad: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      'version only': new Uint8Array([1]),
      'unknown version': edit((b) => void (b[0] = 2)),
      'truncated run head': good.subarray(0, run2 + 10),
      'truncated hashes': good.subarray(0, good.length - 1),
      'trailing byte': new Uint8Array([...good, 0]),
      'empty run': edit((b) => void (b[run2 + 16] = 0)),
      'runs out of order': edit((b) => void b.set([0, 0, 0, 0, 0, 0, 0, 8], run2)),
      'adjacent runs (not one run)': edit((b) => {
        b.set([0, 0, 0, 0, 0, 0, 0, 9], run2); // KID 9, first CTR 3: right after 1, 2
        b.set([0, 0, 0, 0, 0, 0, 0, 3], run2 + 8);
      }),
      'overlapping runs': edit((b) => {
        b.set([0, 0, 0, 0, 0, 0, 0, 9], run2);
        b.set([0, 0, 0, 0, 0, 0, 0, 2], run2 + 8);
      }),
      'run past the largest CTR': (() => {
        const b = encodeOriginBatch([entry(1n, MAX_U64 - 1n), entry(1n, MAX_U64)]);
        b[17] = 3;
        return new Uint8Array([...b, ...hash(0)]);
      })(),
      'more than 64 entries': (() => {
        const full = encodeOriginBatch(Array.from({ length: 64 }, (_, i) => entry(1n, BigInt(i))));
        return new Uint8Array([...full, ...encodeOriginBatch([entry(2n, 0n)]).subarray(1)]);
      })(),
    };
    for (const [what, bytes] of Object.entries(bad)) {
      expect(() => decodeOriginBatch(bytes), what).toThrow(OriginBatchError);
    }
    expect(decodeOriginBatch(good)).toHaveLength(3);
  });

  it('refuses random bytes with OriginBatchError only, and what it accepts it would have written', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, versioned) => {
        if (versioned && bytes.length > 0) bytes[0] = 1;
        let entries: OriginEntry[];
        try {
          entries = decodeOriginBatch(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(OriginBatchError);
          return;
        }
        expect([...encodeOriginBatch(entries)]).toEqual([...bytes]);
      }),
      { numRuns: 2000 },
    );
    // Single-byte changes to a valid batch: refused, or a batch that encodes back to exactly those bytes.
    const good = encodeOriginBatch([entry(9n, 1n), entry(9n, 2n), entry(10n, 0n), entry(10n, 5n)]);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const bytes = good.slice();
        bytes[at]! ^= x;
        try {
          expect([...encodeOriginBatch(decodeOriginBatch(bytes))]).toEqual([...bytes]);
        } catch (e) {
          expect(e).toBeInstanceOf(OriginBatchError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
