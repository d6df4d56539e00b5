/**
 * The messages between the page and the media Worker. Keys cross this
 * boundary once per membership change; frames never do (they stay inside the
 * Worker's transform streams).
 *
 * This file is the boundary: the only module that both page/ (the page's side)
 * and worker/ (the Worker's side) import. It holds types and constants only,
 * so it imports nothing but the wire protocol's types (worker-boundary.test.ts
 * checks all three rules).
 */
import type { E2eeStatus, MediaKind, MediaSource } from '@conclave/protocol';

export type { MediaKind, MediaSource };

/** Per remote participant and kind, what their frames are doing in this browser (the protocol's E2eeStatus). */
export type ReceiveStatus = E2eeStatus;

/** Options given to each RTCRtpScriptTransform (or sent with transferred streams). */
export interface TransformOptions {
  operation: 'encrypt' | 'decrypt';
  kind: MediaKind;
  /** Which source of the sender (camera, screen, mic, screen audio): each has its own KID, key and counters. */
  source: MediaSource;
  /** The codec, when the page knows it; the frame's own metadata wins when present. */
  mimeType?: string;
  /** For 'decrypt': whose frames these are. */
  peerId?: string;
}

/**
 * Keys arrive per MLS epoch as RFC 9605 §5.2 base keys of a member's leaf;
 * the Worker derives the KID of each source (group/sframe-epoch-keys.ts).
 */
export type ToWorker =
  /** Our own base key of a new epoch: every source switches to it after `activateAfterMs`. */
  | {
      type: 'set-send-key';
      epoch: bigint;
      leaf: number;
      baseKey: Uint8Array;
      activateAfterMs: number;
      /** Where the counters of this epoch's KIDs start (default 0): a test's forging member picks a fresh range. */
      firstCounter?: bigint;
    }
  /** A member's base key of an epoch, for every source of theirs. */
  | { type: 'add-receive-key'; peerId: string; epoch: bigint; leaf: number; baseKey: Uint8Array }
  /** Drop a member's keys: of one epoch, or (no epoch) all of them. */
  | { type: 'drop-receive-keys'; peerId: string; epoch?: bigint }
  /** Forget every key (leaving, or rejoining as a new participant). */
  | { type: 'reset' }
  /** createEncodedStreams fallback: the page hands over a sender's or receiver's streams. */
  | { type: 'transform-streams'; options: TransformOptions; readable: ReadableStream; writable: WritableStream }
  /**
   * An origin batch (the bytes of a sender's 'origin-batch', as signed) whose
   * signature the page verified as made by the MLS member at `leaf`, known
   * to the page as `peerId`. Entries under any other leaf's KID are refused.
   */
  | { type: 'origin-verified'; peerId: string; leaf: number; batch: Uint8Array }
  /**
   * Whether frames of a (peer, source) whose origin failed are dropped (true)
   * or only reported (false, the default until the page signs and relays
   * batches: without them every stream would fail after ORIGIN_DEADLINE_MS).
   */
  | { type: 'origin-enforce'; enforce: boolean };

export type FromWorker =
  | { type: 'receive-status'; peerId: string; kind: MediaKind; status: ReceiveStatus; reason?: string }
  /** Whether this participant's own frames are being encrypted and sent (false = held back: no key). */
  | { type: 'send-status'; sending: boolean }
  /** A new epoch's send key is now in use: every frame from here on is under it. */
  | { type: 'send-key-active'; epoch: bigint }
  /**
   * Our recent frames, (KID, CTR, origin hash) each, in the layout of
   * worker/origin-batch.ts: the page signs these bytes as they are and
   * relays them to every receiver (who hands them back as 'origin-verified').
   */
  | { type: 'origin-batch'; batch: Uint8Array }
  /** Whether a remote participant's source is shown to be theirs (frames covered by batches they signed). */
  | { type: 'origin-status'; peerId: string; source: MediaSource; status: OriginStatus; reason?: OriginFailure };

/**
 * Origin of a remote (peer, source): 'pending' until a frame of it is covered
 * by a batch its sender signed, then 'verified'; 'failed' when a frame is
 * forged or stays unsigned (then its frames stop being shown, if enforced).
 */
export type OriginStatus = 'pending' | 'verified' | 'failed';
/**
 * 'forged': a signed batch lists the frame's (KID, CTR) with another hash;
 * lasts until the peer's keys of a new epoch arrive. 'unsigned': a frame was
 * not covered within ORIGIN_DEADLINE_MS; clears once frames are covered again.
 */
export type OriginFailure = 'forged' | 'unsigned';

/** A sender hands its origin batch to the page this long after the batch's first entry… */
export const ORIGIN_BATCH_MS = 500;
/** …or as soon as it holds this many entries (also the most a receiver accepts in one batch). */
export const ORIGIN_BATCH_MAX_ENTRIES = 64;
/** The most bytes an origin batch can take (worker/origin-batch.ts: every entry in a run of its own). */
export const ORIGIN_BATCH_MAX_BYTES = 1 + ORIGIN_BATCH_MAX_ENTRIES * (8 + 8 + 1 + 16);
/**
 * A received frame not covered by a verified batch this long after it
 * arrived fails its (peer, source) as 'unsigned'. Batches travel sender
 * Worker → page (signs) → signaling server → page (verifies) → Worker, and
 * a loaded machine's main thread lags by several hundred ms.
 */
export const ORIGIN_DEADLINE_MS = 2000;

/** Suites by media kind (docs/e2ee-keys.md, SECURITY.md "Frame format"): GCM for video, CTR+HMAC-64 for small audio frames. */
export const SUITE_FOR_KIND: Record<MediaKind, number> = {
  video: 0x0004, // AES_128_GCM_SHA256_128
  audio: 0x0002, // AES_128_CTR_HMAC_SHA256_64
};

/** The media kind of each source. */
export const KIND_OF_SOURCE: Record<MediaSource, MediaKind> = { camera: 'video', screen: 'video', mic: 'audio', 'screen-audio': 'audio' };
