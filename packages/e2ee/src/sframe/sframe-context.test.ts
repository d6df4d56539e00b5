import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../test/rfc9605-vectors.js';
import { SFrameError } from './errors.js';
import { decodeHeader } from './header.js';
import { SFrameReceiver, SFrameSender } from './sframe-context.js';
import { sframeDecrypt } from './sframe.js';

const KEY_A = new Uint8Array(32).fill(0xa1);
const KEY_B = new Uint8Array(32).fill(0xb2);
const NONE = new Uint8Array(0);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SFrameError);
    return (e as SFrameError).code;
  }
  return 'ok';
}

describe('SFrameSender', () => {
  it('refuses to encrypt without a key (fail closed)', async () => {
    const s = new SFrameSender();
    expect(await codeOf(s.encrypt(NONE, Uint8Array.of(1)))).toBe('no-key');
    await s.setKey(4, 7n, KEY_A);
    expect(await codeOf(s.encrypt(NONE, Uint8Array.of(1)))).toBe('ok');
    s.clearKey();
    expect(s.hasKey).toBe(false);
    expect(await codeOf(s.encrypt(NONE, Uint8Array.of(1)))).toBe('no-key');
  });

  it('counts from 0 per KID and resumes a KID it used before', async () => {
    const s = new SFrameSender();
    await s.setKey(4, 1n, KEY_A);
    const ctrs = async (n: number) =>
      Promise.all(Array.from({ length: n }, () => s.encrypt(NONE, NONE))).then((fs) => fs.map((f) => decodeHeader(f)));
    expect((await ctrs(3)).map((h) => [h.kid, h.ctr])).toEqual([
      [1n, 0n],
      [1n, 1n],
      [1n, 2n],
    ]);
    await s.setKey(2, 2n, KEY_B);
    expect((await ctrs(2)).map((h) => [h.kid, h.ctr])).toEqual([
      [2n, 0n],
      [2n, 1n],
    ]);
    await s.setKey(4, 1n, KEY_A);
    expect(s.nextCounter).toBe(3n);
    expect((await ctrs(1)).map((h) => [h.kid, h.ctr])).toEqual([[1n, 3n]]);
  });

  it('starts a new KID at the counter it is given, and still resumes a KID it used', async () => {
    const s = new SFrameSender();
    await s.setKey(4, 5n, KEY_A, 1000n);
    expect(decodeHeader(await s.encrypt(NONE, NONE)).ctr).toBe(1000n);
    await s.setKey(4, 6n, KEY_B);
    await s.setKey(4, 5n, KEY_A, 0n);
    expect(s.nextCounter).toBe(1001n);
  });

  it('refuses to let the counter overflow', async () => {
    const s = new SFrameSender({ maxCounter: 2n });
    await s.setKey(1, 9n, KEY_A);
    for (let i = 0; i < 3; i++) expect(await codeOf(s.encrypt(NONE, NONE))).toBe('ok');
    expect(await codeOf(s.encrypt(NONE, NONE))).toBe('counter-exhausted');
    expect(await codeOf(s.encrypt(NONE, NONE))).toBe('counter-exhausted');
    expect(() => new SFrameSender({ maxCounter: 1n << 64n })).toThrow(SFrameError);
  });

  it('lets the latest setKey win when imports race', async () => {
    const s = new SFrameSender();
    const first = s.setKey(4, 1n, KEY_A);
    const second = s.setKey(4, 2n, KEY_B);
    await Promise.all([second, first]);
    expect(s.kid).toBe(2n);
    await expect(s.setKey(99, 4n, KEY_A)).rejects.toMatchObject({ code: 'unknown-suite' });
    await expect(s.setKey(4, -1n, KEY_A)).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(s.kid).toBe(2n); // failed calls change nothing
    const cleared = s.setKey(4, 3n, KEY_A);
    s.clearKey();
    await cleared;
    expect(s.hasKey).toBe(false);
  });

  it('produces frames the stateless decrypt accepts', async () => {
    const s = new SFrameSender();
    await s.setKey(5, 0x1234_5678_9abcn, KEY_A);
    const md = Uint8Array.of(1, 2, 3);
    const f = await s.encrypt(md, Uint8Array.of(4, 5, 6));
    const out = await sframeDecrypt(5, KEY_A, md, f);
    expect(out.kid).toBe(0x1234_5678_9abcn);
    expect(toHex(out.plaintext)).toBe('040506');
  });

  it('never uses a (key, counter) pair twice over 100,000 frames', async () => {
    const s = new SFrameSender();
    const used = new Set<string>();
    const kids = [1n, 2n, 1n, 300n, 2n]; // KIDs come back: their counters must resume
    let frames = 0;
    for (const kid of kids) {
      await s.setKey(4, kid, kid === 2n ? KEY_B : KEY_A);
      for (let batch = 0; batch < 20; batch++) {
        const out = await Promise.all(Array.from({ length: 1000 }, () => s.encrypt(NONE, NONE)));
        for (const f of out) {
          const h = decodeHeader(f);
          const id = `${h.kid}:${h.ctr}`;
          expect(used.has(id)).toBe(false);
          used.add(id);
          frames++;
        }
      }
    }
    expect(frames).toBe(100_000);
    expect(used.size).toBe(100_000);
  }, 60_000);
});

describe('SFrameReceiver', () => {
  it('decrypts by KID and distinguishes unknown-key, replay and auth-failed', async () => {
    const tx1 = new SFrameSender();
    const tx2 = new SFrameSender();
    await tx1.setKey(4, 10n, KEY_A);
    await tx2.setKey(2, 20n, KEY_B);
    const rx = new SFrameReceiver();
    await rx.addKey(4, 10n, KEY_A);
    const md = Uint8Array.of(9);
    const f1 = await tx1.encrypt(md, Uint8Array.of(1));
    const f2 = await tx2.encrypt(md, Uint8Array.of(2));

    expect(await codeOf(rx.decrypt(md, f2))).toBe('unknown-key');
    await rx.addKey(2, 20n, KEY_B);
    expect(rx.kids.sort()).toEqual([10n, 20n]);

    const r1 = await rx.decrypt(md, f1);
    expect([r1.kid, r1.ctr, toHex(r1.plaintext)]).toEqual([10n, 0n, '01']);
    expect(toHex((await rx.decrypt(md, f2)).plaintext)).toBe('02');

    expect(await codeOf(rx.decrypt(md, f1))).toBe('replay');
    expect(await codeOf(rx.decrypt(Uint8Array.of(8), await tx1.encrypt(md, NONE)))).toBe('auth-failed');

    const e = await rx.decrypt(md, f1).catch((err: unknown) => err);
    expect((e as SFrameError).kid).toBe(10n);

    expect(rx.removeKey(10n)).toBe(true);
    expect(await codeOf(rx.decrypt(md, await tx1.encrypt(md, NONE)))).toBe('unknown-key');
  });

  it('does not let a forged frame move the replay window', async () => {
    const tx = new SFrameSender();
    await tx.setKey(4, 1n, KEY_A);
    const rx = new SFrameReceiver({ replayWindow: 16 });
    await rx.addKey(4, 1n, KEY_A);
    const frames = await Promise.all(Array.from({ length: 3 }, () => tx.encrypt(NONE, Uint8Array.of(7))));
    const evil = new SFrameSender();
    await evil.setKey(4, 1n, KEY_B);
    for (let i = 0; i < 1000; i++) await evil.encrypt(NONE, NONE);
    const forged = await evil.encrypt(NONE, NONE); // KID 1, CTR 1000, wrong key
    expect(await codeOf(rx.decrypt(NONE, forged))).toBe('auth-failed');
    for (const f of frames) expect(await codeOf(rx.decrypt(NONE, f))).toBe('ok');
  });

  it('accepts one of two copies decrypted concurrently', async () => {
    const tx = new SFrameSender();
    await tx.setKey(1, 5n, KEY_A);
    const rx = new SFrameReceiver();
    await rx.addKey(1, 5n, KEY_A);
    const f = await tx.encrypt(NONE, Uint8Array.of(1, 2));
    const codes = await Promise.all([codeOf(rx.decrypt(NONE, f)), codeOf(rx.decrypt(NONE, f))]);
    expect(codes.sort()).toEqual(['ok', 'replay']);
  });

  it('keeps the replay window when a KID’s key is added again', async () => {
    const tx = new SFrameSender();
    await tx.setKey(4, 3n, KEY_A);
    const rx = new SFrameReceiver();
    await rx.addKey(4, 3n, KEY_A);
    const f = await tx.encrypt(NONE, NONE);
    expect(await codeOf(rx.decrypt(NONE, f))).toBe('ok');
    await rx.addKey(4, 3n, KEY_A);
    expect(await codeOf(rx.decrypt(NONE, f))).toBe('replay');
  });

  it('a removeKey made while the key imports wins', async () => {
    const rx = new SFrameReceiver();
    const adding = rx.addKey(4, 1n, KEY_A);
    rx.removeKey(1n);
    await adding;
    expect(rx.hasKey(1n)).toBe(false);
  });

  it('rejects every replayed frame of a random delivery order (property)', async () => {
    const tx = new SFrameSender();
    await tx.setKey(2, 77n, KEY_A);
    const frames = await Promise.all(Array.from({ length: 40 }, (_, i) => tx.encrypt(NONE, Uint8Array.of(i))));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(39), { minLength: 1, maxLength: 80 }), async (order) => {
        const rx = new SFrameReceiver({ replayWindow: 64 });
        await rx.addKey(2, 77n, KEY_A);
        const delivered = new Set<number>();
        for (const i of order) {
          const code = await codeOf(rx.decrypt(NONE, frames[i]!));
          expect(code).toBe(delivered.has(i) ? 'replay' : 'ok');
          delivered.add(i);
        }
      }),
      { numRuns: 50 },
    );
  });
});
