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
 * size, and the ratio. Then FrameCrypto on 100 KB frames, and the bytes
 * SFrame adds to each frame. Figures, not a test: nothing here fails.
 */
import { SFrameReceiver, SFrameSender, FrameCrypto, cipherSuite, headerLength } from '../dist/frames.js';

const SIZES = [100, 1_000, 10_000, 100_000];
const SUITES = [0x0004, 0x0002];
const BASE_KEY = new Uint8Array(32).fill(7);
const METADATA = new Uint8Array(10).fill(1); // e.g. VP8 key frame clear bytes

/** Frames per round: ~60 ms of work, at least 30. */
function framesFor(size) {
  return Math.max(30, Math.min(1500, Math.floor(1_500_000 / (size + 500))));
}

const ROUNDS = 7;

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
 * on this shared machine hits all of them alike) and returns the median µs
 * per frame of each.
 */
async function measure(n, ops) {
  for (const fn of Object.values(ops)) await perCall(Math.min(20, n), fn); // warm-up
  const samples = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(ops)) samples[k].push(await perCall(n, fn));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
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

async function frameCryptoOps(mime, frame, total) {
  const a = new FrameCrypto();
  const b = new FrameCrypto();
  await a.sender.setKey(0x0004, 1n, BASE_KEY);
  await b.receiver.addKey(0x0004, 1n, BASE_KEY);
  const wires = [];
  for (let i = 0; i < total; i++) wires.push(await a.encryptFrame(mime, true, frame));
  let next = 0;
  return {
    enc: () => a.encryptFrame(mime, true, frame),
    dec: () => b.decryptFrame(mime, wires[next++]),
  };
}

function fmt(us) {
  return us < 100 ? us.toFixed(1).padStart(7) : us.toFixed(0).padStart(7);
}

function sizeLabel(s) {
  return s >= 1000 ? `${s / 1000} KB` : `${s} B`;
}

/** Runs every measurement, handing each output line to `print`. */
export async function runSframeBench(print) {
  print('µs per frame, sequential; ratio = SFrame / raw AES-128-GCM of the same plaintext size\n');

  print('suite   size      enc µs   dec µs | raw-GCM enc   dec | ratio enc   dec | MB/s enc   dec');
  for (const suite of SUITES) {
    for (const size of SIZES) {
      const n = framesFor(size);
      const ops = { ...(await rawGcmOps(size)), ...(await sframeOps(suite, size, (ROUNDS + 1) * n + 20)) };
      const m = await measure(n, ops);
      const mbs = (us) => (size / us).toFixed(0).padStart(5);
      print(
        `0x${suite.toString(16).padStart(4, '0')}  ${sizeLabel(size).padEnd(7)} ${fmt(m.enc)}  ${fmt(m.dec)} | ${fmt(m.rawEnc)} ${fmt(m.rawDec)} | ${(m.enc / m.rawEnc).toFixed(2).padStart(6)} ${(m.dec / m.rawDec).toFixed(2).padStart(5)} | ${mbs(m.enc)} ${mbs(m.dec)}`,
      );
    }
  }

  print('\nFrameCrypto (codec framing + SFrame 0x0004) on 100 KB frames, µs per frame:');
  const h264 = (() => {
    const body = random(100_000);
    for (let i = 0; i < body.length; i += 97) body[i] = 0; // some zeros, as in real slices
    // Keep the body a valid NAL body (no 00 00): break every zero pair.
    for (let i = 1; i < body.length; i++) if (body[i] === 0 && body[i - 1] === 0) body[i] = 0xff;
    return new Uint8Array([0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0, 0, 1, 0x65, ...body]);
  })();
  const vp8 = new Uint8Array([0x50, 0x2d, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...random(100_000)]);
  for (const [name, mime, frame] of [
    ['VP8', 'video/VP8', vp8],
    ['H.264', 'video/H264', h264],
  ]) {
    const n = framesFor(frame.length);
    const ops = { ...(await rawGcmOps(frame.length)), ...(await frameCryptoOps(mime, frame, (ROUNDS + 1) * n + 20)) };
    const m = await measure(n, ops);
    print(`  ${name.padEnd(6)} enc ${fmt(m.enc)}  dec ${fmt(m.dec)}   (raw GCM ${fmt(m.rawEnc)} ${fmt(m.rawDec)})`);
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
}
