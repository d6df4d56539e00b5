/**
 * What the Meeting needs of end-to-end encryption (E2eeSession in the
 * browser, a fake in unit tests): frame transforms for the call's media,
 * chat and meeting-signal sealing, a store for the UI, and a fresh membership on each join.
 */
import type { JoinAnswer } from '@conclave/protocol';
import type { MediaTransforms } from '../call/media-transforms.js';
import type { ChatCrypto } from '../chat/chat-session.js';
import type { GestureCrypto } from '../gestures/gesture-session.js';
import type { E2eeSnapshot } from '../e2ee/e2ee-session.js';
import type { Signaling } from '../signaling/signaling-port.js';
import type { ReadableStore } from '../state/store.js';

export interface MeetingEncryption extends MediaTransforms, ChatCrypto, GestureCrypto {
  readonly store: ReadableStore<E2eeSnapshot>;
  /** A (re)join on a new connection: a new member offered to the group; it reports its own status to the server. */
  attach(signaling: Signaling, joined: JoinAnswer, displayName: string): Promise<void>;
  /** A host's removal: commits the member's Remove before the server is asked to disconnect it. */
  removeMember(peerId: string): Promise<void>;
  /** Before leaving: a signed leave notice to the group. */
  announceLeave(): Promise<void>;
  /** The meeting is over: forget every key. */
  dispose(): void;
  /** For the diagnostics hook used by tests: the epoch, leaf and key our own frames use now. */
  debugSendKey(): { epoch: string; leaf: number; baseKey: Uint8Array } | null;
  /** Test hooks: forge another member's frames from the next epoch on; commit a new epoch now. */
  debugImpersonate(peerId: string): void;
  debugRekey(): Promise<void>;
}
