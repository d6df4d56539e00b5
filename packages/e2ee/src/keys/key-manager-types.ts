/**
 * The key manager's public types: what goes into a KeyManager (its options)
 * and what comes out (Effects for the server and the frame Worker, member
 * states, rejections, chat results). Apart from key-manager.ts so the page's
 * media code and the app can name them without reading the state machine;
 * key-manager.ts and keys/index.ts re-export them as before.
 */
import type { AnnouncementRejectReason, Identity } from './identity.js';
import type { KeyBoxRejectReason } from './key-box.js';

export interface OutgoingBox {
  to: string;
  bytes: Uint8Array;
}

export interface SendKeyUpdate {
  kid: bigint;
  generation: number;
  /** RFC 9605 base_key for our own frames. */
  baseKey: Uint8Array;
  activateAfterMs: number;
}

export interface ReceiveKey {
  peerId: string;
  kid: bigint;
  generation: number;
  /** RFC 9605 base_key for this sender's frames under `kid`. */
  baseKey: Uint8Array;
}

export interface DropReceiveKeys {
  peerId: string;
  /** Absent: every key of this peer. */
  kid?: bigint;
  /** Schedule the drop this many ms from now (0 = now). */
  afterMs: number;
}

export type RejectReason =
  | AnnouncementRejectReason
  | KeyBoxRejectReason
  | 'self-id' // announcement claiming our own peerId
  | 'identity-conflict' // a second, different announcement for a known peer
  | 'sender-index-conflict' // senderIndex already used by another member
  | 'not-a-member' // bundle from a peer whose announcement failed verification
  | 'stale' // bundle older than what we hold, or from before a later leave
  | 'link-mismatch' // bundle inconsistent with the sender's earlier bundles
  | 'expired' // waited PENDING_TTL_MS without becoming usable
  | 'pending-overflow';

export interface Rejection {
  peerId: string;
  what: 'announcement' | 'key-bundle';
  reason: RejectReason;
}

export interface Effects {
  /** Boxes for the server to relay; send them as one message. */
  send: OutgoingBox[];
  /** New own key for the frame Worker. */
  setSendKey?: SendKeyUpdate;
  addReceiveKeys: ReceiveKey[];
  dropReceiveKeys: DropReceiveKeys[];
  /** The member set (hence the safety code) changed. */
  safetyCodeChanged: boolean;
  /** Inputs that were refused; for logs and UI, never thrown. */
  rejected: Rejection[];
}

export type MemberState =
  | 'self'
  | 'verified' // announcement verified, and we hold its current key
  | 'waiting-for-key' // announcement verified; its key for the current epoch has not arrived yet
  | 'unverified' // announcement MAC failed: different meeting secret (or forged)
  | 'invalid' // malformed / bad signature / conflicting announcement
  | 'unknown'; // no announcement seen (or left)

export interface PeerInfo {
  peerId: string;
  state: MemberState;
  senderIndex?: number;
  reason?: RejectReason;
}

export type ChatDecryptResult =
  | { ok: true; plaintext: Uint8Array; text: string; generation: number }
  | { ok: false; reason: 'not-a-member' | 'no-key' | 'expired-key' | 'malformed' | 'bad-ciphertext' };

export interface KeyManagerOptions {
  roomId: string;
  selfId: string;
  /** Small integer assigned by the server, unique in the room (0..2^32-1). */
  senderIndex: number;
  /** 32 bytes; not retained (only K_auth and K_verify derived from it are). */
  meetingSecret: Uint8Array;
  /** Clock in ms; default Date.now. */
  now?: () => number;
  /** For tests: a given identity instead of a fresh one. */
  identity?: Identity;
}
