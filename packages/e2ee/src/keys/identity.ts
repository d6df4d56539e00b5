/**
 * Per-session identity and its announcement.
 *
 * Each participant makes, per session, an Ed25519 signing key pair and an
 * X25519 box key pair, and announces {peerId, senderIndex, signPk, boxPk}
 * through the server. The announcement carries
 *  - an HMAC-SHA-512-256 (`crypto_auth`) under K_auth = KDF(meetingSecret,
 *    "conclave/v1/auth") over the room id and the body: only someone holding
 *    the meeting secret can make one, so the server cannot add a member;
 *  - an Ed25519 signature by signPk over room id, body and MAC: proof that
 *    the announcer holds the private key of the identity it announces.
 *
 * Wire format (all integers big-endian), version 1:
 *
 *   u8   version      = 0x01
 *   u8   kind         = 0x41 ('A')
 *   u16  peerIdLen, peerId (UTF-8, 1..256 bytes)
 *   u32  senderIndex
 *   32   signPk       (Ed25519)
 *   32   boxPk        (X25519)
 *   32   mac  = crypto_auth( str(CONTEXT_ANNOUNCE_MAC) ‖ str(roomId) ‖ bytes16(body), K_auth )
 *   64   sig  = Ed25519( str(CONTEXT_ANNOUNCE_SIG) ‖ str(roomId) ‖ bytes16(body) ‖ mac )
 *
 * where body = everything from `version` to `boxPk`, str() = u16 length +
 * UTF-8 and bytes16() = u16 length + bytes (see encoding.ts).
 */
import { DecodeError, Reader, Writer } from './encoding.js';
import { kdf } from './kdf.js';
import { CONTEXT_ANNOUNCE_MAC, CONTEXT_ANNOUNCE_SIG, LABEL_AUTH } from './labels.js';
import { lib } from './sodium.js';

export const WIRE_VERSION = 1;
export const KIND_ANNOUNCEMENT = 0x41;
export const MAX_PEER_ID_BYTES = 256;
export const MAX_SENDER_INDEX = 0xffff_ffff;

const SIGN_PK_BYTES = 32;
const BOX_PK_BYTES = 32;
const MAC_BYTES = 32;
const SIG_BYTES = 64;

/** A session identity. The secret keys never leave the KeyManager. */
export interface Identity {
  signPk: Uint8Array;
  signSk: Uint8Array;
  boxPk: Uint8Array;
  boxSk: Uint8Array;
}

/** What a verified announcement says. */
export interface Announcement {
  peerId: string;
  senderIndex: number;
  signPk: Uint8Array;
  boxPk: Uint8Array;
}

export type AnnouncementRejectReason =
  | 'malformed' // not a v1 announcement, bad lengths, trailing bytes…
  | 'peer-id-mismatch' // announces a peerId other than the one the server says sent it
  | 'bad-mac' // not made with this meeting secret (or tampered): "cannot verify"
  | 'bad-signature'; // MAC fine but the signature does not verify (tampered by a member)

export type AnnouncementResult = { ok: true; announcement: Announcement } | { ok: false; reason: AnnouncementRejectReason };

/** K_auth = KDF(meetingSecret, "conclave/v1/auth"). */
export function deriveAuthKey(meetingSecret: Uint8Array): Uint8Array {
  return kdf(meetingSecret, LABEL_AUTH);
}

/** A fresh per-session identity. */
export function generateIdentity(): Identity {
  const s = lib();
  const sign = s.crypto_sign_keypair();
  const box = s.crypto_box_keypair();
  return { signPk: sign.publicKey, signSk: sign.privateKey, boxPk: box.publicKey, boxSk: box.privateKey };
}

export function checkPeerId(peerId: string): void {
  const n = new TextEncoder().encode(peerId).length;
  if (n < 1 || n > MAX_PEER_ID_BYTES) throw new RangeError(`peerId must be 1..${MAX_PEER_ID_BYTES} UTF-8 bytes`);
}

export function checkSenderIndex(senderIndex: number): void {
  if (!Number.isInteger(senderIndex) || senderIndex < 0 || senderIndex > MAX_SENDER_INDEX) {
    throw new RangeError(`senderIndex must be an integer in 0..${MAX_SENDER_INDEX}`);
  }
}

function macInput(roomId: string, body: Uint8Array): Uint8Array {
  return new Writer().str(CONTEXT_ANNOUNCE_MAC).str(roomId).bytes16(body).finish();
}

function sigInput(roomId: string, body: Uint8Array, mac: Uint8Array): Uint8Array {
  return new Writer().str(CONTEXT_ANNOUNCE_SIG).str(roomId).bytes16(body).fixed(mac, MAC_BYTES).finish();
}

function encodeBody(peerId: string, senderIndex: number, signPk: Uint8Array, boxPk: Uint8Array): Uint8Array {
  return new Writer()
    .u8(WIRE_VERSION)
    .u8(KIND_ANNOUNCEMENT)
    .str(peerId)
    .u32(senderIndex)
    .fixed(signPk, SIGN_PK_BYTES)
    .fixed(boxPk, BOX_PK_BYTES)
    .finish();
}

/** Serialise, MAC and sign an announcement of `identity` as (peerId, senderIndex) in roomId. */
export function encodeAnnouncement(
  who: { peerId: string; senderIndex: number },
  identity: Identity,
  roomId: string,
  authKey: Uint8Array,
): Uint8Array {
  checkPeerId(who.peerId);
  checkSenderIndex(who.senderIndex);
  const s = lib();
  const body = encodeBody(who.peerId, who.senderIndex, identity.signPk, identity.boxPk);
  const mac = s.crypto_auth(macInput(roomId, body), authKey);
  const sig = s.crypto_sign_detached(sigInput(roomId, body, mac), identity.signSk);
  return new Writer().fixed(body, body.length).fixed(mac, MAC_BYTES).fixed(sig, SIG_BYTES).finish();
}

/**
 * Checks an announcement relayed by the server as coming from `fromPeerId`.
 * Never throws on bad input: returns why it was rejected.
 */
export function verifyAnnouncement(
  bytes: Uint8Array,
  ctx: { roomId: string; authKey: Uint8Array; fromPeerId: string },
): AnnouncementResult {
  let parsed: { body: Uint8Array; mac: Uint8Array; sig: Uint8Array; announcement: Announcement };
  try {
    const r = new Reader(bytes);
    if (r.u8() !== WIRE_VERSION || r.u8() !== KIND_ANNOUNCEMENT) throw new DecodeError('not a v1 announcement');
    const peerId = r.str();
    const senderIndex = r.u32();
    const signPk = r.fixed(SIGN_PK_BYTES);
    const boxPk = r.fixed(BOX_PK_BYTES);
    const body = bytes.slice(0, r.position);
    const mac = r.fixed(MAC_BYTES);
    const sig = r.fixed(SIG_BYTES);
    r.end();
    checkPeerId(peerId);
    parsed = { body, mac, sig, announcement: { peerId, senderIndex, signPk, boxPk } };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.announcement.peerId !== ctx.fromPeerId) return { ok: false, reason: 'peer-id-mismatch' };
  const s = lib();
  if (!s.crypto_auth_verify(parsed.mac, macInput(ctx.roomId, parsed.body), ctx.authKey)) {
    return { ok: false, reason: 'bad-mac' };
  }
  let sigOk: boolean;
  try {
    sigOk = s.crypto_sign_verify_detached(parsed.sig, sigInput(ctx.roomId, parsed.body, parsed.mac), parsed.announcement.signPk);
  } catch {
    sigOk = false; // e.g. a public key libsodium refuses outright
  }
  if (!sigOk) return { ok: false, reason: 'bad-signature' };
  return { ok: true, announcement: parsed.announcement };
}
