/**
 * CPace, the balanced PAKE of draft-irtf-cfrg-cpace (read at
 * draft-irtf-cfrg-cpace-21), in its ristretto255 + SHA-512 suite
 * (CPACE-RISTR255-SHA512, G.DSI = "CPaceRistretto255"), run with
 * initiator and responder roles (transcript_ir).
 *
 *   gen_str = lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid)
 *   g       = element_derivation(SHA-512(gen_str))         (RFC 9496 §4.3.4)
 *   Ya      = encode(ya * g),  Yb = encode(yb * g)          ya, yb uniform in [1, order-1]
 *   K       = encode(ya * decode(Yb)) = encode(yb * decode(Ya)), abort if K is the identity
 *   ISK     = SHA-512(lv_cat(DSI || "_ISK", sid, K) || lv_cat(Ya, ADa) || lv_cat(Yb, ADb))
 *
 * The group arithmetic is @noble/curves' ristretto255; nothing here
 * touches field elements. ISK is an intermediate key: derive what you need
 * from it with a KDF, and confirm it (the draft's key confirmation) before
 * trusting the peer.
 *
 * Scalars: the draft RECOMMENDS 252 random bits and allows uniform sampling
 * in [1, order-1] instead; this module does the latter (rejection sampling),
 * so a scalar is never zero. JavaScript cannot wipe a bigint, so "zeroing"
 * a scalar means dropping the only reference to it; the random bytes it
 * came from are overwritten.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, equalBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';

type Point = InstanceType<typeof ristretto255.Point>;

export interface CpaceParams {
  /** Password-related string, e.g. a slow KDF of the passphrase. */
  prs: Uint8Array;
  /** Channel identifier, the same on both sides (may be empty). */
  ci: Uint8Array;
  /** Session identifier, the same on both sides, unique per run; at least 8 bytes is RECOMMENDED. */
  sid: Uint8Array;
}

export interface CpaceInitiator {
  /** Ya, to send with ADa. */
  message: Uint8Array;
  /** From the responder's Yb and ADb, the 64-byte ISK. Usable once; a second call throws, whatever the first did. */
  finish(yb: Uint8Array, adB: Uint8Array): Uint8Array;
}

export interface CpaceResponse {
  /** Yb, to send back with ADb. */
  message: Uint8Array;
  /** The 64-byte ISK. */
  isk: Uint8Array;
}

export class CpaceError extends Error {
  override name = 'CpaceError';
}

export const CPACE_DSI = new TextEncoder().encode('CPaceRistretto255');
const DSI_ISK = new TextEncoder().encode('CPaceRistretto255_ISK');
/** SHA-512's input block size (H.s_in_bytes): the zero padding fills the first block. */
const SHA512_BLOCK_BYTES = 128;
/** Encoded ristretto255 elements. */
export const CPACE_ELEMENT_BYTES = 32;
/** G.I, the encoding of the identity. */
const IDENTITY = new Uint8Array(CPACE_ELEMENT_BYTES);
const ORDER = ristretto255.Point.Fn.ORDER;

/** LEB128 length, then the bytes. */
export function prependLen(data: Uint8Array): Uint8Array {
  const len: number[] = [];
  let n = data.length;
  do {
    const low = n & 0x7f;
    n = Math.floor(n / 128);
    len.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
  const out = new Uint8Array(len.length + data.length);
  out.set(len);
  out.set(data, len.length);
  return out;
}

export function lvCat(...parts: Uint8Array[]): Uint8Array {
  const encoded = parts.map(prependLen);
  const out = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
  let at = 0;
  for (const e of encoded) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** generator_string(G.DSI, PRS, CI, sid, H.s_in_bytes). */
export function cpaceGeneratorString(p: CpaceParams): Uint8Array {
  const zpad = Math.max(0, SHA512_BLOCK_BYTES - 1 - prependLen(p.prs).length - prependLen(CPACE_DSI).length);
  return lvCat(CPACE_DSI, p.prs, new Uint8Array(zpad), p.ci, p.sid);
}

/** G.calculate_generator: the password-dependent generator, in noble's internal form. */
export function cpaceGenerator(p: CpaceParams): Point {
  const genStr = cpaceGeneratorString(p);
  const hash = sha512(genStr);
  try {
    // RFC 9496 element derivation from 64 bytes (optional in noble's hasher type, present for ristretto255).
    const g = ristretto255_hasher.deriveToCurve?.(hash);
    if (!g) throw new Error('@noble/curves lacks ristretto255 element derivation');
    return g;
  } finally {
    genStr.fill(0);
    hash.fill(0);
  }
}

/** G.sample_scalar: uniform in [1, order-1], by rejection (order < 2^253, so a draw is kept about half the time). */
export function cpaceSampleScalar(): bigint {
  for (;;) {
    const bytes = randomBytes(32);
    bytes[31] = bytes[31]! & 0x1f; // keep 253 bits
    const y = bytesToNumberLE(bytes);
    bytes.fill(0);
    if (y > 0n && y < ORDER) return y;
  }
}

function assertScalar(y: bigint): void {
  if (y <= 0n || y >= ORDER) throw new RangeError('CPace scalar out of range');
}

/** G.scalar_mult_vfy(y, X): encode(y * decode(X)), or G.I if X is not a valid encoding. */
export function cpaceScalarMultVfy(y: bigint, x: Uint8Array): Uint8Array {
  assertScalar(y);
  let point: Point;
  try {
    point = ristretto255.Point.fromBytes(x);
  } catch {
    return IDENTITY.slice();
  }
  return point.is0() ? IDENTITY.slice() : point.multiply(y).toBytes();
}

/** K from our scalar and the peer's element; throws CpaceError where the draft says abort. */
function sharedElement(y: bigint, peer: Uint8Array): Uint8Array {
  if (!(peer instanceof Uint8Array) || peer.length !== CPACE_ELEMENT_BYTES) {
    throw new CpaceError(`CPace peer message must be ${CPACE_ELEMENT_BYTES} bytes`);
  }
  const k = cpaceScalarMultVfy(y, peer);
  if (equalBytes(k, IDENTITY)) throw new CpaceError('CPace peer message is not a valid non-identity ristretto255 element');
  return k;
}

/** transcript_ir: the initiator's message first, as the protocol flow orders them. */
export function cpaceTranscriptIr(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return concat(lvCat(ya, adA), lvCat(yb, adB));
}

/** ISK = H(lv_cat(DSI || "_ISK", sid, K) || transcript_ir(Ya, ADa, Yb, ADb)). */
export function cpaceIsk(sid: Uint8Array, k: Uint8Array, ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  const input = concat(lvCat(DSI_ISK, sid, k), cpaceTranscriptIr(ya, adA, yb, adB));
  try {
    return sha512(input);
  } finally {
    input.fill(0);
  }
}

/**
 * cpaceStart with a given scalar. Internal: for the draft's test vectors
 * only. A fixed or reused scalar breaks CPace; the app calls cpaceStart.
 */
export function cpaceStartWithScalar(p: CpaceParams, adA: Uint8Array, scalar: bigint): CpaceInitiator {
  assertScalar(scalar);
  let ya: bigint | undefined = scalar;
  const message = cpaceGenerator(p).multiply(ya).toBytes();
  const sid = p.sid.slice();
  const ownAd = adA.slice();
  return {
    message: message.slice(),
    finish(yb: Uint8Array, adB: Uint8Array): Uint8Array {
      const y = ya;
      ya = undefined;
      if (y === undefined) throw new CpaceError('CPace finish called twice');
      const k = sharedElement(y, yb);
      try {
        return cpaceIsk(sid, k, message, ownAd, yb, adB);
      } finally {
        k.fill(0);
      }
    },
  };
}

/**
 * cpaceRespond with a given scalar. Internal: for the draft's test vectors
 * only. A fixed or reused scalar breaks CPace; the app calls cpaceRespond.
 */
export function cpaceRespondWithScalar(p: CpaceParams, adA: Uint8Array, ya: Uint8Array, adB: Uint8Array, scalar: bigint): CpaceResponse {
  assertScalar(scalar);
  // The responder computes its share only after the initiator's message is known to be valid.
  const k = sharedElement(scalar, ya);
  try {
    const message = cpaceGenerator(p).multiply(scalar).toBytes();
    return { message, isk: cpaceIsk(p.sid, k, ya, adA, message, adB) };
  } finally {
    k.fill(0);
  }
}

/** Initiator's first step: a fresh scalar; returns Ya (32 bytes) and the state to finish with. */
export function cpaceStart(p: CpaceParams, adA: Uint8Array): CpaceInitiator {
  return cpaceStartWithScalar(p, adA, cpaceSampleScalar());
}

/** Responder: from Ya and ADa, a fresh scalar; returns Yb and the ISK. Throws CpaceError on an invalid Ya. */
export function cpaceRespond(p: CpaceParams, adA: Uint8Array, ya: Uint8Array, adB: Uint8Array): CpaceResponse {
  return cpaceRespondWithScalar(p, adA, ya, adB, cpaceSampleScalar());
}
