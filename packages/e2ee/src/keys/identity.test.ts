/** Tests for identity.ts: announcements verify, and fail on another secret, room, peer id or any tampering. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Writer } from './encoding.js';
import { deriveAuthKey, encodeAnnouncement, generateIdentity, verifyAnnouncement } from './identity.js';
import { lib, sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

function setup() {
  const secret = lib().randombytes_buf(32);
  const authKey = deriveAuthKey(secret);
  const id = generateIdentity();
  const bytes = encodeAnnouncement({ peerId: 'alice', senderIndex: 3 }, id, 'room', authKey);
  return { secret, authKey, id, bytes };
}

describe('announcement', () => {
  it('verifies and carries the identity', () => {
    const { authKey, id, bytes } = setup();
    const r = verifyAnnouncement(bytes, { roomId: 'room', authKey, fromPeerId: 'alice' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.announcement).toEqual({ peerId: 'alice', senderIndex: 3, signPk: id.signPk, boxPk: id.boxPk });
  });

  it('has the documented layout', () => {
    const { id, bytes } = setup();
    expect(bytes[0]).toBe(1);
    expect(bytes[1]).toBe(0x41);
    expect(bytes.length).toBe(2 + 2 + 5 + 4 + 32 + 32 + 32 + 64);
    expect(bytes.subarray(13, 45)).toEqual(id.signPk);
    expect(bytes.subarray(45, 77)).toEqual(id.boxPk);
  });

  it('fails the MAC under another meeting secret or in another room', () => {
    const { bytes, authKey } = setup();
    const otherKey = deriveAuthKey(lib().randombytes_buf(32));
    expect(verifyAnnouncement(bytes, { roomId: 'room', authKey: otherKey, fromPeerId: 'alice' })).toEqual({ ok: false, reason: 'bad-mac' });
    expect(verifyAnnouncement(bytes, { roomId: 'room2', authKey, fromPeerId: 'alice' })).toEqual({ ok: false, reason: 'bad-mac' });
  });

  it('rejects a peerId other than the relayed sender', () => {
    const { bytes, authKey } = setup();
    expect(verifyAnnouncement(bytes, { roomId: 'room', authKey, fromPeerId: 'mallory' })).toEqual({
      ok: false,
      reason: 'peer-id-mismatch',
    });
  });

  it('rejects any single-byte change', () => {
    const { bytes, authKey } = setup();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const t = bytes.slice();
        t[i] = (t[i] as number) ^ x;
        expect(verifyAnnouncement(t, { roomId: 'room', authKey, fromPeerId: 'alice' }).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects truncated and extended input as malformed', () => {
    const { bytes, authKey } = setup();
    const ctx = { roomId: 'room', authKey, fromPeerId: 'alice' };
    expect(verifyAnnouncement(bytes.subarray(0, bytes.length - 1), ctx)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAnnouncement(new Uint8Array([...bytes, 0]), ctx)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAnnouncement(new Uint8Array(0), ctx)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a re-MACed announcement with swapped keys (holder of the secret, but not of the signing key)', () => {
    const { bytes, authKey } = setup();
    const mallory = generateIdentity();
    // A member who knows the meeting secret swaps alice's box key for its own and recomputes the MAC.
    const body = bytes.slice(0, 77);
    body.set(mallory.boxPk, 45);
    const mac = lib().crypto_auth(new Writer().str('conclave/v1/announce-mac').str('room').bytes16(body).finish(), authKey);
    const forged = new Uint8Array([...body, ...mac, ...bytes.subarray(109)]);
    expect(verifyAnnouncement(forged, { roomId: 'room', authKey, fromPeerId: 'alice' })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses bad peer ids and sender indexes when encoding', () => {
    const { authKey, id } = setup();
    expect(() => encodeAnnouncement({ peerId: '', senderIndex: 0 }, id, 'room', authKey)).toThrow(RangeError);
    expect(() => encodeAnnouncement({ peerId: 'x'.repeat(257), senderIndex: 0 }, id, 'room', authKey)).toThrow(RangeError);
    expect(() => encodeAnnouncement({ peerId: 'a', senderIndex: -1 }, id, 'room', authKey)).toThrow(RangeError);
    expect(() => encodeAnnouncement({ peerId: 'a', senderIndex: 1.5 }, id, 'room', authKey)).toThrow(RangeError);
  });
});
