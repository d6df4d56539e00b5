import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../test/rfc9605-vectors.js';
import {
  av1KeyFrame,
  av1SplitFrame,
  h264DeltaFrame,
  h264IdrFrame,
  isEscaped,
  noise,
  vp8DeltaFrame,
  vp8KeyFrame,
} from '../test/synthetic-frames.js';
import { framingFor } from './codec/registry.js';
import { FrameCrypto, type FrameOrigin } from './frame-crypto.js';
import { SFrameError } from './sframe/errors.js';

const ALICE_KEY = new Uint8Array(32).fill(0x11);

async function pair(suite: number): Promise<{ alice: FrameCrypto; bob: FrameCrypto }> {
  const alice = new FrameCrypto();
  const bob = new FrameCrypto();
  await alice.sender.setKey(suite, 0x0100n, ALICE_KEY);
  await bob.receiver.addKey(suite, 0x0100n, ALICE_KEY);
  return { alice, bob };
}

const cases: [string, string, boolean, Uint8Array, number][] = [
  ['Opus', 'audio/opus', false, noise(120, 1), 0x0002],
  ['VP8 key', 'video/VP8', true, vp8KeyFrame(30_000), 0x0004],
  ['VP8 delta', 'video/VP8', false, vp8DeltaFrame(3000), 0x0004],
  ['VP9', 'video/VP9', true, noise(9000, 3), 0x0004],
  ['H.264 IDR 4-byte', 'video/H264', true, h264IdrFrame(40_000), 0x0004],
  ['H.264 IDR 3-byte', 'video/H264', true, h264IdrFrame(4000, 9, false), 0x0001],
  ['H.264 delta', 'video/H264', false, h264DeltaFrame(2000), 0x0005],
  ['AV1 key', 'video/AV1', true, av1KeyFrame(20_000), 0x0004],
  ['AV1 split', 'video/AV1', false, av1SplitFrame(900), 0x0003],
];

describe('FrameCrypto', () => {
  it.each(cases)('%s round-trips and hides the payload', async (_name, mime, key, frame, suite) => {
    const { alice, bob } = await pair(suite);
    const wire = await alice.encryptFrame(mime, key, frame);
    const { clear, payload } = framingFor(mime).split(frame, key);
    expect(toHex(wire.subarray(0, clear.length))).toBe(toHex(clear));
    // The payload does not appear in clear on the wire.
    if (payload.length >= 16) expect(toHex(wire).includes(toHex(payload.subarray(0, 16)))).toBe(false);
    if (mime === 'video/H264') expect(isEscaped(wire.subarray(clear.length))).toBe(true);
    expect(toHex(await bob.decryptFrame(mime, wire))).toBe(toHex(frame));
  });

  it.each(cases)('%s: every altered clear byte is refused', async (_name, mime, key, frame, suite) => {
    const { alice, bob } = await pair(suite);
    const wire = await alice.encryptFrame(mime, key, frame);
    const framing = framingFor(mime);
    const clearLen = framing.split(frame, key).clear.length;
    let authFailures = 0;
    for (let i = 0; i < clearLen; i++) {
      const bad = wire.slice();
      bad[i]! ^= 0x40;
      const err = await bob.decryptFrame(mime, bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      let sameLayout = false;
      try {
        sameLayout = framing.parse(bad).clear.length === clearLen;
      } catch {
        // the change broke the framing itself: a CodecError (or header error) is the right refusal
      }
      if (sameLayout) {
        expect(err).toMatchObject({ code: 'auth-failed' });
        authFailures++;
      }
    }
    if (clearLen > 0) expect(authFailures).toBeGreaterThan(0);
    expect(toHex(await bob.decryptFrame(mime, wire))).toBe(toHex(frame)); // the original still passes
  });

  it.each(cases)('%s: sender and receiver see the same origin (KID, CTR, clear bytes, SFrame)', async (_name, mime, key, frame, suite) => {
    const { alice, bob } = await pair(suite);
    const sent: FrameOrigin[] = [];
    const got: FrameOrigin[] = [];
    const copy = (o: FrameOrigin) => ({ kid: o.kid, ctr: o.ctr, clear: toHex(o.clear), sframe: toHex(o.sframe) });
    for (let i = 0; i < 3; i++) {
      const wire = await alice.encryptFrame(mime, key, frame, (o) => sent.push(copy(o) as never));
      await bob.decryptFrame(mime, wire, (o) => got.push(copy(o) as never));
    }
    expect(got).toEqual(sent);
    expect(sent.map((o) => o.ctr)).toEqual([0n, 1n, 2n]);
    expect(sent[0]!.kid).toBe(0x0100n);
  });

  it('reports the origin SFrame unescaped, on both sides, when H.264 escaping rewrote it on the wire', async () => {
    const { alice, bob } = await pair(0x0004);
    const frame = h264IdrFrame(60_000);
    // Deterministic (fixed key, counters from 0): find a frame whose ciphertext needed escaping.
    for (let i = 0; i < 1000; i++) {
      let sent: Uint8Array | undefined;
      const wire = await alice.encryptFrame('video/H264', true, frame, (o) => (sent = o.sframe.slice()));
      let got: Uint8Array | undefined;
      await bob.decryptFrame('video/H264', wire, (o) => (got = o.sframe.slice()));
      expect(Buffer.from(got!).equals(sent!)).toBe(true);
      const clearLength = framingFor('video/H264').split(frame, true).clear.length;
      if (wire.length > clearLength + sent!.length) return; // escaped on the wire, same origin bytes
    }
    throw new Error('no frame needed escaping');
  });

  it('reports no origin for a frame that does not authenticate', async () => {
    const { alice, bob } = await pair(0x0004);
    const wire = await alice.encryptFrame('video/VP8', true, vp8KeyFrame(500));
    wire[wire.length - 1]! ^= 1;
    let reported = false;
    await expect(bob.decryptFrame('video/VP8', wire, () => (reported = true))).rejects.toMatchObject({ code: 'auth-failed' });
    expect(reported).toBe(false);
  });

  it('fails closed without a key, and reports unknown KIDs and replays', async () => {
    const alone = new FrameCrypto();
    await expect(alone.encryptFrame('audio/opus', false, noise(50))).rejects.toMatchObject({ code: 'no-key' });
    const { alice, bob } = await pair(0x0004);
    const wire = await alice.encryptFrame('video/VP8', true, vp8KeyFrame(500));
    await expect(alone.decryptFrame('video/VP8', wire)).rejects.toMatchObject({ code: 'unknown-key', kid: 0x0100n });
    await bob.decryptFrame('video/VP8', wire);
    await expect(bob.decryptFrame('video/VP8', wire)).rejects.toBeInstanceOf(SFrameError);
    await expect(bob.decryptFrame('video/VP8', wire)).rejects.toMatchObject({ code: 'replay' });
  });

  it('round-trips random frames of every codec (property)', async () => {
    const { alice, bob } = await pair(0x0004);
    const frameArb = fc.oneof(
      fc.tuple(fc.constant('audio/opus'), fc.uint8Array({ maxLength: 500 })),
      fc.tuple(
        fc.constant('video/VP8'),
        fc.nat(20_000).map((n) => vp8KeyFrame(n, n + 1)),
      ),
      fc.tuple(
        fc.constant('video/VP8'),
        fc.nat(5000).map((n) => vp8DeltaFrame(n, n + 1)),
      ),
      fc.tuple(
        fc.constant('video/H264'),
        fc.tuple(fc.nat(20_000), fc.boolean()).map(([n, four]) => h264IdrFrame(n, n + 1, four, 0.4)),
      ),
      fc.tuple(
        fc.constant('video/H264'),
        fc.nat(5000).map((n) => h264DeltaFrame(n, n + 1)),
      ),
      fc.tuple(
        fc.constant('video/AV1'),
        fc.nat(20_000).map((n) => av1KeyFrame(n, n + 1)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(frameArb, async ([mime, frame]) => {
        const wire = await alice.encryptFrame(mime, true, frame);
        expect(toHex(await bob.decryptFrame(mime, wire))).toBe(toHex(frame));
      }),
      { numRuns: 120 },
    );
  });
});
