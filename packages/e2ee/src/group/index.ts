/**
 * @conclave/e2ee/group — the meeting's MLS group (RFC 9420) and what comes
 * out of it: membership, SFrame keys per epoch (RFC 9605 §5.2), the
 * verification code, and signed chat.
 */
export {
  GroupAgent,
  MAX_FAILED_ADMISSIONS,
  TAKEOVER_MS,
  type AdmissionFailure,
  UPDATE_EVERY_MS,
  MAX_SIGNAL_BYTES,
  type CommitAnswer,
  type DeliveryPort,
  type EpochKeys,
  type GroupAgentEvents,
  type GroupAgentOptions,
  type OpenedAppMessage,
  type RawJoinRequest,
  type Rejection,
} from './group-agent.js';
export { GroupError, type GroupMember } from './meeting-group.js';
export { LINK_KEY_BYTES, type MeetingSecret, type RefusalReason } from './admission.js';
export { SAFETY_EMOJI, type SafetyCode } from './verification-code.js';
export { kidFor } from './sframe-epoch-keys.js';
export { CpaceError, cpaceRespond, cpaceStart, type CpaceInitiator, type CpaceParams, type CpaceResponse } from './cpace.js';
