/**
 * The media objects a room works with, as the few members it uses: a
 * transport, a producer, a consumer and a router. A mediasoup object on this
 * node's own workers is one as it is (each interface is a subset of
 * mediasoup's, checked at the bottom); an object on another node of the
 * cluster is a proxy that reaches that node's media agent over the bus
 * (cluster/remote-media.ts). The signaling handlers, the consumer views and
 * the room do not tell the two apart.
 */
import type { types } from 'mediasoup';
import type { MediaSource, TransportDirection } from '@conclave/protocol';

export interface PeerTransportData {
  direction: TransportDirection;
  [key: string]: unknown;
}
export interface ProducerData {
  source: MediaSource;
  [key: string]: unknown;
}
export interface ConsumerData {
  peerId: string;
  source: MediaSource;
  /** The receive transport it was made on (one consumer per producer and transport: see consume). */
  transportId: string;
  [key: string]: unknown;
}

/** Told once, when the object closes (for whatever reason). */
export interface CloseObserver {
  once(event: 'close', listener: () => void): unknown;
}

export interface ProducerObserver extends CloseObserver {
  on(event: 'pause' | 'resume', listener: () => void): unknown;
}

export interface PeerProducer {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly closed: boolean;
  readonly paused: boolean;
  readonly appData: ProducerData;
  readonly rtpParameters: types.RtpParameters;
  readonly observer: ProducerObserver;
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): void;
  getStats(): Promise<unknown[]>;
}

export interface PeerConsumer {
  readonly id: string;
  readonly producerId: string;
  readonly kind: types.MediaKind;
  readonly type: types.ConsumerType;
  readonly closed: boolean;
  readonly paused: boolean;
  readonly producerPaused: boolean;
  readonly priority: number;
  readonly preferredLayers: types.ConsumerLayers | undefined;
  readonly rtpParameters: types.RtpParameters;
  readonly appData: ConsumerData;
  /** Also told when it pauses or resumes (by its receiver's views, or as its producer does). */
  readonly observer: ProducerObserver;
  on(event: 'layerschange', listener: (layers?: types.ConsumerLayers) => void): unknown;
  on(event: 'producerclose', listener: () => void): unknown;
  pause(): Promise<void>;
  resume(): Promise<void>;
  setPreferredLayers(layers: types.ConsumerLayers): Promise<void>;
  setPriority(priority: number): Promise<void>;
  close(): void;
}

export interface ProduceOptions {
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  paused: boolean;
  appData: ProducerData;
}

export interface ConsumeOptions {
  producerId: string;
  rtpCapabilities: types.RtpCapabilities;
  paused: boolean;
  appData: ConsumerData;
}

export interface PeerTransport {
  readonly id: string;
  readonly closed: boolean;
  readonly appData: PeerTransportData;
  readonly iceParameters: types.IceParameters;
  readonly iceCandidates: types.IceCandidate[];
  readonly dtlsParameters: types.DtlsParameters;
  readonly observer: CloseObserver;
  on(event: 'dtlsstatechange', listener: (state: types.DtlsState) => void): unknown;
  connect(options: { dtlsParameters: types.DtlsParameters }): Promise<void>;
  restartIce(): Promise<types.IceParameters>;
  produce(options: ProduceOptions): Promise<PeerProducer>;
  consume(options: ConsumeOptions): Promise<PeerConsumer>;
  close(): void;
}

/** A room's router on one site (a worker here, or the room's router on another node). */
export interface MediaRouter {
  readonly id: string;
  readonly closed: boolean;
  readonly rtpCapabilities: types.RtpCapabilities;
  readonly observer: CloseObserver;
  close(): void;
}

// mediasoup's own objects are these as they are (a compile-time check, nothing at run time).
type Assignable<T, U extends T> = U;
export type LocalObjectsFit = [
  Assignable<PeerProducer, types.Producer<ProducerData>>,
  Assignable<PeerConsumer, types.Consumer<ConsumerData>>,
  Assignable<MediaRouter, types.Router>,
  Assignable<PeerTransport, types.WebRtcTransport<PeerTransportData>>,
];
