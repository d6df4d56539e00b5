/**
 * Sender keys: the per-epoch secret each participant encrypts its media with.
 *
 *  - SenderKey = { generation, key (32 bytes) }. Generation counts the
 *    sender's epochs: +1 at every membership change it sees.
 *  - Join  → ratchet: key' = KDF(key, "conclave/v1/ratchet"), generation + 1
 *    (everyone can do this locally; the newcomer gets only key').
 *  - Leave → fresh: key' random, generation + 1 (distributed in boxes).
 *  - KID  = (senderIndex << 16) | (generation & 0xffff): names (sender, epoch)
 *    in the SFrame header. The generation wraps in the KID after 65 536
 *    changes; by then the old key with that KID is long gone.
 *  - The SFrame `base_key` (RFC 9605 §4.4.2) given to the frame Worker is
 *    KDF(key, "conclave/v1/sframe"), not the raw key, so the raw sender key
 *    is only ever a BLAKE2b input (ratchet, chat, sframe), never also an
 *    HKDF-SHA-256 input.
 */
import { KEY_BYTES, kdf } from './kdf.js';
import { LABEL_RATCHET, LABEL_SFRAME } from './labels.js';
import { lib } from './sodium.js';

export const MAX_GENERATION = 0xffff_ffff;

export interface SenderKey {
  readonly generation: number;
  readonly key: Uint8Array;
}

/** The SFrame KID for (senderIndex, generation). */
export function kidFor(senderIndex: number, generation: number): bigint {
  return (BigInt(senderIndex) << 16n) | BigInt(generation & 0xffff);
}

/** Splits a KID back into (senderIndex, generation mod 2^16). */
export function splitKid(kid: bigint): { senderIndex: number; generationLow: number } {
  return { senderIndex: Number(kid >> 16n), generationLow: Number(kid & 0xffffn) };
}

function nextGeneration(g: number): number {
  if (g >= MAX_GENERATION) throw new RangeError('sender key generation exhausted');
  return g + 1;
}

/** A random first key (generation 0), or a random successor of `prev`. */
export function freshSenderKey(prev?: SenderKey): SenderKey {
  return { generation: prev === undefined ? 0 : nextGeneration(prev.generation), key: lib().randombytes_buf(KEY_BYTES) };
}

/** The join ratchet: KDF(key, ratchet label), generation + 1. */
export function ratchetSenderKey(k: SenderKey): SenderKey {
  return { generation: nextGeneration(k.generation), key: kdf(k.key, LABEL_RATCHET) };
}

/** The RFC 9605 base_key for the frame Worker. */
export function sframeBaseKey(k: SenderKey): Uint8Array {
  return kdf(k.key, LABEL_SFRAME);
}
