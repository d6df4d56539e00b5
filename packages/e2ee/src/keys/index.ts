/**
 * @conclave/e2ee/keys — the key schedule (browser main thread): meeting
 * secret, identities, sender keys, key boxes, safety code, chat.
 */
export {
  KeyManager,
  ACTIVATION_DELAY_MS,
  JOIN_GRACE_MS,
  LEAVE_GRACE_MS,
  PENDING_TTL_MS,
  type KeyManagerOptions,
  type Effects,
  type OutgoingBox,
  type SendKeyUpdate,
  type ReceiveKey,
  type DropReceiveKeys,
  type Rejection,
  type RejectReason,
  type MemberState,
  type PeerInfo,
  type ChatDecryptResult,
} from './key-manager.js';
export {
  generateMeetingSecret,
  encodeMeetingSecret,
  decodeMeetingSecret,
  meetingSecretFromFragment,
  meetingSecretFragment,
  secretFromPassphrase,
  MeetingSecretError,
  MEETING_SECRET_BYTES,
  PASSPHRASE_OPSLIMIT,
  PASSPHRASE_MEMLIMIT,
  type PassphraseOptions,
} from './meeting-secret.js';
export { SAFETY_EMOJI, type SafetyCode } from './safety-code.js';
export { kidFor, splitKid } from './sender-key.js';
export { sodiumReady } from './sodium.js';
export { toBase64url, fromBase64url } from './base64url.js';
