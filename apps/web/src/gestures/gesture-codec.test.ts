import { describe, expect, it } from 'vitest';
import { decodeGesture, encodeGesture, REACTIONS, type Gesture } from './gesture-codec.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('gestures on the wire', () => {
  it('round-trips every gesture', () => {
    const all: Gesture[] = [
      { t: 'hand', up: true, at: 1_790_000_000_000 },
      { t: 'hand', up: false },
      ...REACTIONS.map((r) => ({ t: 'reaction' as const, emoji: r.emoji })),
      { t: 'lower', peerId: 'a1b2' },
    ];
    for (const g of all) expect(decodeGesture(encodeGesture(g))).toEqual(g);
  });

  it('refuses anything else: other emoji, extra or missing fields, bad times, not JSON, not UTF-8', () => {
    for (const bad of [
      '{"t":"reaction","emoji":"💩"}',
      '{"t":"reaction","emoji":"👍","x":1}',
      '{"t":"hand","up":true}',
      '{"t":"hand","up":true,"at":-5}',
      '{"t":"hand","up":true,"at":1.5}',
      '{"t":"hand","up":false,"at":5}',
      '{"t":"lower","peerId":""}',
      `{"t":"lower","peerId":"${'x'.repeat(101)}"}`,
      '{"t":"chat","text":"hi"}',
      '[]',
      'null',
      'hand',
    ]) {
      expect(decodeGesture(bytes(bad)), bad).toBeNull();
    }
    expect(decodeGesture(Uint8Array.of(0xff, 0xfe))).toBeNull();
  });
});
