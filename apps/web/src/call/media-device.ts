/**
 * What call media needs of a WebRTC device: load the router's capabilities,
 * make a send and a receive transport, produce and consume. The protocol's
 * parameters stay opaque records here; mediasoup-device.ts is the one place
 * that hands them to mediasoup-client as its own types. Unit tests drive the
 * call parts with a fake device.
 */
import type { MediaKind, MediaSource, ResponseData, TransportDirection } from '@conclave/protocol';

export type OpaqueParams = Record<string, unknown>;

export type TransportState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** The server's answer to createTransport. */
export type TransportAnswer = ResponseData<'createTransport'>;
/** The server's answer to consume. */
export type ConsumeAnswer = ResponseData<'consume'>;

export interface TransportSettings {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  /** Extra RTCPeerConnection settings (the frame transform's, when it needs any). */
  peerConnectionSettings?: Record<string, unknown> | undefined;
}

/** What a transport asks of the server, through the call. */
export interface TransportHooks {
  /** DTLS parameters for the server's end (the first time media flows). */
  connect: (dtlsParameters: OpaqueParams) => Promise<void>;
  /** A new producer on a send transport: returns the server's producer id. */
  produce?: (request: { kind: MediaKind; rtpParameters: OpaqueParams; source: MediaSource }) => Promise<string>;
  onStateChange: (state: TransportState) => void;
}

export interface ProduceOptions {
  track: MediaStreamTrack;
  source: MediaSource;
  /** The codec to send (a mimeType the device has), or the device's choice. */
  codecMimeType?: string | undefined;
  encodings?: RTCRtpEncodingParameters[] | undefined;
  codecOptions?: { opusStereo?: boolean; opusDtx?: boolean; opusFec?: boolean; videoGoogleStartBitrate?: number } | undefined;
  /** Handed the sender before its first frame (to attach the E2EE transform). */
  onRtpSender?: ((sender: RTCRtpSender) => void) | undefined;
}

export interface ConsumeOptions {
  answer: ConsumeAnswer;
  peerId: string;
  /** Handed the receiver before its first frame, with the codec it receives. */
  onRtpReceiver?: ((receiver: RTCRtpReceiver, mimeType: string | undefined) => void) | undefined;
}

export interface MediaProducer {
  readonly id: string;
  readonly closed: boolean;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
  close(): void;
  /** Called once if the producer's transport closes under it. */
  onTransportClose(listener: () => void): void;
}

export interface MediaConsumer {
  readonly id: string;
  readonly track: MediaStreamTrack;
  readonly source: MediaSource;
  getStats(): Promise<RTCStatsReport>;
  close(): void;
}

export interface MediaTransport {
  readonly id: string;
  readonly closed: boolean;
  readonly connectionState: TransportState;
  produce(options: ProduceOptions): Promise<MediaProducer>;
  consume(options: ConsumeOptions): Promise<MediaConsumer>;
  restartIce(iceParameters: OpaqueParams): Promise<void>;
  updateIceServers(iceServers: RTCIceServer[]): Promise<void>;
  getStats(): Promise<RTCStatsReport>;
  close(): void;
}

export interface MediaDevice {
  load(routerRtpCapabilities: OpaqueParams): Promise<void>;
  canProduce(kind: MediaKind): boolean;
  /** Whether both this browser and the router can send `mimeType` (e.g. 'video/vp8'). */
  canSendCodec(mimeType: string): boolean;
  /** What this device can receive, for consume requests. */
  readonly recvRtpCapabilities: OpaqueParams;
  createTransport(
    direction: TransportDirection,
    answer: TransportAnswer,
    settings: TransportSettings,
    hooks: TransportHooks,
  ): MediaTransport;
}

export type CreateDevice = () => MediaDevice;
