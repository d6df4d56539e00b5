/**
 * Frame origin cost per frame, beside SFrame's, measured the same way in
 * Node and in a Chromium Worker (part of sframe-measure.mjs's run):
 *
 * 1. The origin hash alone, by @noble/hashes on this thread ("inline") and by
 *    WebCrypto: its latency (awaited one at a time), and what it costs per
 *    frame when frames keep coming (issued back to back, all awaited at the
 *    end of the round, as the Worker does: nothing waits for a hash). This
 *    picks ORIGIN_HASH_INLINE_MAX in frame-origin.ts.
 * 2. The whole bookkeeping, as the media Worker does it, beside
 *    FrameCrypto: sender = encryptFrame + OriginBatcher.add (hash, batch,
 *    encode); receiver = decryptFrame + hash + OriginTracker.frame, plus
 *    decoding the sender's batches and matching their entries. Each round
 *    awaits the hashes still running, so they are counted.
 * 3. The batch bytes a sender hands the page per second.
 */
import { FrameCrypto } from '../dist/frames.js';
import { originHash, originHashInline, originHashSubtle, ORIGIN_HASH_INLINE_MAX } from '../dist/media/worker/frame-origin.js';
import { OriginBatcher } from '../dist/media/worker/origin-batcher.js';
import { OriginTracker } from '../dist/media/worker/origin-tracker.js';
import { decodeOriginBatch, encodeOriginBatch } from '../dist/media/worker/origin-batch.js';
import { kidOwner } from '../dist/media/worker/kid-owner.js';
import { ORIGIN_BATCH_MAX_ENTRIES, ORIGIN_BATCH_MS } from '../dist/media/worker-messages.js';

const ROUNDS = 9;
const BASE_KEY = new Uint8Array(32).fill(7);
const CAMERA_KID = 0x105n; // kidFor('camera', leaf 1, epoch 5)
const MIC_KID = 0x1000105n;

function random(size) {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(size, i + 65536)));
  return b;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function framesFor(size) {
  return Math.max(30, Math.min(1500, Math.floor(1_500_000 / (size + 500))));
}

/**
 * Interleaved rounds of named ops; each op is (n) => Promise that runs n
 * frames. Returns the median µs per frame of each.
 */
async function measure(n, ops) {
  for (const fn of Object.values(ops)) await fn(Math.min(20, n)); // warm-up
  const samples = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(ops)) {
      const t0 = performance.now();
      await fn(n);
      samples[k].push(((performance.now() - t0) * 1000) / n);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

const fmt = (us) => (us < 100 ? us.toFixed(1) : us.toFixed(0)).padStart(7);
const sizeLabel = (s) => (s >= 1000 ? `${s / 1000} KB` : `${s} B`);

/** A VP8 key frame of `size` bytes: 10-byte clear header, then data. */
function vp8Frame(size) {
  const f = random(size);
  f.set([0x50, 0x2d, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
  return f;
}

async function hashOps(size) {
  const o = { clear: random(10), sframe: random(size) };
  return {
    inline: async (n) => {
      for (let i = 0; i < n; i++) originHashInline(o);
    },
    subtleAwaited: async (n) => {
      for (let i = 0; i < n; i++) await originHashSubtle(o);
    },
    subtleStream: async (n) => {
      const pending = [];
      for (let i = 0; i < n; i++) pending.push(originHashSubtle(o));
      await Promise.all(pending);
    },
    subtleCall: async (n) => {
      // Only the part on this thread before the call returns (the copy and the call).
      const pending = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) pending.push(originHashSubtle(o));
      const spent = performance.now() - t0;
      await Promise.all(pending);
      return spent;
    },
  };
}

/** An OriginBatcher hashing with `hash`, whose WebCrypto hashes can be awaited (`settle`). */
function batcherWithSettle(post, hash = originHash) {
  let running = [];
  const batcher = new OriginBatcher(post, (o) => {
    const h = hash(o);
    if (h instanceof Promise) running.push(h);
    return h;
  });
  batcher.settle = async () => {
    await Promise.all(running);
    running = [];
  };
  return batcher;
}

const HASHES = { subtle: originHashSubtle, inline: originHashInline };

/**
 * For frames of `mime`: encrypt and decrypt alone, and with the origin
 * bookkeeping hashing by each implementation (encSubtle, decInline, …).
 */
async function bookkeepingOps(mime, suite, kid, frame, total) {
  const ops = {};
  const checks = [];
  const plain = new FrameCrypto();
  await plain.sender.setKey(suite, kid, BASE_KEY);
  ops.enc = async (n) => {
    for (let i = 0; i < n; i++) await plain.encryptFrame(mime, true, frame);
  };

  // Frames for the receivers, and their sender's batches (one every 20 frames), made ahead.
  const source = new FrameCrypto();
  await source.sender.setKey(suite, kid, BASE_KEY);
  const wires = [];
  const sourceBatches = [];
  const sourceBatcher = batcherWithSettle((b) => sourceBatches.push(b));
  for (let i = 0; i < total; i++) {
    wires.push(await source.encryptFrame(mime, true, frame, (o) => sourceBatcher.add(o)));
    if (i % 20 === 19) {
      await sourceBatcher.settle();
      sourceBatcher.flush();
    }
  }
  const rxPlain = new FrameCrypto();
  await rxPlain.receiver.addKey(suite, kid, BASE_KEY);
  let nextPlain = 0;
  ops.dec = async (n) => {
    for (let i = 0; i < n; i++) await rxPlain.decryptFrame(mime, wires[nextPlain++]);
  };

  for (const [name, hash] of Object.entries(HASHES)) {
    const tx = new FrameCrypto();
    await tx.sender.setKey(suite, kid, BASE_KEY);
    const batches = [];
    const batcher = batcherWithSettle((b) => batches.push(b), hash);
    ops[`enc${name}`] = async (n) => {
      for (let i = 0; i < n; i++) await tx.encryptFrame(mime, true, frame, (o) => batcher.add(o));
      await batcher.settle();
      batcher.flush(); // what the timer would hand over
      batches.length = 0;
    };

    const rx = new FrameCrypto();
    await rx.receiver.addKey(suite, kid, BASE_KEY);
    const tracker = new OriginTracker({ onChange: () => undefined });
    const leaf = kidOwner(kid).leaf;
    let running = [];
    // As MediaWorker.admit: hash (inline, or WebCrypto without waiting), then record.
    const admit = (o) => {
      const at = performance.now();
      const shown = tracker.showing;
      const h = hash(o);
      if (h instanceof Uint8Array) tracker.frame(o.kid, o.ctr, h, at, shown);
      else running.push(h.then((x) => tracker.frame(o.kid, o.ctr, x, at, shown)));
    };
    let next = 0;
    let nextBatch = 0;
    ops[`dec${name}`] = async (n) => {
      for (let i = 0; i < n; i++) {
        await rx.decryptFrame(mime, wires[next++], admit);
        // The sender's verified batches come in as often as they were made.
        if (next % 20 === 0) vouch(tracker, leaf, sourceBatches[nextBatch++]);
      }
      await Promise.all(running);
      running = [];
    };
    checks.push(() => `${name}: ${tracker.status}`);
  }
  return { ops, check: () => checks.map((c) => c()).join(', ') };
}

/** Decodes a batch and matches its entries, as the Worker does with a verified batch. */
function vouch(tracker, leaf, batch) {
  const now = performance.now();
  for (const e of decodeOriginBatch(batch)) if (kidOwner(e.kid)?.leaf === leaf) tracker.vouch(e.kid, e.ctr, e.hash, now);
}

/** Bytes of the batches a sender makes in `seconds` with the given frame rates (one KID each), flushed as OriginBatcher does. */
function batchBytesPerSecond(rates, seconds = 10) {
  const events = [];
  rates.forEach((fps, s) => {
    for (let i = 0; i < fps * seconds; i++) events.push({ t: (i * 1000) / fps + s * 0.37, kid: BigInt(s) << 24n, ctr: BigInt(i) });
  });
  events.sort((a, b) => a.t - b.t);
  let bytes = 0;
  let batchCount = 0;
  let open = [];
  let openedAt = 0;
  const flush = () => {
    if (open.length === 0) return;
    bytes += encodeOriginBatch(open).length;
    batchCount++;
    open = [];
  };
  const hash = new Uint8Array(16);
  for (const e of events) {
    if (open.length > 0 && e.t >= openedAt + ORIGIN_BATCH_MS) flush();
    if (open.length === 0) openedAt = e.t;
    open.push({ kid: e.kid, ctr: e.ctr, hash });
    if (open.length >= ORIGIN_BATCH_MAX_ENTRIES) flush();
  }
  flush();
  return { bytes: bytes / seconds, batches: batchCount / seconds };
}

/** Runs the origin measurements, handing each output line to `print`. */
export async function runOriginBench(print) {
  print('\nFrame origin: the origin hash (16 bytes of SHA-256 over len || clear || SFrame), µs per frame');
  print('size      inline (noble) | WebCrypto awaited  back-to-back  of which on this thread');
  for (const size of [100, 250, 500, 1_000, 2_000, 10_000, 100_000]) {
    const ops = await hashOps(size);
    const n = framesFor(size);
    const m = await measure(n, { inline: ops.inline, subtleAwaited: ops.subtleAwaited, subtleStream: ops.subtleStream });
    const call = [];
    for (let r = 0; r < ROUNDS; r++) call.push(((await ops.subtleCall(n)) * 1000) / n);
    print(
      `${sizeLabel(size).padEnd(8)} ${fmt(m.inline)}        | ${fmt(m.subtleAwaited)}           ${fmt(m.subtleStream)}       ${fmt(median(call))}`,
    );
  }
  print(`(originHash hashes inline up to ${ORIGIN_HASH_INLINE_MAX} bytes, with WebCrypto above)`);

  print('\nFrame origin bookkeeping, as the media Worker does it, beside FrameCrypto: µs per frame, and what origin adds');
  print('(hashing with WebCrypto or inline; the hashes still running at the end of a round are awaited and counted)');
  print('frame        enc µs | +WebCrypto  +inline | dec µs | +WebCrypto  +inline | originHash uses');
  for (const [name, mime, suite, kid, size, make] of [
    ['Opus', 'audio/opus', 0x0002, MIC_KID, 100, random],
    ['Opus', 'audio/opus', 0x0002, MIC_KID, 300, random],
    ['VP8', 'video/VP8', 0x0004, CAMERA_KID, 1_000, vp8Frame],
    ['VP8', 'video/VP8', 0x0004, CAMERA_KID, 10_000, vp8Frame],
    ['VP8', 'video/VP8', 0x0004, CAMERA_KID, 100_000, vp8Frame],
  ]) {
    const n = framesFor(size);
    const { ops, check } = await bookkeepingOps(mime, suite, kid, make(size), (ROUNDS + 1) * n + 40);
    const m = await measure(n, ops);
    const added = (k, base) => `${fmt(m[k] - m[base])} ${`(${(((m[k] - m[base]) / m[base]) * 100).toFixed(0)}%)`.padStart(6)}`;
    const uses = size + 30 <= ORIGIN_HASH_INLINE_MAX ? 'inline' : 'WebCrypto';
    print(
      `${`${name} ${sizeLabel(size)}`.padEnd(12)} ${fmt(m.enc)} | ${added('encsubtle', 'enc')} ${added('encinline', 'enc')} | ${fmt(m.dec)} | ${added('decsubtle', 'dec')} ${added('decinline', 'dec')} | ${uses}   (receivers ${check()})`,
    );
  }

  print('\nOrigin batch bytes a sender hands the page (before the page signs them):');
  for (const [label, rates] of [
    ['30 fps video + 50 fps audio', [30, 50]],
    ['3 simulcast layers at 30 fps (one KID) + 50 fps audio', [90, 50]],
    ['30 fps camera + 30 fps screen + 50 fps mic', [30, 30, 50]],
  ]) {
    const { bytes, batches } = batchBytesPerSecond(rates);
    print(
      `${label.padEnd(54)} ${bytes.toFixed(0).padStart(5)} B/s in ${batches.toFixed(1)} batches/s (+ a 64-byte Ed25519 signature each: ${(bytes + 64 * batches).toFixed(0)} B/s)`,
    );
  }
}
