/**
 * Chat encryption under a key derived from the sender's current sender key.
 *
 *   chatKey = KDF(senderKey, "conclave/v1/chat")
 *   AEAD    = crypto_aead_xchacha20poly1305_ietf, random 24-byte nonce
 *   AAD     = str(CONTEXT_CHAT_AAD) ‖ str(roomId) ‖ str(senderPeerId) ‖ u32 generation
 *
 * The plaintext is padded (ISO/IEC 7816-4, libsodium `pad`) to a multiple of
 * 32 bytes so the server learns message lengths only roughly.
 *
 * Wire format, version 1:
 *
 *   u8   version = 0x01
 *   u8   kind    = 0x43 ('C')
 *   u32  generation   (of the sender key the chat key came from)
 *   24   nonce
 *   ..   ciphertext (padded plaintext + 16-byte tag)
 */
import { DecodeError, Reader, Writer, utf8 } from './encoding.js';
import { WIRE_VERSION } from './identity.js';
import { kdf } from './kdf.js';
import { CONTEXT_CHAT_AAD, LABEL_CHAT } from './labels.js';
import type { SenderKey } from './sender-key.js';
import { lib } from './sodium.js';

export const KIND_CHAT = 0x43;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const PAD_BLOCK = 32;

export interface ChatContext {
  roomId: string;
  senderPeerId: string;
  generation: number;
}

export type ChatOpenResult = { ok: true; plaintext: Uint8Array } | { ok: false; reason: 'malformed' | 'bad-ciphertext' };

/** chatKey = KDF(senderKey, chat label). */
export function deriveChatKey(senderKey: SenderKey): Uint8Array {
  return kdf(senderKey.key, LABEL_CHAT);
}

function aad(ctx: ChatContext): Uint8Array {
  return new Writer().str(CONTEXT_CHAT_AAD).str(ctx.roomId).str(ctx.senderPeerId).u32(ctx.generation).finish();
}

/** Encrypts one chat message (text is UTF-8 encoded). */
export function sealChat(chatKey: Uint8Array, ctx: ChatContext, message: string | Uint8Array): Uint8Array {
  const s = lib();
  const padded = s.pad(typeof message === 'string' ? utf8(message) : message.slice(), PAD_BLOCK);
  const nonce = s.randombytes_buf(NONCE_BYTES);
  const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, aad(ctx), null, nonce, chatKey);
  return new Writer().u8(WIRE_VERSION).u8(KIND_CHAT).u32(ctx.generation).fixed(nonce, NONCE_BYTES).fixed(ct, ct.length).finish();
}

/** The sender-key generation a chat message claims (to pick the key), or null if malformed. */
export function chatGeneration(bytes: Uint8Array): number | null {
  try {
    const r = new Reader(bytes);
    if (r.u8() !== WIRE_VERSION || r.u8() !== KIND_CHAT) return null;
    return r.u32();
  } catch {
    return null;
  }
}

/** Decrypts a chat message sent by ctx.senderPeerId under ctx.generation. Never throws on bad input. */
export function openChat(chatKey: Uint8Array, ctx: ChatContext, bytes: Uint8Array): ChatOpenResult {
  let nonce: Uint8Array;
  let ct: Uint8Array;
  try {
    const r = new Reader(bytes);
    if (r.u8() !== WIRE_VERSION || r.u8() !== KIND_CHAT) throw new DecodeError('not a v1 chat message');
    if (r.u32() !== ctx.generation) throw new DecodeError('generation mismatch');
    nonce = r.fixed(NONCE_BYTES);
    ct = r.rest();
    if (ct.length < TAG_BYTES + PAD_BLOCK) throw new DecodeError('truncated chat message');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const s = lib();
  let padded: Uint8Array;
  try {
    padded = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, aad(ctx), nonce, chatKey);
  } catch {
    return { ok: false, reason: 'bad-ciphertext' };
  }
  try {
    return { ok: true, plaintext: s.unpad(padded, PAD_BLOCK) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
