/**
 * The media Worker end to end in Node: fake encoded frames go through a
 * sender's transform and a receiver's transform via the same messages the
 * page sends. Fail-closed behaviour is checked from the outside.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kidFor } from '../../group/sframe-epoch-keys.js';
import type { EncodedFrame } from './frame-transformer.js';
import { MediaWorker, type MediaWorkerOptions, type WorkerScope } from './media-worker.js';
import { decodeOriginBatch, encodeOriginBatch } from './origin-batch.js';
import { ORIGIN_MAX_EARLY, ORIGIN_MAX_PENDING } from './origin-tracker.js';
import {
  ORIGIN_BATCH_MAX_ENTRIES,
  ORIGIN_BATCH_MS,
  ORIGIN_DEADLINE_MS,
  type FromWorker,
  type MediaSource,
  type ToWorker,
  type TransformOptions,
} from '../worker-messages.js';

class FakeScope {
  readonly posted: FromWorker[] = [];
  listeners: Record<string, Array<(e: unknown) => void>> = {};
  postMessage(m: FromWorker) {
    this.posted.push(m);
  }
  addEventListener(type: string, l: (e: unknown) => void) {
    (this.listeners[type] ??= []).push(l);
  }
  worker!: MediaWorker;
  /** Delivers a message and waits until the Worker has carried it out (key imports are async). */
  async send(m: ToWorker) {
    await this.worker.handle(m);
  }
}

function vp8Frame(key: boolean, size = 200): EncodedFrame {
  const data = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
  if (key) data.set([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
  else data[0] = 0x31;
  return { data: data.buffer, type: key ? 'key' : 'delta', getMetadata: () => ({ mimeType: 'video/VP8' }) };
}

/** Runs frames through a transform attached with the streams fallback; returns what came out. */
async function pump(scope: FakeScope, options: TransformOptions, frames: EncodedFrame[]): Promise<EncodedFrame[]> {
  const out: EncodedFrame[] = [];
  const readable = new ReadableStream<EncodedFrame>({
    start(c) {
      for (const f of frames) c.enqueue(f);
      c.close();
    },
  });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const writable = new WritableStream<EncodedFrame>({ write: (f) => void out.push(f), close: () => done() });
  await scope.send({ type: 'transform-streams', options, readable, writable });
  await finished;
  return out;
}

const key = (n: number) => new Uint8Array(32).fill(n);

function setup(options?: MediaWorkerOptions) {
  const scope = new FakeScope();
  scope.worker = new MediaWorker(scope as unknown as WorkerScope, options);
  return scope;
}

const sendKey = (epoch: bigint, n: number, activateAfterMs = 0): ToWorker => ({
  type: 'set-send-key',
  epoch,
  leaf: 1,
  baseKey: key(n),
  activateAfterMs,
});
const recvKey = (epoch: bigint, n: number): ToWorker => ({ type: 'add-receive-key', peerId: 'alice', epoch, leaf: 1, baseKey: key(n) });
const camOut: TransformOptions = { operation: 'encrypt', kind: 'video', source: 'camera' };
const camIn: TransformOptions = { operation: 'decrypt', kind: 'video', source: 'camera', peerId: 'alice' };
const screenOut: TransformOptions = { operation: 'encrypt', kind: 'video', source: 'screen' };
const screenIn: TransformOptions = { operation: 'decrypt', kind: 'video', source: 'screen', peerId: 'alice' };
const micOut: TransformOptions = { operation: 'encrypt', kind: 'audio', source: 'mic', mimeType: 'audio/opus' };
const micIn: TransformOptions = { operation: 'decrypt', kind: 'audio', source: 'mic', peerId: 'alice' };
const opus = (): EncodedFrame => ({ data: new Uint8Array(60).fill(9).buffer, getMetadata: () => ({}) });

describe('MediaWorker', () => {
  it('sends nothing before it has a key (fail closed)', async () => {
    const scope = setup();
    const out = await pump(scope, camOut, [vp8Frame(true), vp8Frame(false)]);
    expect(out).toHaveLength(0);
    expect(scope.posted.some((m) => m.type === 'send-status' && m.sending)).toBe(false);
  });

  it('encrypts with the clear VP8 header, and a receiver with the key restores the exact frame', async () => {
    const alice = setup();
    await alice.send(sendKey(3n, 1));
    const originals = [vp8Frame(true), vp8Frame(false)].map((f) => new Uint8Array(f.data.slice(0)));
    const sent = await pump(alice, camOut, [vp8Frame(true), vp8Frame(false)]);
    expect(sent).toHaveLength(2);
    expect(alice.posted).toContainEqual({ type: 'send-status', sending: true });
    expect(alice.posted).toContainEqual({ type: 'send-key-active', epoch: 3n });
    const keyFrame = new Uint8Array(sent[0]!.data);
    expect([...keyFrame.subarray(0, 10)]).toEqual([...originals[0]!.subarray(0, 10)]); // clear bytes
    expect(keyFrame.length).toBeGreaterThan(originals[0]!.length); // SFrame header + tag added
    expect(Buffer.from(keyFrame.subarray(10)).includes(Buffer.from(originals[0]!.subarray(10, 40)))).toBe(false);

    const bob = setup();
    await bob.send(recvKey(3n, 1));
    const got = await pump(bob, camIn, sent);
    expect(got.map((f) => [...new Uint8Array(f.data)])).toEqual(originals.map((o) => [...o]));
    expect(bob.posted).toContainEqual({ type: 'receive-status', peerId: 'alice', kind: 'video', status: 'encrypted', reason: 'ok' });
  });

  it('drops frames it cannot authenticate and says why', async () => {
    const alice = setup();
    await alice.send(sendKey(5n, 1));
    const sent = await pump(alice, camOut, [vp8Frame(true)]);

    const noKey = setup();
    expect(await pump(noKey, camIn, [sent[0]!])).toHaveLength(0);
    expect(noKey.posted.at(-1)).toMatchObject({ type: 'receive-status', status: 'waiting-for-key' });

    const wrongKey = setup();
    await wrongKey.send(recvKey(5n, 2));
    expect(await pump(wrongKey, camIn, [sent[0]!])).toHaveLength(0);
    expect(wrongKey.posted.at(-1)).toMatchObject({ type: 'receive-status', status: 'cannot-decrypt' });
  });

  it('forgets keys on reset and on drop', async () => {
    const alice = setup();
    await alice.send(sendKey(7n, 3));
    const frames = await pump(alice, camOut, [vp8Frame(true), vp8Frame(false)]);
    const bob = setup();
    await bob.send(recvKey(7n, 3));
    await bob.send({ type: 'drop-receive-keys', peerId: 'alice', epoch: 7n });
    expect(await pump(bob, camIn, frames)).toHaveLength(0);

    await alice.send({ type: 'reset' });
    expect(await pump(alice, camOut, [vp8Frame(true)])).toHaveLength(0);
  });

  it('gives camera, screen and mic their own KIDs and counters under one epoch key', async () => {
    const alice = setup();
    await alice.send(sendKey(4n, 4));
    const [cam] = await pump(alice, camOut, [vp8Frame(true)]);
    const [screen] = await pump(alice, screenOut, [vp8Frame(true)]);
    const [mic] = await pump(alice, micOut, [opus()]);
    // Each is counter 0 of its own KID: the SFrame header differs in its KID, not in a shared counter.
    const header = (f: EncodedFrame, clear: number) => [...new Uint8Array(f.data).subarray(clear, clear + 6)].join(',');
    expect(new Set([header(cam!, 10), header(screen!, 10), header(mic!, 0)]).size).toBe(3);
    const bob = setup();
    await bob.send(recvKey(4n, 4));
    expect(await pump(bob, camIn, [cam!])).toHaveLength(1);
    expect(await pump(bob, screenIn, [screen!])).toHaveLength(1);
    expect(await pump(bob, micIn, [mic!])).toHaveLength(1);
  });

  it('refuses camera frames copied into the screen-share stream', async () => {
    const alice = setup();
    await alice.send(sendKey(4n, 4));
    const cam = await pump(alice, camOut, [vp8Frame(true), vp8Frame(false)]);
    const bob = setup();
    await bob.send(recvKey(4n, 4));
    expect(await pump(bob, screenIn, cam)).toHaveLength(0);
    expect(await pump(bob, camIn, cam)).toHaveLength(2); // and the copies did not use up the camera's counters
  });

  it('shares one replay window per (sender, KID) across receivers: frames replayed through a second receiver are refused', async () => {
    const alice = setup();
    await alice.send(sendKey(2n, 5));
    const frames = await pump(alice, camOut, [vp8Frame(true), ...Array.from({ length: 5 }, () => vp8Frame(false))]);
    const bob = setup();
    await bob.send(recvKey(2n, 5));
    expect(await pump(bob, camIn, frames)).toHaveLength(6);
    // The server opens a second consumer of alice's camera and replays everything through it.
    expect(await pump(bob, camIn, frames)).toHaveLength(0);
  });

  it('never reuses a (key, counter) after a reset: a KID set again resumes its counters', async () => {
    const alice = setup();
    await alice.send(sendKey(9n, 6));
    const first = await pump(alice, camOut, [vp8Frame(true), vp8Frame(false)]);
    await alice.send({ type: 'reset' });
    await alice.send(sendKey(9n, 6));
    const second = await pump(alice, camOut, [vp8Frame(true)]);
    const bob = setup();
    await bob.send(recvKey(9n, 6));
    // All three decrypt: the third frame carries counter 2, not a second counter 0.
    expect(await pump(bob, camIn, [...first, ...second])).toHaveLength(3);
  });

  it('delays a replacement send key by its activation time', async () => {
    const alice = setup();
    await alice.send(sendKey(1n, 1));
    await alice.send(sendKey(2n, 2, 150));
    const bob = setup();
    await bob.send(recvKey(1n, 1));
    const before = await pump(alice, micOut, [opus()]);
    expect(await pump(bob, micIn, before)).toHaveLength(1);
    expect(alice.posted).not.toContainEqual({ type: 'send-key-active', epoch: 2n }); // not before its time
    await vi.waitFor(() => expect(alice.posted).toContainEqual({ type: 'send-key-active', epoch: 2n }), { timeout: 5000 });
    const after = await pump(alice, micOut, [opus()]);
    expect(await pump(bob, micIn, after)).toHaveLength(0); // epoch 2 unknown to bob
  });
});

describe('MediaWorker frame origin', () => {
  /** Fake timers for the batch flush and the deadline sweep; `now` moves with them. */
  let now = 0;
  const clock: MediaWorkerOptions = { now: () => now };
  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };
  beforeEach(() => {
    now = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => vi.useRealTimers());

  /** Waits (on real time, for WebCrypto) until `cond` holds. */
  async function until(cond: () => boolean) {
    for (let i = 0; i < 5000 && !cond(); i++) await new Promise((r) => setImmediate(r));
    expect(cond()).toBe(true);
  }

  const batchesOf = (s: FakeScope) => s.posted.flatMap((m) => (m.type === 'origin-batch' ? [m.batch] : []));
  const statusesOf = (s: FakeScope, source: MediaSource = 'camera') =>
    s.posted.flatMap((m) => (m.type === 'origin-status' && m.source === source ? [[m.status, m.reason].filter(Boolean).join(' ')] : []));
  const verified = (batch: Uint8Array, leaf = 1, peerId = 'alice'): ToWorker => ({ type: 'origin-verified', peerId, leaf, batch });
  const delta = (n: number, size?: number) => Array.from({ length: n }, () => vp8Frame(false, size));

  /** Alice (leaf 1) sending under epoch 3, and Bob receiving her with origin enforced. */
  async function call() {
    const alice = setup(clock);
    await alice.send(sendKey(3n, 1));
    const bob = setup(clock);
    await bob.send(recvKey(3n, 1));
    await bob.send({ type: 'origin-enforce', enforce: true });
    return { alice, bob };
  }

  /** Everything Alice's Worker collected so far, flushed as one batch. */
  function flush(alice: FakeScope): Uint8Array {
    const before = batchesOf(alice).length;
    advance(ORIGIN_BATCH_MS);
    const batches = batchesOf(alice);
    expect(batches.length).toBe(before + 1);
    return batches.at(-1)!;
  }

  it("hands the page one batch of every source's frames, and a receiver goes pending → verified", async () => {
    const { alice, bob } = await call();
    const cam = await pump(alice, camOut, [vp8Frame(true), ...delta(2)]);
    const mic = await pump(alice, micOut, [opus(), opus()]);
    advance(ORIGIN_BATCH_MS - 1);
    expect(batchesOf(alice)).toHaveLength(0); // not before its time
    const batch = flush(alice);
    expect(decodeOriginBatch(batch).map((e) => [e.kid, e.ctr])).toEqual([
      [kidFor('camera', 1, 3n), 0n],
      [kidFor('camera', 1, 3n), 1n],
      [kidFor('camera', 1, 3n), 2n],
      [kidFor('mic', 1, 3n), 0n],
      [kidFor('mic', 1, 3n), 1n],
    ]);
    expect(batch.length).toBe(1 + 2 * 17 + 5 * 16);

    expect(await pump(bob, camIn, cam)).toHaveLength(3); // shown while pending
    expect(await pump(bob, micIn, mic)).toHaveLength(2);
    expect(statusesOf(bob)).toEqual(['pending']);
    await bob.send(verified(batch));
    expect(statusesOf(bob)).toEqual(['pending', 'verified']);
    expect(statusesOf(bob, 'mic')).toEqual(['pending', 'verified']);
    expect(bob.worker.originState('alice', 'camera')).toEqual({ status: 'verified', frames: 0, entries: 0 });
    advance(2 * ORIGIN_DEADLINE_MS);
    expect(statusesOf(bob)).toEqual(['pending', 'verified']);
    expect(await pump(bob, camIn, await pump(alice, camOut, delta(2)))).toHaveLength(2);
  });

  it('covers frames hashed off the critical path (WebCrypto, large frames) the same way', async () => {
    const { alice, bob } = await call();
    const cam = await pump(alice, camOut, [vp8Frame(true, 50_000), ...delta(3, 30_000)]);
    // The entries join a batch as their hashes finish, which may take more than one batch.
    const entries = () => batchesOf(alice).reduce((n, b) => n + decodeOriginBatch(b).length, 0);
    await until(() => (advance(ORIGIN_BATCH_MS), entries() === 4));
    expect(await pump(bob, camIn, cam)).toHaveLength(4);
    await until(() => bob.worker.originState('alice', 'camera')?.frames === 4);
    for (const b of batchesOf(alice)) await bob.send(verified(b));
    expect(statusesOf(bob)).toEqual(['pending', 'verified']);
    expect(bob.worker.originState('alice', 'camera')).toMatchObject({ frames: 0, entries: 0 });
  });

  it('sends a full batch at once, without waiting for the timer', async () => {
    const { alice } = await call();
    await pump(alice, micOut, Array.from({ length: ORIGIN_BATCH_MAX_ENTRIES + 3 }, opus));
    const batches = batchesOf(alice);
    expect(batches).toHaveLength(1);
    expect(decodeOriginBatch(batches[0]!)).toHaveLength(ORIGIN_BATCH_MAX_ENTRIES);
    expect(decodeOriginBatch(flush(alice))).toHaveLength(3);
  });

  it('matches batches that arrive before their frames', async () => {
    const { alice, bob } = await call();
    const cam = await pump(alice, camOut, [vp8Frame(true), ...delta(3)]);
    await bob.send(verified(flush(alice)));
    expect(statusesOf(bob)).toEqual([]);
    expect(await pump(bob, camIn, cam)).toHaveLength(4);
    expect(statusesOf(bob)).toEqual(['pending', 'verified']);
    expect(bob.worker.originState('alice', 'camera')).toMatchObject({ frames: 0, entries: 0 });
  });

  it("fails a forger's frames relabelled onto the victim's stream as forged, drops what follows, until a new epoch", async () => {
    const { alice, bob } = await call();
    // Mallory (leaf 2) knows every leaf's base key of the epoch, and encrypts under Alice's camera KID.
    const mallory = setup(clock);
    await mallory.send({ type: 'set-send-key', epoch: 3n, leaf: 1, baseKey: key(1), activateAfterMs: 0 });
    const real = await pump(alice, camOut, [vp8Frame(true), ...delta(4)]);
    const fake = await pump(mallory, camOut, [vp8Frame(true, 300), ...delta(4, 300)]);
    // The server forwards Alice's first two frames, then Mallory's at the counters that follow.
    expect(await pump(bob, camIn, [...real.slice(0, 2), ...fake.slice(2, 4)])).toHaveLength(4);
    await bob.send(verified(flush(alice))); // Alice's real batch: counters 2 and 3 have other hashes
    expect(statusesOf(bob)).toEqual(['pending', 'verified', 'failed forged']);
    // Alice's later frames are not shown while the source stands forged, nor after time passes.
    expect(await pump(bob, camIn, real.slice(4))).toHaveLength(0);
    const more = await pump(alice, camOut, delta(3));
    await bob.send(verified(flush(alice)));
    advance(2 * ORIGIN_DEADLINE_MS);
    expect(await pump(bob, camIn, more)).toHaveLength(0);
    expect(statusesOf(bob).at(-1)).toBe('failed forged');
    // Keys of a new epoch: pending again, and frames under them are shown.
    await alice.send(sendKey(4n, 9));
    await bob.send(recvKey(4n, 9));
    expect(statusesOf(bob).at(-1)).toBe('pending');
    const next = await pump(alice, camOut, [vp8Frame(true)]);
    expect(await pump(bob, camIn, next)).toHaveLength(1);
    await bob.send(verified(flush(alice)));
    expect(statusesOf(bob).at(-1)).toBe('verified');
  });

  it("fails a forger's frames at counters the victim never signed as unsigned, and drops its later frames", async () => {
    const { alice, bob } = await call();
    const mallory = setup(clock);
    await mallory.send({ type: 'set-send-key', epoch: 3n, leaf: 1, baseKey: key(1), activateAfterMs: 0 });
    const real = await pump(alice, camOut, [vp8Frame(true), ...delta(2)]);
    const fake = await pump(mallory, camOut, [vp8Frame(true), ...delta(9)]);
    expect(await pump(bob, camIn, [...real, ...fake.slice(5, 8)])).toHaveLength(6);
    // Mallory signs her own batch (leaf 2): her entries for Alice's KID are refused.
    advance(ORIGIN_BATCH_MS);
    const mallorys = batchesOf(mallory).at(-1)!;
    await bob.send(verified(mallorys, 2, 'mallory'));
    await bob.send(verified(mallorys, 2, 'alice')); // even were the page to name Alice as its signer
    expect(bob.worker.originRefusals.entries).toBe(2 * 10);
    await bob.send(verified(batchesOf(alice).at(-1)!));
    expect(statusesOf(bob)).toEqual(['pending', 'verified']);
    advance(ORIGIN_DEADLINE_MS + 100);
    expect(statusesOf(bob)).toEqual(['pending', 'verified', 'failed unsigned']);
    expect(await pump(bob, camIn, fake.slice(8))).toHaveLength(0);
  });

  it("ignores a batch signed by one member listing another's KIDs", async () => {
    const { alice, bob } = await call();
    const cam = await pump(alice, camOut, [vp8Frame(true), ...delta(2)]);
    const batch = flush(alice);
    expect(await pump(bob, camIn, cam)).toHaveLength(3);
    await bob.send(verified(batch, 2, 'mallory')); // Alice's entries, replayed under Mallory's signature
    await bob.send(verified(batch, 2, 'alice'));
    expect(bob.worker.originRefusals).toEqual({ batches: 0, entries: 6 });
    expect(statusesOf(bob)).toEqual(['pending']);
    expect(bob.worker.originState('mallory', 'camera')).toBeNull();
    advance(ORIGIN_DEADLINE_MS + 100);
    expect(statusesOf(bob)).toEqual(['pending', 'failed unsigned']);
    // And malformed batches are refused whole.
    await bob.send(verified(batch.subarray(0, batch.length - 1)));
    await bob.send(verified(new Uint8Array([2, ...batch.subarray(1)])));
    expect(bob.worker.originRefusals).toEqual({ batches: 2, entries: 6 });
  });

  it('fails unsigned when nothing is covered in time, drops frames meanwhile, and recovers (with a key frame request) once covered again', async () => {
    const { alice, bob } = await call();
    // An RTCRtpScriptTransform receiver of Alice's camera, to see the key frame requests.
    const sendKeyFrameRequest = vi.fn(() => Promise.resolve());
    const idle = { readable: new ReadableStream<EncodedFrame>(), writable: new WritableStream<EncodedFrame>() };
    for (const l of bob.listeners['rtctransform']!) l({ transformer: { ...idle, options: camIn, sendKeyFrameRequest } });

    expect(await pump(bob, camIn, await pump(alice, camOut, [vp8Frame(true), ...delta(2)]))).toHaveLength(3);
    const late = flush(alice); // the page does not relay it in time
    advance(ORIGIN_DEADLINE_MS - ORIGIN_BATCH_MS - 100); // the frames came at 0
    expect(statusesOf(bob)).toEqual(['pending']);
    advance(200);
    expect(statusesOf(bob)).toEqual(['pending', 'failed unsigned']);
    const held = await pump(alice, camOut, delta(3));
    expect(await pump(bob, camIn, held)).toHaveLength(0); // not shown while failed
    await bob.send(verified(late)); // too late to matter: those frames already failed the source
    expect(statusesOf(bob).at(-1)).toBe('failed unsigned');
    sendKeyFrameRequest.mockClear();
    await bob.send(verified(flush(alice))); // covers the held frames: nothing uncovered is left
    expect(statusesOf(bob)).toEqual(['pending', 'failed unsigned', 'verified']);
    expect(sendKeyFrameRequest).toHaveBeenCalled();
    expect(await pump(bob, camIn, await pump(alice, camOut, delta(2)))).toHaveLength(2);
  });

  it('only reports, and drops nothing, until the page turns enforcement on', async () => {
    const alice = setup(clock);
    await alice.send(sendKey(3n, 1));
    const bob = setup(clock);
    await bob.send(recvKey(3n, 1));
    expect(await pump(bob, camIn, await pump(alice, camOut, [vp8Frame(true)]))).toHaveLength(1);
    advance(ORIGIN_DEADLINE_MS + 100);
    expect(statusesOf(bob)).toEqual(['pending', 'failed unsigned']);
    expect(await pump(bob, camIn, await pump(alice, camOut, delta(2)))).toHaveLength(2);
    await bob.send({ type: 'origin-enforce', enforce: true });
    expect(await pump(bob, camIn, await pump(alice, camOut, delta(2)))).toHaveLength(0);
  });

  it('stays bounded under a flood of frames nobody signs, and of entries for frames that never come', async () => {
    const { alice, bob } = await call();
    const mallory = setup(clock);
    await mallory.send({ type: 'set-send-key', epoch: 3n, leaf: 1, baseKey: key(1), activateAfterMs: 0 });
    const flood = await pump(mallory, camOut, [vp8Frame(true, 60), ...delta(ORIGIN_MAX_PENDING + 300, 60)]);
    const shown = await pump(bob, camIn, flood);
    // Shown until the oldest unsigned frame had to be let go uncovered: that fails the source at once.
    expect(shown).toHaveLength(ORIGIN_MAX_PENDING);
    expect(bob.worker.originState('alice', 'camera')).toMatchObject({ status: 'failed', reason: 'unsigned', frames: ORIGIN_MAX_PENDING });
    // Entries for frames that never arrive (signed by Alice, for counters far ahead).
    const hash = new Uint8Array(16);
    for (let b = 0; b < 20; b++) {
      const entries = Array.from({ length: ORIGIN_BATCH_MAX_ENTRIES }, (_, i) => ({
        kid: kidFor('camera', 1, 3n),
        ctr: 1_000_000n + BigInt(b * 100 + i),
        hash,
      }));
      await bob.send(verified(encodeOriginBatch(entries)));
    }
    expect(bob.worker.originState('alice', 'camera')).toMatchObject({ frames: ORIGIN_MAX_PENDING, entries: ORIGIN_MAX_EARLY });
    // Both let go once past the deadline; the sweep then stops.
    advance(ORIGIN_DEADLINE_MS + 100);
    expect(bob.worker.originState('alice', 'camera')).toMatchObject({ frames: 0, entries: 0 });
    expect(vi.getTimerCount()).toBe(0);
    void alice;
  });
});
