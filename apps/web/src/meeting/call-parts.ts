/**
 * The parts of one call, made when the person joins and dropped when they
 * go back to the join screen: call media, end-to-end encryption, chat,
 * raised hands and reactions, and the local recording. Each shows its state through a store the Meeting
 * composes into the page's snapshot.
 */
import type { MeetingSecret } from '@conclave/e2ee/group';
import { CallMedia } from '../call/call-media.js';
import { ChatSession } from '../chat/chat-session.js';
import { GestureSession } from '../gestures/gesture-session.js';
import { MeetingRecording, type RecordingCall } from '../recording/meeting-recording.js';
import type { ReadableStore } from '../state/store.js';
import type { MeetingDeps } from './meeting-deps.js';
import type { MeetingEncryption } from './meeting-encryption.js';

export interface CallParts {
  media: CallMedia;
  e2ee: MeetingEncryption;
  chat: ChatSession;
  /** Raised hands and reactions. */
  gestures: GestureSession;
  recording: MeetingRecording;
}

export interface CallPartsContext {
  deps: Pick<MeetingDeps, 'roomId' | 'tracks' | 'createDevice' | 'createEncryption'>;
  /** The join screen's tracks. */
  stream: MediaStream;
  secret: MeetingSecret;
  selfName: string;
  notify: (text: string) => void;
  /** The call as the recording sees it (the Meeting's snapshot), without the microphone, which the publisher has. */
  call: Omit<RecordingCall, 'microphoneTrack'>;
  roomName: () => string;
  /** Our peer id on the current connection. */
  selfId: () => string | null;
}

export function createCallParts({ deps, stream, secret, selfName, notify, call, roomName, selfId }: CallPartsContext): CallParts {
  const e2ee = deps.createEncryption(deps.roomId, secret, notify);
  const media = new CallMedia({ stream, tracks: deps.tracks, createDevice: deps.createDevice, transforms: e2ee, notify });
  const chat = new ChatSession({ crypto: e2ee, nameOf: (peerId) => media.subscriber.nameOf(peerId) });
  const gestures = new GestureSession({ crypto: e2ee, isHost: (peerId) => media.subscriber.roleOf(peerId) === 'host', selfId });
  const recording = new MeetingRecording(
    {
      ...call,
      get microphoneTrack() {
        return media.publisher.microphoneTrack;
      },
    },
    {
      selfName: () => selfName,
      roomName,
      isHidden: (peerId) => e2ee.store.getSnapshot().tiles[peerId]?.state === 'cannot-decrypt',
    },
  );
  return { media, e2ee, chat, gestures, recording };
}

/** Every store the page's snapshot is composed from. */
export function partStores(parts: CallParts): Array<ReadableStore<object>> {
  return [
    parts.media.publisher.store,
    parts.media.subscriber.store,
    parts.e2ee.store,
    parts.chat.store,
    parts.gestures.store,
    parts.recording.store,
  ];
}

/** Keys forgotten, chat closed, a running recording stopped and saved. */
export function disposeCallParts(parts: CallParts): void {
  parts.e2ee.dispose();
  parts.chat.dispose();
  parts.gestures.dispose();
  parts.recording.dispose();
}

/** The join screen's choice: the microphone muted or not; a camera turned off is stopped and left behind. */
export function applyJoinChoice(stream: MediaStream, micOn: boolean, cameraOn: boolean): void {
  for (const t of stream.getAudioTracks()) t.enabled = micOn;
  if (cameraOn) return;
  for (const t of stream.getVideoTracks()) {
    t.stop();
    stream.removeTrack(t);
  }
}
