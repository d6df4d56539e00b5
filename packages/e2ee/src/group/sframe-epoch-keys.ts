/**
 * SFrame keys from the MLS group, as RFC 9605 §5.2 says:
 *
 *   sframe_epoch_secret = MLS-Exporter("SFrame 1.0 Base Key", "", 32)
 *   base_key(leaf)      = HKDF-Expand(sframe_epoch_secret, encode_big_endian(leaf, 8), 32)
 *
 * 32 bytes is Nh of SHA-256, the hash of both SFrame suites we use
 * (AES_128_GCM_SHA256_128 for video, AES_128_CTR_HMAC_SHA256_64 for audio);
 * RFC 9605's own key derivation then extracts each suite's key and salt
 * from base_key and the KID, so one base key serves every source.
 *
 * KID (RFC 9605 §5.2, with a context id per source):
 *
 *   KID = context << (LEAF_BITS + EPOCH_BITS) | leaf << EPOCH_BITS | (epoch mod 2^EPOCH_BITS)
 *
 * Each source of a sender (camera, screen, mic, screen audio) has its own
 * context, hence its own KID, key and counter space: two sources of one
 * sender never share (key, counter). The low epoch bits tell a receiver
 * which epoch's key a frame needs while two are live around a commit.
 */
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { MediaSource } from '@conclave/protocol';

export const SFRAME_EXPORTER_LABEL = 'SFrame 1.0 Base Key';
export const SFRAME_BASE_KEY_BYTES = 32;
export const EPOCH_BITS = 8n;
export const LEAF_BITS = 16n;
export const MAX_LEAF_INDEX = (1 << Number(LEAF_BITS)) - 1;

/** The context id of each source: never reuse a number. */
export const SOURCE_CONTEXT: Record<MediaSource, bigint> = { camera: 0n, mic: 1n, screen: 2n, 'screen-audio': 3n };
export const SOURCES = Object.keys(SOURCE_CONTEXT) as MediaSource[];

export function baseKeyForLeaf(sframeEpochSecret: Uint8Array, leaf: number): Uint8Array {
  if (!Number.isInteger(leaf) || leaf < 0 || leaf > MAX_LEAF_INDEX) throw new RangeError(`leaf index out of range: ${leaf}`);
  const info = new Uint8Array(8);
  new DataView(info.buffer).setBigUint64(0, BigInt(leaf));
  return expand(sha256, sframeEpochSecret, info, SFRAME_BASE_KEY_BYTES);
}

export function kidFor(source: MediaSource, leaf: number, epoch: bigint): bigint {
  return (SOURCE_CONTEXT[source] << (LEAF_BITS + EPOCH_BITS)) | (BigInt(leaf) << EPOCH_BITS) | (epoch & ((1n << EPOCH_BITS) - 1n));
}
