import { describe, expect, it } from 'vitest';
import { focusTileKey, type StageTile } from './stage-layout.js';

const tiles: StageTile[] = [
  { key: 'self', peerId: null, source: 'camera' },
  { key: 'a', peerId: 'a', source: 'camera' },
  { key: 'b', peerId: 'b', source: 'camera' },
];

describe('focusTileKey', () => {
  it('prefers a pin, then a remote screen share, then the active speaker, then the first other person', () => {
    const withScreen = [...tiles, { key: 'b:screen', peerId: 'b', source: 'screen' as const }];
    expect(focusTileKey(withScreen, 'a', 'b', 'me')).toBe('a');
    expect(focusTileKey(withScreen, null, 'a', 'me')).toBe('b:screen');
    expect(focusTileKey(tiles, null, 'b', 'me')).toBe('b');
    expect(focusTileKey(tiles, null, 'me', 'me')).toBe('a');
    expect(focusTileKey(tiles, 'gone', null, 'me')).toBe('a');
    expect(focusTileKey([tiles[0]!], null, null, 'me')).toBe('self');
  });

  it("does not put the sharer's own screen large", () => {
    expect(focusTileKey([...tiles, { key: 'self:screen', peerId: null, source: 'screen' }], null, null, 'me')).toBe('a');
  });
});
