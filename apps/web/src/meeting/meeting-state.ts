/**
 * What the room page renders of a meeting: the room as the server describes
 * it, the meeting key the link carries, the join in progress, and, once
 * joined, the call, its encryption, chat, hands and reactions, and recording, each a snapshot
 * replaced on every change.
 */
import type { MeetingSecret } from '@conclave/e2ee/group';
import type { PublicRoom } from '@conclave/protocol';
import type { AccessError } from '../api/room-access.js';
import { initialSnapshot, type CallSnapshot, type CallStatus } from '../call/call-state.js';
import { emptyChatLog, type ChatLog } from '../chat/chat-log.js';
import { idleGestures, type GestureView } from '../gestures/gesture-session.js';
import { idleE2ee, type E2eeSnapshot } from '../e2ee/e2ee-session.js';
import type { LinkKey } from '../e2ee/meeting-key.js';
import { idleRecording, type RecordingView } from '../recording/meeting-recording.js';

/** How the call has recovered so far (rejoins, ICE restarts) and the transports' states now, for window.conclave. */
export interface RecoveryStats {
  peerId: string | null;
  rejoins: number;
  iceRestarts: number;
  /** Media rebuilt on the same connection after the server's media worker died. */
  mediaResets: number;
  transports: { send: string | null; recv: string | null };
  reconnecting: CallStatus['reconnecting'];
}

/** Which screen the room page shows. */
export type MeetingScreen = 'not-found' | 'join' | 'waiting' | 'in-call' | 'ended';

export interface MeetingSnapshot {
  screen: MeetingScreen;
  /** The room as its public page describes it, or why it cannot be had. */
  room: PublicRoom | AccessError | null;
  linkKey: LinkKey | null;
  /** The meeting secret in use (from the link or the passphrase), for the invite link. */
  secret: MeetingSecret | null;
  displayName: string;
  /** 'call' while joining. */
  joining: false | 'call';
  joinError: string | null;
  call: CallSnapshot;
  e2ee: E2eeSnapshot;
  chat: ChatLog;
  gestures: GestureView;
  recording: RecordingView;
}

export function initialMeeting(displayName: string): MeetingSnapshot {
  return {
    screen: 'join',
    room: null,
    linkKey: null,
    secret: null,
    displayName,
    joining: false,
    joinError: null,
    call: initialSnapshot,
    e2ee: idleE2ee,
    chat: emptyChatLog,
    gestures: idleGestures,
    recording: idleRecording,
  };
}
