/**
 * What the UI renders of a call: an immutable snapshot, replaced on every
 * change so React's useSyncExternalStore can compare by reference.
 */
import type { MediaSource } from '@conclave/protocol';

export type CallPhase = 'idle' | 'connecting' | 'waiting' | 'in-call' | 'reconnecting' | 'ended';

export interface RemoteMedia {
  producerId: string;
  consumerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface RemoteParticipant {
  peerId: string;
  displayName: string;
  role: 'host' | 'guest';
  senderIndex: number;
  media: RemoteMedia[];
}

export interface CallSnapshot {
  phase: CallPhase;
  selfId: string | null;
  participants: RemoteParticipant[];
  localVideoTrack: MediaStreamTrack | null;
  micEnabled: boolean;
  cameraEnabled: boolean;
  /** This participant's own screen share, while it is on. */
  localScreenTrack: MediaStreamTrack | null;
  /** Who the server says is speaking (a remote peerId, or selfId), or null. */
  activeSpeakerId: string | null;
  /** A short sentence about the latest event, for a toast. */
  notice: { id: number; text: string } | null;
  /** Why the call is not going (phase ended/reconnecting), in words. */
  error: string | null;
  /** This participant's role in the room. */
  role: 'host' | 'guest';
  roomName: string | null;
  locked: boolean;
  /** For hosts: who waits in the lobby. */
  lobby: Array<{ requestId: string; displayName: string }>;
}

export const initialSnapshot: CallSnapshot = {
  phase: 'idle',
  selfId: null,
  participants: [],
  localVideoTrack: null,
  micEnabled: false,
  cameraEnabled: false,
  localScreenTrack: null,
  activeSpeakerId: null,
  notice: null,
  error: null,
  role: 'guest',
  roomName: null,
  locked: false,
  lobby: [],
};
