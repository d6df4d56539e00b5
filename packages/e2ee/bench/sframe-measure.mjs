/**
 * SFrame per-frame cost, measured the same way wherever it runs: in Node
 * (sframe.bench.mjs) and in a Chromium Worker (sframe-browser.bench.mjs).
 * Uses only globalThis.crypto and performance.
 *
 * For frame sizes of 100 B, 1 KB, 10 KB and 100 KB and for suites 0x0004
 * (AES_128_GCM_SHA256_128, video) and 0x0002 (AES_128_CTR_HMAC_SHA256_64,
 * audio) it measures the time per frame of SFrameSender.encrypt and
 * SFrameReceiver.decrypt (frames processed one after another, as a transform
 * does), beside a bare WebCrypto AES-128-GCM encrypt/decrypt of the same
 * size, and the ratio. Then the whole per-frame path, FrameCrypto (codec
 * framing + SFrame, what the media Worker calls), for VP8 and H.264 video
 * (0x0004) at 1 KB and 100 KB and Opus audio (0x0002), with the same ratio;
 * and the bytes SFrame adds to each frame. Figures, not a test: nothing here
 * fails.
 *
 * Then frame origin (origin-measure.mjs): the origin hash and the Worker's
 * bookkeeping beside FrameCrypto, and the batch bytes a sender makes. With
 * `only: 'origin'` (`--only=origin` on the command line) just that part.
 *
 * The operations run in interleaved rounds; a ratio is the median over the
 * rounds of (SFrame / raw GCM in the same round), so load that comes and goes
 * on a shared machine moves both sides of it alike.
 */
import { SFrameReceiver, SFrameSender, FrameCrypto, cipherSuite, headerLength } from '../dist/frames.js';
import { runOriginBench } from './origin-measure.mjs';

const SIZES = [100, 1_000, 10_000, 100_000];
const SUITES = [0x0004, 0x0002];
const BASE_KEY = new Uint8Array(32).fill(7);
const METADATA = new Uint8Array(10).fill(1); // e.g. VP8 key frame clear bytes

/** Frames per round: ~60 ms of work, at least 30. */
function framesFor(size) {
  return Math.max(30, Math.min(1500, Math.floor(1_500_000 / (size + 500))));
}

const ROUNDS = 9;

function random(size) {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(size, i + 65536)));
  return b;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** µs per call of `fn`, run `n` times sequentially (awaiting each). */
async function perCall(n, fn) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) * 1000) / n;
}

/**
 * Runs the named per-frame operations in interleaved rounds (so a load spike
 * on this shared machine hits all of them alike). Returns the median µs per
 * frame of each, and `ratio(a, b)`: the median over rounds of a / b.
 */
async function measure(n, ops) {
  for (const fn of Object.values(ops)) await perCall(Math.min(20, n), fn); // warm-up
  const samples = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(ops)) samples[k].push(await perCall(n, fn));
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  m.ratio = (a, b) => median(samples[a].map((x, r) => x / samples[b][r]));
  return m;
}

async function rawGcmOps(size) {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12);
  const pt = random(size);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, pt));
  return {
    rawEnc: () => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, pt),
    rawDec: () => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct),
  };
}

/**
 * SFrame encrypt/decrypt ops. Decryption needs a fresh counter per call (the
 * replay window refuses repeats), so frames are pre-encrypted in bulk and the
 * decrypt op consumes them in order.
 */
async function sframeOps(suite, size, total) {
  const tx = new SFrameSender();
  await tx.setKey(suite, 0x1_0002n, BASE_KEY);
  const rx = new SFrameReceiver();
  await rx.addKey(suite, 0x1_0002n, BASE_KEY);
  const pt = random(size);
  const frames = [];
  for (let i = 0; i < total; i++) frames.push(await tx.encrypt(METADATA, pt));
  let next = 0;
  return {
    enc: () => tx.encrypt(METADATA, pt),
    dec: () => rx.decrypt(METADATA, frames[next++]),
  };
}

async function frameCryptoOps(mime, suite, frame, total) {
  const a = new FrameCrypto();
  const b = new FrameCrypto();
  await a.sender.setKey(suite, 1n, BASE_KEY);
  await b.receiver.addKey(suite, 1n, BASE_KEY);
  const wires = [];
  for (let i = 0; i < total; i++) wires.push(await a.encryptFrame(mime, true, frame));
  let next = 0;
  return {
    enc: () => a.encryptFrame(mime, true, frame),
    dec: () => b.decryptFrame(mime, wires[next++]),
  };
}

/** A VP8 key frame of `size` bytes: 10-byte clear header, then data. */
function vp8Frame(size) {
  const f = random(size);
  f.set([0x50, 0x2d, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
  return f;
}

/** An H.264 IDR access unit of `size` bytes: SPS, PPS, then an IDR slice whose body has no 00 00. */
function h264Frame(size) {
  const prefix = [0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 0, 1, 0x65];
  const body = random(size - prefix.length);
  for (let i = 0; i < body.length; i += 97) body[i] = 0; // some zeros, as in real slices
  // Keep the body a valid NAL body (no 00 00): break every zero pair.
  for (let i = 1; i < body.length; i++) if (body[i] === 0 && body[i - 1] === 0) body[i] = 0xff;
  const f = new Uint8Array(size);
  f.set(prefix);
  f.set(body, prefix.length);
  return f;
}

function fmt(us) {
  return us < 100 ? us.toFixed(1).padStart(7) : us.toFixed(0).padStart(7);
}

function ratio(m, a, b) {
  return m
    .ratio(a, b)
    .toFixed(2)
    .padStart(a === 'enc' ? 6 : 5);
}

function sizeLabel(s) {
  return s >= 1000 ? `${s / 1000} KB` : `${s} B`;
}

/**
 * The per-frame path builds each frame's nonce and AAD in one buffer that the
 * next frame reuses, relying on WebCrypto copying its inputs when called (as
 * the spec says). Checked here where the bench runs: frames encrypted all at
 * once must decrypt, and match the same frames encrypted one at a time.
 */
async function concurrencyCheck() {
  const frames = Array.from({ length: 64 }, (_, i) => ({ metadata: random(i % 11), payload: random(i % 4 === 0 ? 20_000 : 50 + i) }));
  for (const suite of SUITES) {
    const together = new SFrameSender();
    const oneByOne = new SFrameSender();
    await together.setKey(suite, 0x1_0002n, BASE_KEY);
    await oneByOne.setKey(suite, 0x1_0002n, BASE_KEY);
    const rx = new SFrameReceiver();
    await rx.addKey(suite, 0x1_0002n, BASE_KEY);
    const wires = await Promise.all(frames.map((f) => together.encrypt(f.metadata, f.payload)));
    for (const [i, f] of frames.entries()) {
      const alone = await oneByOne.encrypt(f.metadata, f.payload);
      if (alone.length !== wires[i].length || alone.some((b, j) => b !== wires[i][j])) return `FAILED (suite ${suite}, frame ${i})`;
      const { plaintext } = await rx.decrypt(f.metadata, wires[i]);
      if (plaintext.length !== f.payload.length || plaintext.some((b, j) => b !== f.payload[j]))
        return `FAILED (suite ${suite}, frame ${i})`;
    }
  }
  return 'ok';
}

/** Runs every measurement, handing each output line to `print`. */
export async function runSframeBench(print, { only } = {}) {
  if (only === 'origin') return runOriginBench(print);
  print(`Check: 64 frames encrypted at once equal the same frames one at a time, and decrypt: ${await concurrencyCheck()}`);
  print('µs per frame, sequential; ratio = SFrame / raw AES-128-GCM of the same plaintext size\n');

  print('suite   size      enc µs   dec µs | raw-GCM enc   dec | ratio enc   dec | MB/s enc   dec');
  for (const suite of SUITES) {
    for (const size of SIZES) {
      const n = framesFor(size);
      const ops = { ...(await rawGcmOps(size)), ...(await sframeOps(suite, size, (ROUNDS + 1) * n + 20)) };
      const m = await measure(n, ops);
      const mbs = (us) => (size / us).toFixed(0).padStart(5);
      print(
        `0x${suite.toString(16).padStart(4, '0')}  ${sizeLabel(size).padEnd(7)} ${fmt(m.enc)}  ${fmt(m.dec)} | ${fmt(m.rawEnc)} ${fmt(m.rawDec)} | ${ratio(m, 'enc', 'rawEnc')} ${ratio(m, 'dec', 'rawDec')} | ${mbs(m.enc)} ${mbs(m.dec)}`,
      );
    }
  }

  print('\nFrameCrypto (codec framing + SFrame: the whole per-frame path), µs per frame; ratio to raw AES-128-GCM of the frame size:');
  print('codec  suite   size      enc µs   dec µs | raw-GCM enc   dec | ratio enc   dec');
  for (const [name, mime, suite, size, make] of [
    ['VP8', 'video/VP8', 0x0004, 1_000, vp8Frame],
    ['VP8', 'video/VP8', 0x0004, 100_000, vp8Frame],
    ['H.264', 'video/H264', 0x0004, 1_000, h264Frame],
    ['H.264', 'video/H264', 0x0004, 100_000, h264Frame],
    ['Opus', 'audio/opus', 0x0002, 100, random],
    ['Opus', 'audio/opus', 0x0002, 1_000, random],
  ]) {
    const n = framesFor(size);
    const ops = { ...(await rawGcmOps(size)), ...(await frameCryptoOps(mime, suite, make(size), (ROUNDS + 1) * n + 20)) };
    const m = await measure(n, ops);
    print(
      `${name.padEnd(6)} 0x${suite.toString(16).padStart(4, '0')}  ${sizeLabel(size).padEnd(7)} ${fmt(m.enc)}  ${fmt(m.dec)} | ${fmt(m.rawEnc)} ${fmt(m.rawDec)} | ${ratio(m, 'enc', 'rawEnc')} ${ratio(m, 'dec', 'rawDec')}`,
    );
  }

  print('\nBytes added per frame (header + tag); KID 0x10002 (3 bytes) unless noted:');
  print('suite   tag  | KID<8,CTR<8  | CTR<256  | CTR<65536 | CTR<2^24');
  for (const id of [1, 2, 3, 4, 5]) {
    const s = cipherSuite(id);
    const cells = [
      headerLength(1n, 1n) + s.Nt,
      headerLength(0x1_0002n, 255n) + s.Nt,
      headerLength(0x1_0002n, 65_535n) + s.Nt,
      headerLength(0x1_0002n, 16_777_215n) + s.Nt,
    ];
    print(
      `0x${id.toString(16).padStart(4, '0')}  ${String(s.Nt).padStart(3)}  | ${String(cells[0]).padStart(11)}  | ${String(cells[1]).padStart(7)}  | ${String(cells[2]).padStart(8)}  | ${String(cells[3]).padStart(7)}`,
    );
  }
  print('(At 30 fps a counter passes 2^16 after ~36 min and 2^24 after ~6.5 days; 50 audio frames/s: ~22 min and ~3.9 days.)');

  await runOriginBench(print);
}
