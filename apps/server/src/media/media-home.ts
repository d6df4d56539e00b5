/**
 * Where a room's peer has its media: the room's router on one site, which is
 * either one of this node's workers (local-media-home.ts) or another node of
 * the cluster (cluster/remote-media.ts). A peer's transports are made here;
 * a producer made on one home is brought to another by a pipe: within this
 * node by mediasoup's pipeToRouter, between nodes by a pair of PipeTransports
 * (UDP with SRTP and RTX), whose two ends (`PipeEnd`) the room's home node
 * connects to each other.
 */
import type { types } from 'mediasoup';
import type { TransportDirection } from '@conclave/protocol';
import type { WorkerSlot } from './worker-pool.js';
import type { CloseObserver, MediaRouter, PeerTransport, ProducerData } from './media-objects.js';

/** Where the other end of a pipe sends to, and the SRTP key it encrypts with. */
export interface PipeAddress {
  ip: string;
  port: number;
  srtpParameters: types.SrtpParameters;
}

/** A producer brought in through a pipe: kept in step with the producer it copies. */
export interface PipedProducer {
  readonly closed: boolean;
  readonly paused: boolean;
  readonly observer: CloseObserver;
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): void;
}

/** What a pipe consumer sends: the producer's kind and the RTP parameters its copy is made with. */
export interface PipeFeed {
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  /** The producer is paused now (its copy starts paused). */
  paused: boolean;
}

/** What flows down a pipe for one producer: paused while nobody on the other node watches it. */
export interface PipeFlow {
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/** One end of a pipe between the room's routers on two nodes. */
export interface PipeEnd {
  readonly id: string;
  readonly address: PipeAddress;
  readonly closed: boolean;
  connect(remote: PipeAddress): Promise<void>;
  /** Sends `producerId` (on this end's router) down the pipe. */
  consume(producerId: string): Promise<{ feed: PipeFeed; flow: PipeFlow }>;
  /** Makes the copy of a producer the other end sends, under the same id. */
  produce(options: { id: string; feed: PipeFeed; appData: ProducerData }): Promise<PipedProducer>;
  close(): void;
}

export interface MediaHome {
  /** `w:<slot index>` for this node's workers, `n:<node id>` for another node. */
  readonly key: string;
  /** This node's worker slot, or null on another node. */
  readonly slot: WorkerSlot | null;
  /** The other node, or null here. */
  readonly node: string | null;
  readonly router: MediaRouter;
  createTransport(direction: TransportDirection): Promise<PeerTransport>;
  /** Whether a browser with these capabilities can receive the producer (which must be on this router already). */
  canConsume(producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<boolean>;
  /** A new end of a pipe to another node's router of the room. */
  openPipe(): Promise<PipeEnd>;
  /** Feeds a microphone (on this router) to the room's active speaker detection; `onDominant` hears the speaker's producer id. */
  watchSpeaker(producerId: string, onDominant: (producerId: string) => void): Promise<void>;
}

export const localHomeKey = (slotIndex: number) => `w:${slotIndex}`;
export const remoteHomeKey = (nodeId: string) => `n:${nodeId}`;
