/**
 * The media Worker end to end in Node: fake encoded frames go through a
 * sender's transform and a receiver's transform via the same messages the
 * page sends. Fail-closed behaviour is checked from the outside.
 */
import { describe, expect, it } from 'vitest';
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
  async send(m: ToWorker) {
    for (const l of this.listeners['message'] ?? []) l({ data: m });
    await new Promise((r) => setTimeout(r, 20)); // key import is async
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
  new MediaWorker(scope as unknown as WorkerScope);
  return scope;
}

describe('MediaWorker', () => {
  it('sends nothing before it has a key (fail closed)', async () => {
    const scope = setup();
    const out = await pump(scope, { operation: 'encrypt', kind: 'video' }, [vp8Frame(true), vp8Frame(false)]);
    expect(out).toHaveLength(0);
    expect(scope.posted.some((m) => m.type === 'send-status' && m.sending)).toBe(false);
  });

  it('encrypts with the clear VP8 header, and a receiver with the key restores the exact frame', async () => {
    const alice = setup();
    await alice.send({ type: 'set-send-key', kid: 0x10001n, baseKey: key(1), activateAfterMs: 0 });
    const originals = [vp8Frame(true), vp8Frame(false)].map((f) => new Uint8Array(f.data.slice(0)));
    const sent = await pump(alice, { operation: 'encrypt', kind: 'video' }, [vp8Frame(true), vp8Frame(false)]);
    expect(sent).toHaveLength(2);
    expect(alice.posted).toContainEqual({ type: 'send-status', sending: true });
    expect(alice.posted).toContainEqual({ type: 'send-key-active', kid: 0x10001n });
    const keyFrame = new Uint8Array(sent[0]!.data);
    expect([...keyFrame.subarray(0, 10)]).toEqual([...originals[0]!.subarray(0, 10)]); // clear bytes
    expect(keyFrame.length).toBeGreaterThan(originals[0]!.length); // SFrame header + tag added
    expect(Buffer.from(keyFrame.subarray(10)).includes(Buffer.from(originals[0]!.subarray(10, 40)))).toBe(false);

    const bob = setup();
    await bob.send({ type: 'add-receive-key', peerId: 'alice', kid: 0x10001n, baseKey: key(1) });
    const got = await pump(bob, { operation: 'decrypt', kind: 'video', peerId: 'alice' }, sent);
    expect(got.map((f) => [...new Uint8Array(f.data)])).toEqual(originals.map((o) => [...o]));
    expect(bob.posted).toContainEqual({ type: 'receive-status', peerId: 'alice', kind: 'video', status: 'encrypted', reason: 'ok' });
  });

  it('drops frames it cannot authenticate and says why', async () => {
    const alice = setup();
    await alice.send({ type: 'set-send-key', kid: 5n, baseKey: key(1), activateAfterMs: 0 });
    const sent = await pump(alice, { operation: 'encrypt', kind: 'video' }, [vp8Frame(true)]);

    const noKey = setup();
    expect(await pump(noKey, { operation: 'decrypt', kind: 'video', peerId: 'alice' }, [sent[0]!])).toHaveLength(0);
    expect(noKey.posted.at(-1)).toMatchObject({ type: 'receive-status', status: 'waiting-for-key' });

    const wrongKey = setup();
    await wrongKey.send({ type: 'add-receive-key', peerId: 'alice', kid: 5n, baseKey: key(2) });
    expect(await pump(wrongKey, { operation: 'decrypt', kind: 'video', peerId: 'alice' }, [sent[0]!])).toHaveLength(0);
    expect(wrongKey.posted.at(-1)).toMatchObject({ type: 'receive-status', status: 'cannot-decrypt' });
  });

  it('forgets keys on reset and on drop', async () => {
    const alice = setup();
    await alice.send({ type: 'set-send-key', kid: 7n, baseKey: key(3), activateAfterMs: 0 });
    const frames = await pump(alice, { operation: 'encrypt', kind: 'video' }, [vp8Frame(true), vp8Frame(false)]);
    const bob = setup();
    await bob.send({ type: 'add-receive-key', peerId: 'alice', kid: 7n, baseKey: key(3) });
    await bob.send({ type: 'drop-receive-keys', peerId: 'alice', kid: 7n });
    expect(await pump(bob, { operation: 'decrypt', kind: 'video', peerId: 'alice' }, frames)).toHaveLength(0);

    await alice.send({ type: 'reset' });
    expect(await pump(alice, { operation: 'encrypt', kind: 'video' }, [vp8Frame(true)])).toHaveLength(0);
  });

  it("gives each receiver its own replay window, so a busy camera cannot push the screen share's frames out", async () => {
    const alice = setup();
    await alice.send({ type: 'set-send-key', kid: 3n, baseKey: key(4), activateAfterMs: 0 });
    // One sender key, two video tracks: the screen's key frame, then 200 camera frames, then a screen delta frame.
    const [screenKey] = await pump(alice, { operation: 'encrypt', kind: 'video' }, [vp8Frame(true)]);
    const camera = await pump(alice, { operation: 'encrypt', kind: 'video' }, [
      vp8Frame(true),
      ...Array.from({ length: 199 }, () => vp8Frame(false)),
    ]);
    const [screenDelta] = await pump(alice, { operation: 'encrypt', kind: 'video' }, [vp8Frame(false)]);
    expect(camera).toHaveLength(200);

    const bob = setup();
    await bob.send({ type: 'add-receive-key', peerId: 'alice', kid: 3n, baseKey: key(4) });
    // The camera receiver runs ahead by 200 counters before the screen receiver sees its first frame.
    expect(await pump(bob, { operation: 'decrypt', kind: 'video', peerId: 'alice' }, camera)).toHaveLength(200);
    expect(await pump(bob, { operation: 'decrypt', kind: 'video', peerId: 'alice' }, [screenKey!, screenDelta!])).toHaveLength(2);
  });

  it('delays a replacement send key by its activation time', async () => {
    const alice = setup();
    await alice.send({ type: 'set-send-key', kid: 1n, baseKey: key(1), activateAfterMs: 0 });
    await alice.send({ type: 'set-send-key', kid: 2n, baseKey: key(2), activateAfterMs: 150 });
    const bob = setup();
    await bob.send({ type: 'add-receive-key', peerId: 'alice', kid: 1n, baseKey: key(1) });
    const before = await pump(alice, { operation: 'encrypt', kind: 'audio', mimeType: 'audio/opus' }, [
      { data: new Uint8Array(60).fill(9).buffer, getMetadata: () => ({}) },
    ]);
    expect(await pump(bob, { operation: 'decrypt', kind: 'audio', peerId: 'alice' }, before)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    const after = await pump(alice, { operation: 'encrypt', kind: 'audio' }, [
      { data: new Uint8Array(60).fill(9).buffer, getMetadata: () => ({}) },
    ]);
    expect(await pump(bob, { operation: 'decrypt', kind: 'audio', peerId: 'alice' }, after)).toHaveLength(0); // kid 2 unknown to bob
  });
});
