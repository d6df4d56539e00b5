/**
 * The media Worker end to end in Node: fake encoded frames go through a
 * sender's transform and a receiver's transform via the same messages the
 * page sends. Fail-closed behaviour is checked from the outside.
 */
import { describe, expect, it, vi } from 'vitest';
import type { EncodedFrame } from './frame-transformer.js';
import { MediaWorker, type WorkerScope } from './media-worker.js';
import type { FromWorker, ToWorker, TransformOptions } from '../worker-messages.js';

class FakeScope {
  readonly posted: FromWorker[] = [];
  private listeners: Record<string, Array<(e: unknown) => void>> = {};
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

function setup() {
  const scope = new FakeScope();
  scope.worker = new MediaWorker(scope as unknown as WorkerScope);
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
