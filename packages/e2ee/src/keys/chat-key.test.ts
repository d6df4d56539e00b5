/** Tests for chat-key.ts: chat AEAD round trips, padding, and rejection of tampering and wrong context. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatGeneration, deriveChatKey, openChat, sealChat } from './chat-key.js';
import { freshSenderKey, sframeBaseKey, ratchetSenderKey } from './sender-key.js';
import { sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('chat', () => {
  it('round-trips text and bytes', () => {
    const sk = freshSenderKey();
    const key = deriveChatKey(sk);
    const ctx = { roomId: 'room', senderPeerId: 'alice', generation: sk.generation };
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = openChat(key, ctx, sealChat(key, ctx, text));
        expect(r.ok && dec(r.plaintext)).toBe(text);
      }),
      { numRuns: 100 },
    );
    const bytes = Uint8Array.of(0, 1, 2, 0x80);
    const r = openChat(key, ctx, sealChat(key, ctx, bytes));
    expect(r.ok && r.plaintext).toEqual(bytes);
  });

  it('the chat key is its own derivation', () => {
    const sk = freshSenderKey();
    expect(deriveChatKey(sk)).not.toEqual(sk.key);
    expect(deriveChatKey(sk)).not.toEqual(sframeBaseKey(sk));
    expect(deriveChatKey(sk)).not.toEqual(ratchetSenderKey(sk).key);
  });

  it('pads lengths to 32-byte blocks and carries the generation', () => {
    const sk = { ...freshSenderKey(), generation: 9 };
    const key = deriveChatKey(sk);
    const ctx = { roomId: 'room', senderPeerId: 'alice', generation: 9 };
    expect(sealChat(key, ctx, 'hi').length).toBe(sealChat(key, ctx, 'x'.repeat(31)).length);
    expect(sealChat(key, ctx, 'x'.repeat(32)).length).toBe(sealChat(key, ctx, 'hi').length + 32);
    expect(chatGeneration(sealChat(key, ctx, 'hi'))).toBe(9);
    expect(chatGeneration(Uint8Array.of(9, 9))).toBeNull();
  });

  it('rejects tampering, and another room, sender, generation or key', () => {
    const sk = freshSenderKey();
    const key = deriveChatKey(sk);
    const ctx = { roomId: 'room', senderPeerId: 'alice', generation: 0 };
    const msg = sealChat(key, ctx, 'meet at noon');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: msg.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const t = msg.slice();
        t[i] = (t[i] as number) ^ x;
        expect(openChat(key, ctx, t).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(openChat(key, { ...ctx, roomId: 'room2' }, msg)).toEqual({ ok: false, reason: 'bad-ciphertext' });
    expect(openChat(key, { ...ctx, senderPeerId: 'mallory' }, msg)).toEqual({ ok: false, reason: 'bad-ciphertext' });
    expect(openChat(key, { ...ctx, generation: 1 }, msg)).toEqual({ ok: false, reason: 'malformed' });
    expect(openChat(deriveChatKey(freshSenderKey()), ctx, msg)).toEqual({ ok: false, reason: 'bad-ciphertext' });
    expect(openChat(key, ctx, msg.subarray(0, 20))).toEqual({ ok: false, reason: 'malformed' });
  });
});
