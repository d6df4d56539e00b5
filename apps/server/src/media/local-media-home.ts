/**
 * A room's router on one of this node's workers, as a MediaHome: browsers'
 * transports go through the worker's WebRtcServer (one UDP/TCP port per
 * worker), and pipes to other nodes are PipeTransports on the node's pipe
 * address (CONCLAVE_NODE_INTERNAL_URL's host, CONCLAVE_PIPE_PORT_MIN/MAX),
 * with SRTP (keys made per pipe by mediasoup, exchanged over the bus) and RTX.
 */
import type { types } from 'mediasoup';
import type { TransportDirection } from '@conclave/protocol';
import type { MediaHome, PipeAddress, PipedProducer, PipeEnd, PipeFeed, PipeFlow } from './media-home.js';
import { localHomeKey } from './media-home.js';
import type { PeerTransport, PeerTransportData, ProducerData } from './media-objects.js';
import type { WorkerSlot } from './worker-pool.js';

/** Where this node's ends of pipes to other nodes listen. */
export interface PipeListen {
  /** The address other nodes reach this one at (an IP). */
  ip: string;
  portRange?: { min: number; max: number } | undefined;
}

export class MediaUnavailableError extends Error {
  constructor() {
    super('media server is restarting');
  }
}

class LocalPipeEnd implements PipeEnd {
  constructor(private readonly transport: types.PipeTransport) {}

  get id(): string {
    return this.transport.id;
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  get address(): PipeAddress {
    const { srtpParameters } = this.transport;
    if (!srtpParameters) throw new Error('pipe transport made without SRTP');
    return { ip: this.transport.tuple.localAddress, port: this.transport.tuple.localPort, srtpParameters };
  }

  async connect(remote: PipeAddress): Promise<void> {
    await this.transport.connect(remote);
  }

  async consume(producerId: string): Promise<{ feed: PipeFeed; flow: PipeFlow }> {
    const consumer = await this.transport.consume({ producerId });
    return {
      feed: { kind: consumer.kind, rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused },
      flow: { pause: () => consumer.pause(), resume: () => consumer.resume() },
    };
  }

  async produce({ id, feed, appData }: { id: string; feed: PipeFeed; appData: ProducerData }): Promise<PipedProducer> {
    return this.transport.produce({ id, kind: feed.kind, rtpParameters: feed.rtpParameters, paused: feed.paused, appData });
  }

  close(): void {
    if (!this.transport.closed) this.transport.close();
  }
}

export class LocalMediaHome implements MediaHome {
  readonly key: string;
  readonly node = null;
  private speaker: Promise<types.ActiveSpeakerObserver> | null = null;

  constructor(
    readonly slot: WorkerSlot,
    readonly router: types.Router,
    private readonly pipeListen: PipeListen | null = null,
  ) {
    this.key = localHomeKey(slot.index);
  }

  async createTransport(direction: TransportDirection): Promise<PeerTransport> {
    const webRtcServer = this.slot.webRtcServer;
    if (!webRtcServer || this.router.closed) throw new MediaUnavailableError();
    return this.router.createWebRtcTransport<PeerTransportData>({
      webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction },
    });
  }

  canConsume(producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<boolean> {
    return Promise.resolve(this.router.canConsume({ producerId, rtpCapabilities }));
  }

  async openPipe(): Promise<PipeEnd> {
    if (!this.pipeListen) throw new Error('this node has no pipe address: it is not in a cluster');
    const { ip, portRange } = this.pipeListen;
    const transport = await this.router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip, ...(portRange ? { portRange } : {}) },
      enableSrtp: true,
      enableRtx: true,
    });
    return new LocalPipeEnd(transport);
  }

  async watchSpeaker(producerId: string, onDominant: (producerId: string) => void): Promise<void> {
    this.speaker ??= this.router.createActiveSpeakerObserver({ interval: 300 }).then((observer) => {
      observer.on('dominantspeaker', ({ producer }) => onDominant(producer.id));
      return observer;
    });
    const observer = await this.speaker;
    if (!observer.closed) await observer.addProducer({ producerId });
  }
}
