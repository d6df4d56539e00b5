/** Tests for key-box.ts: boxes open only for their recipient, room and sender, and resist tampering. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from './identity.js';
import { openKeyBox, sealKeyBox } from './key-box.js';
import { freshSenderKey } from './sender-key.js';
import { sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

function setup() {
  const alice = generateIdentity();
  const bob = generateIdentity();
  const carol = generateIdentity();
  const senderKey = { ...freshSenderKey(), generation: 5 };
  const content = { roomId: 'room', senderPeerId: 'alice', recipientPeerId: 'bob', linkGeneration: 3, senderKey };
  const box = sealKeyBox(content, bob.boxPk, alice.boxSk);
  const ctx = { roomId: 'room', senderPeerId: 'alice', recipientPeerId: 'bob', senderBoxPk: alice.boxPk, recipientBoxSk: bob.boxSk };
  return { alice, bob, carol, senderKey, box, ctx };
}

describe('key box', () => {
  it('opens for its recipient', () => {
    const { box, ctx, senderKey } = setup();
    expect(openKeyBox(box, ctx)).toEqual({ ok: true, linkGeneration: 3, senderKey });
    expect(box[0]).toBe(1);
    expect(box[1]).toBe(0x4b);
    // header 2 + nonce 24 + plaintext (2+19 + 2+4 + 2+5 + 2+3 + 4 + 4 + 32) + tag 16
    expect(box.length).toBe(2 + 24 + 79 + 16);
  });

  it("refuses generations that could overflow a receiver's ratchet", () => {
    const { alice, bob, ctx } = setup();
    const big = { generation: 0x7fff_ffff, key: new Uint8Array(32) };
    const c = { roomId: 'room', senderPeerId: 'alice', recipientPeerId: 'bob', linkGeneration: 0, senderKey: big };
    expect(openKeyBox(sealKeyBox(c, bob.boxPk, alice.boxSk), ctx).ok).toBe(true);
    expect(() => sealKeyBox({ ...c, senderKey: { ...big, generation: 0x8000_0000 } }, bob.boxPk, alice.boxSk)).toThrow(RangeError);
  });

  it('uses a fresh nonce each time', () => {
    const { alice, bob, senderKey } = setup();
    const c = { roomId: 'room', senderPeerId: 'alice', recipientPeerId: 'bob', linkGeneration: 0, senderKey };
    expect(sealKeyBox(c, bob.boxPk, alice.boxSk)).not.toEqual(sealKeyBox(c, bob.boxPk, alice.boxSk));
  });

  it('cannot be replayed to another recipient', () => {
    const { box, carol, alice } = setup();
    // The server forwards bob's box to carol.
    expect(
      openKeyBox(box, {
        roomId: 'room',
        senderPeerId: 'alice',
        recipientPeerId: 'carol',
        senderBoxPk: alice.boxPk,
        recipientBoxSk: carol.boxSk,
      }),
    ).toEqual({ ok: false, reason: 'bad-box' });
  });

  it('binds room, sender and recipient names even between the same key pairs', () => {
    const { alice, bob, senderKey, ctx } = setup();
    const seal = (roomId: string, senderPeerId: string, recipientPeerId: string) =>
      sealKeyBox({ roomId, senderPeerId, recipientPeerId, linkGeneration: 0, senderKey }, bob.boxPk, alice.boxSk);
    expect(openKeyBox(seal('other-room', 'alice', 'bob'), ctx)).toEqual({ ok: false, reason: 'wrong-room' });
    expect(openKeyBox(seal('room', 'mallory', 'bob'), ctx)).toEqual({ ok: false, reason: 'wrong-sender' });
    expect(openKeyBox(seal('room', 'alice', 'bob2'), ctx)).toEqual({ ok: false, reason: 'wrong-recipient' });
  });

  it('is not accepted as coming from someone else', () => {
    const { box, ctx, carol } = setup();
    expect(openKeyBox(box, { ...ctx, senderPeerId: 'carol', senderBoxPk: carol.boxPk })).toEqual({ ok: false, reason: 'bad-box' });
  });

  it('rejects any tampering', () => {
    const { box, ctx } = setup();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: box.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const t = box.slice();
        t[i] = (t[i] as number) ^ x;
        expect(openKeyBox(t, ctx).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(openKeyBox(box.subarray(0, 30), ctx)).toEqual({ ok: false, reason: 'malformed' });
    expect(openKeyBox(new Uint8Array(0), ctx)).toEqual({ ok: false, reason: 'malformed' });
  });
});
