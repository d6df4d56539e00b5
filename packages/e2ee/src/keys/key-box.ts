/**
 * Key boxes: one sender key, encrypted for one recipient.
 *
 * crypto_box_easy (X25519 + XSalsa20-Poly1305, authenticated by both box key
 * pairs) with a random 24-byte nonce. The plaintext names the room, the
 * sender and the recipient, so a box cannot be replayed into another room or
 * to another recipient, or be passed off as coming from someone else.
 *
 * Wire format, version 1:
 *
 *   u8   version = 0x01
 *   u8   kind    = 0x4b ('K')
 *   24   nonce
 *   ..   crypto_box_easy(plaintext, nonce, recipientBoxPk, senderBoxSk)   (plaintext + 16)
 *
 * plaintext = str(CONTEXT_KEY_BOX) ‖ str(roomId) ‖ str(senderPeerId) ‖
 *             str(recipientPeerId) ‖ u32 linkGeneration ‖ u32 generation ‖ key[32]
 *
 * `linkGeneration` is the sender's generation when the recipient and the
 * sender first got keys for each other (the later one's join). With it the
 * recipient can tell which membership change a key belongs to even if the
 * box arrives late (see key-manager.ts).
 */
import { DecodeError, Reader, Writer } from './encoding.js';
import { WIRE_VERSION } from './identity.js';
import { KEY_BYTES } from './kdf.js';
import { CONTEXT_KEY_BOX } from './labels.js';
import type { SenderKey } from './sender-key.js';
import { lib } from './sodium.js';

export const KIND_KEY_BOX = 0x4b;
/**
 * Highest generation a box may carry: half the u32 range, so a receiver can
 * always ratchet forward without overflowing (2^31 membership changes will
 * not happen in one meeting).
 */
export const MAX_BOXED_GENERATION = 0x7fff_ffff;
const NONCE_BYTES = 24;
const MAC_BYTES = 16;

export interface KeyBoxContent {
  roomId: string;
  senderPeerId: string;
  recipientPeerId: string;
  linkGeneration: number;
  senderKey: SenderKey;
}

export type KeyBoxRejectReason =
  | 'malformed' // not a v1 key box
  | 'bad-box' // does not decrypt with these keys (tampered, or not for this identity)
  | 'wrong-room'
  | 'wrong-sender'
  | 'wrong-recipient';

export type KeyBoxResult = { ok: true; linkGeneration: number; senderKey: SenderKey } | { ok: false; reason: KeyBoxRejectReason };

/** Box `content` from the holder of senderBoxSk to the holder of recipientBoxPk. */
export function sealKeyBox(content: KeyBoxContent, recipientBoxPk: Uint8Array, senderBoxSk: Uint8Array): Uint8Array {
  if (content.linkGeneration > content.senderKey.generation) throw new RangeError('linkGeneration after generation');
  if (content.senderKey.generation > MAX_BOXED_GENERATION) throw new RangeError('generation too large to box');
  const s = lib();
  const plaintext = new Writer()
    .str(CONTEXT_KEY_BOX)
    .str(content.roomId)
    .str(content.senderPeerId)
    .str(content.recipientPeerId)
    .u32(content.linkGeneration)
    .u32(content.senderKey.generation)
    .fixed(content.senderKey.key, KEY_BYTES)
    .finish();
  const nonce = s.randombytes_buf(NONCE_BYTES);
  const ct = s.crypto_box_easy(plaintext, nonce, recipientBoxPk, senderBoxSk);
  s.memzero(plaintext);
  return new Writer().u8(WIRE_VERSION).u8(KIND_KEY_BOX).fixed(nonce, NONCE_BYTES).fixed(ct, ct.length).finish();
}

/**
 * Opens a box that the server says `senderPeerId` sent to `recipientPeerId`.
 * Never throws on bad input.
 */
export function openKeyBox(
  bytes: Uint8Array,
  ctx: {
    roomId: string;
    senderPeerId: string;
    recipientPeerId: string;
    senderBoxPk: Uint8Array;
    recipientBoxSk: Uint8Array;
  },
): KeyBoxResult {
  let nonce: Uint8Array;
  let ct: Uint8Array;
  try {
    const r = new Reader(bytes);
    if (r.u8() !== WIRE_VERSION || r.u8() !== KIND_KEY_BOX) throw new DecodeError('not a v1 key box');
    nonce = r.fixed(NONCE_BYTES);
    ct = r.rest();
    if (ct.length < MAC_BYTES) throw new DecodeError('truncated key box');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const s = lib();
  let plaintext: Uint8Array;
  try {
    plaintext = s.crypto_box_open_easy(ct, nonce, ctx.senderBoxPk, ctx.recipientBoxSk);
  } catch {
    return { ok: false, reason: 'bad-box' };
  }
  try {
    const r = new Reader(plaintext);
    if (r.str() !== CONTEXT_KEY_BOX) return { ok: false, reason: 'malformed' };
    if (r.str() !== ctx.roomId) return { ok: false, reason: 'wrong-room' };
    if (r.str() !== ctx.senderPeerId) return { ok: false, reason: 'wrong-sender' };
    if (r.str() !== ctx.recipientPeerId) return { ok: false, reason: 'wrong-recipient' };
    const linkGeneration = r.u32();
    const generation = r.u32();
    const key = r.fixed(KEY_BYTES);
    r.end();
    if (linkGeneration > generation || generation > MAX_BOXED_GENERATION) return { ok: false, reason: 'malformed' };
    return { ok: true, linkGeneration, senderKey: { generation, key } };
  } catch {
    return { ok: false, reason: 'malformed' };
  } finally {
    s.memzero(plaintext);
  }
}
