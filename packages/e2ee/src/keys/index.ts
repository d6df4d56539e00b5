/**
 * @conclave/e2ee/keys — the meeting's link key (`#k=` in the invite link,
 * never sent to a server), and base64url. A passphrase is used as it is, in
 * the admission runs of @conclave/e2ee/group, which also makes the keys.
 */
export {
  generateMeetingSecret,
  encodeMeetingSecret,
  decodeMeetingSecret,
  meetingSecretFromFragment,
  meetingSecretFragment,
  MeetingSecretError,
  MEETING_SECRET_BYTES,
} from './meeting-secret.js';
export { sodiumReady } from './sodium.js';
export { toBase64url, fromBase64url } from './base64url.js';
