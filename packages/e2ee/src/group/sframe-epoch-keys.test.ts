/** Tests for sframe-epoch-keys.ts: RFC 9605 §5.2 base keys per leaf, and the KID layout (context, leaf, epoch bits). */
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { baseKeyForLeaf, kidFor, MAX_LEAF_INDEX, SOURCES } from './sframe-epoch-keys.js';

const secret = new Uint8Array(32).map((_, i) => i);

describe('SFrame keys from the group', () => {
  it('derives each leaf base key as HKDF-Expand(epoch secret, leaf as 8 big-endian bytes, 32)', () => {
    const info = new Uint8Array([0, 0, 0, 0, 0, 0, 0x01, 0x02]);
    expect(baseKeyForLeaf(secret, 0x0102)).toEqual(expand(sha256, secret, info, 32));
    expect(baseKeyForLeaf(secret, 1)).not.toEqual(baseKeyForLeaf(secret, 2));
  });

  it('refuses a leaf index the KID cannot carry', () => {
    expect(() => baseKeyForLeaf(secret, MAX_LEAF_INDEX + 1)).toThrow(RangeError);
    expect(() => baseKeyForLeaf(secret, -1)).toThrow(RangeError);
  });

  it('gives every (source, leaf, epoch mod 256) its own KID', () => {
    const kids = new Set<bigint>();
    for (const source of SOURCES)
      for (const leaf of [0, 1, 255, MAX_LEAF_INDEX]) for (const epoch of [0n, 1n, 255n]) kids.add(kidFor(source, leaf, epoch));
    expect(kids.size).toBe(SOURCES.length * 4 * 3);
    expect(kidFor('camera', 5, 42n)).toBe((5n << 8n) | 42n);
    expect(kidFor('mic', 0, 0n)).toBe(1n << 24n);
    // Only the epoch's low 8 bits are carried: epoch 256 reuses epoch 0's KID (with another epoch's key).
    expect(kidFor('screen', 3, 256n)).toBe(kidFor('screen', 3, 0n));
  });
});
