/**
 * The seam between the call and end-to-end encryption: every RTCRtpSender and
 * RTCRtpReceiver is handed here before its first frame, so a transform can be
 * attached in time (mediasoup-client's onRtpSender / onRtpReceiver).
 */
import type { MediaKind, MediaSource } from '@conclave/protocol';

export interface MediaTransforms {
  attachSender(sender: RTCRtpSender, kind: MediaKind, source: MediaSource, mimeType?: string): void;
  attachReceiver(receiver: RTCRtpReceiver, peerId: string, kind: MediaKind, source: MediaSource, mimeType?: string): void;
  /** Extra RTCPeerConnection settings the transform needs, if any. */
  readonly peerConnectionSettings?: Record<string, unknown> | undefined;
}
