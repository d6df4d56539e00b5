import { describe, expect, it } from 'vitest';
import { kidFor, MAX_LEAF_INDEX, SOURCES } from '../../group/sframe-epoch-keys.js';
import { kidOwner } from './kid-owner.js';

describe('kidOwner', () => {
  it('reads back the leaf and source of every KID kidFor makes, whatever the epoch', () => {
    for (const source of SOURCES) {
      for (const leaf of [0, 1, 255, 256, 4097, MAX_LEAF_INDEX]) {
        for (const epoch of [0n, 1n, 255n, 256n, 1n << 40n]) expect(kidOwner(kidFor(source, leaf, epoch))).toEqual({ leaf, source });
      }
    }
  });

  it('knows no KID outside the layout', () => {
    expect(kidOwner(4n << 24n)).toBeNull(); // no fifth source
    expect(kidOwner(1n << 63n)).toBeNull();
    expect(kidOwner(-1n)).toBeNull();
  });
});
