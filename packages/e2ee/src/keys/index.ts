/**
 * @conclave/e2ee/keys — the meeting's link key (`#k=` in the invite link,
 * never sent to a server) or a passphrase stretched into one with argon2id,
 * and base64url. Group keys come from @conclave/e2ee/group.
 */
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
export { sodiumReady } from './sodium.js';
export { toBase64url, fromBase64url } from './base64url.js';
