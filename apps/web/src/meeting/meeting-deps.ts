/** What a Meeting is made of, given from outside: the browser's in the app, fakes in unit tests. */
import type { MeetingSecret } from '@conclave/e2ee/group';
import type { PublicRoom } from '@conclave/protocol';
import type { CallMedia } from '../call/call-media.js';
import type { CreateDevice } from '../call/media-device.js';
import type { ChatSession } from '../chat/chat-session.js';
import type { LinkKey } from '../e2ee/meeting-key.js';
import type { TrackSource } from '../media/local-media.js';
import type { MeetingRecording } from '../recording/meeting-recording.js';
import type { Signaling } from '../signaling/signaling-port.js';
import type { MeetingEncryption } from './meeting-encryption.js';
import type { Clock } from './rejoiner.js';

export interface MeetingDeps {
  roomId: string;
  /** The name last used in this browser. */
  savedName: string;
  rememberName(name: string): void;
  fetchRoom(roomId: string): Promise<PublicRoom>;
  readLinkKey(): Promise<LinkKey>;
  /** A signaling connection with a fresh join ticket (a rejoin gives the last join's pass). */
  openSignaling(roomId: string, roomPassword: string | undefined, rejoinPass: string | null): Promise<Signaling>;
  createDevice: CreateDevice;
  /** `notify`: words for the person about the encryption (someone refused, we were removed). */
  createEncryption(roomId: string, secret: MeetingSecret, notify: (text: string) => void): MeetingEncryption;
  tracks: TrackSource;
  /** Calls back when the browser comes back online; returns what stops it. */
  onOnline(listener: () => void): () => void;
  clock?: Clock;
  random?: () => number;
}

export interface JoinRequest {
  name: string;
  micOn: boolean;
  cameraOn: boolean;
  /** The join screen's tracks: the call takes them over once it joins. */
  stream: MediaStream;
  passphrase: string;
  roomPassword: string;
}

/** The parts of one call, made when the person joins. */
export interface CallParts {
  media: CallMedia;
  e2ee: MeetingEncryption;
  chat: ChatSession;
  recording: MeetingRecording;
}
