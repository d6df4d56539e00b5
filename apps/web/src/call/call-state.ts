/**
 * What the UI renders of a call: an immutable snapshot, replaced on every
 * change so React's useSyncExternalStore can compare by reference.
 */
import type { MediaSource } from '@conclave/protocol';

export type CallPhase = 'idle' | 'connecting' | 'waiting' | 'in-call' | 'reconnecting' | 'ended';

/** What is being repaired while the call recovers by itself. */
export interface Reconnecting {
  /** 'server': the signaling connection is lost and the call rejoins; 'media': the media path is down and ICE restarts. */
  cause: 'server' | 'media';
  /** Which rejoin attempt this is (1 for the first); 0 for an ICE restart. */
  attempt: number;
  /** When (Date.now()) the next rejoin attempt starts, while waiting for it; null while one runs. */
  nextAttemptAt: number | null;
}

export interface RemoteMedia {
  producerId: string;
  consumerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
  /** Video: the simulcast layer the server sends now; null while it sends nothing (unseen tile). */
  layer?: { spatial: number; temporal: number } | null;
}

export interface RemoteParticipant {
  peerId: string;
  displayName: string;
  role: 'host' | 'guest';
  senderIndex: number;
  media: RemoteMedia[];
  /** They are recording the meeting in their own browser. */
  recording: boolean;
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
  /** Set while the call recovers by itself (a rejoin, or an ICE restart while phase stays in-call). */
  reconnecting: Reconnecting | null;
  /** This participant has told the room it is recording the meeting (see CallSession.setRecording). */
  recording: boolean;
  /** This participant's role in the room. */
  role: 'host' | 'guest';
  roomName: string | null;
  locked: boolean;
  /** For hosts: who waits in the lobby. */
  lobby: Array<{ requestId: string; displayName: string }>;
}

/** The call's own fields of CallSnapshot (the Meeting's); the media parts add the tracks and participants. */
export type CallStatus = Omit<CallSnapshot, 'participants' | 'localVideoTrack' | 'micEnabled' | 'cameraEnabled' | 'localScreenTrack'>;

export const initialStatus: CallStatus = {
  phase: 'idle',
  selfId: null,
  activeSpeakerId: null,
  notice: null,
  error: null,
  reconnecting: null,
  recording: false,
  role: 'guest',
  roomName: null,
  locked: false,
  lobby: [],
};

export const initialSnapshot: CallSnapshot = {
  ...initialStatus,
  participants: [],
  localVideoTrack: null,
  micEnabled: false,
  cameraEnabled: false,
  localScreenTrack: null,
};
