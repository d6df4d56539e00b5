/**
 * The room page's one snapshot, put together from the Meeting's own state
 * and its parts' stores. A field keeps its old object when nothing in it
 * changed, so React and the recording compare by reference.
 */
import { AccessError } from '../api/room-access.js';
import type { CallSnapshot, CallStatus, RemoteParticipant } from '../call/call-state.js';
import type { PublisherState } from '../call/publisher.js';
import { emptyChatLog } from '../chat/chat-log.js';
import { idleGestures } from '../gestures/gesture-session.js';
import { idleRecording } from '../recording/meeting-recording.js';
import type { CallParts } from './meeting.js';
import { idleE2ee } from '../e2ee/e2ee-session.js';
import type { MeetingScreen, MeetingSnapshot } from './meeting-state.js';

const nobody: RemoteParticipant[] = [];
const idlePublisher: PublisherState = { micEnabled: false, cameraEnabled: false, localVideoTrack: null, localScreenTrack: null };

function sameFields<T extends object>(a: T, b: T): boolean {
  return (Object.keys(b) as Array<keyof T>).every((k) => a[k] === b[k]) && Object.keys(a).length === Object.keys(b).length;
}

function screenOf(room: MeetingSnapshot['room'], phase: CallStatus['phase'], joined: boolean, inCall: boolean): MeetingScreen {
  if (room instanceof AccessError && room.code === 'not_found') return 'not-found';
  if (joined && !inCall && phase === 'waiting') return 'waiting';
  if (!joined || !inCall) return 'join';
  return phase === 'ended' ? 'ended' : 'in-call';
}

export function composeMeeting(prev: MeetingSnapshot, status: CallStatus, parts: CallParts | null, inCall: boolean): MeetingSnapshot {
  const call: CallSnapshot = {
    ...status,
    ...(parts?.media.publisher.store.getSnapshot() ?? idlePublisher),
    participants: parts?.media.subscriber.store.getSnapshot().participants ?? nobody,
  };
  const next: MeetingSnapshot = {
    ...prev,
    screen: screenOf(prev.room, status.phase, parts !== null, inCall),
    call: sameFields(prev.call, call) ? prev.call : call,
    e2ee: parts?.e2ee.store.getSnapshot() ?? idleE2ee,
    chat: parts?.chat.store.getSnapshot() ?? emptyChatLog,
    gestures: parts?.gestures.store.getSnapshot() ?? idleGestures,
    recording: parts?.recording.store.getSnapshot() ?? idleRecording,
  };
  return sameFields(prev, next) ? prev : next;
}
