/**
 * The one typed adapter between the protocol and mediasoup-client. The
 * protocol carries mediasoup's parameters as opaque, size-capped records
 * (the server made them with mediasoup, and mediasoup-client checks them
 * again when it uses them); here, and only here, they become
 * mediasoup-client's types, and its objects become the call's narrow
 * MediaDevice, MediaTransport, MediaProducer and MediaConsumer.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { MediaSource, TransportDirection } from '@conclave/protocol';
import type {
  ConsumeOptions,
  MediaConsumer,
  MediaDevice,
  MediaProducer,
  MediaTransport,
  OpaqueParams,
  ProduceOptions,
  TransportAnswer,
  TransportHooks,
  TransportSettings,
} from './media-device.js';

/** Protocol record → mediasoup-client parameters (mediasoup-client validates what it uses). */
function fromWire<T>(params: OpaqueParams | OpaqueParams[]): T {
  return params as unknown as T;
}

/** mediasoup-client parameters → protocol record (plain JSON data, sent as it is). */
function toWire(params: object): OpaqueParams {
  return params as OpaqueParams;
}

function producerOf(p: types.Producer): MediaProducer {
  return {
    get id() {
      return p.id;
    },
    get closed() {
      return p.closed;
    },
    get paused() {
      return p.paused;
    },
    pause: () => p.pause(),
    resume: () => p.resume(),
    replaceTrack: (track) => p.replaceTrack({ track }),
    close: () => p.close(),
    onTransportClose: (listener) => p.on('transportclose', listener),
  };
}

function consumerOf(c: types.Consumer, source: MediaSource): MediaConsumer {
  return {
    id: c.id,
    track: c.track,
    source,
    getStats: () => c.getStats(),
    close: () => c.close(),
  };
}

class MediasoupTransport implements MediaTransport {
  constructor(
    private readonly transport: types.Transport,
    private readonly device: types.Device,
  ) {}

  get id(): string {
    return this.transport.id;
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  get connectionState(): types.ConnectionState {
    return this.transport.connectionState;
  }

  async produce(o: ProduceOptions): Promise<MediaProducer> {
    const wanted = o.codecMimeType?.toLowerCase();
    const codec = wanted ? this.device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === wanted) : undefined;
    const producer = await this.transport.produce({
      track: o.track,
      stopTracks: false,
      appData: { source: o.source },
      ...(codec ? { codec } : {}),
      ...(o.encodings ? { encodings: o.encodings } : {}),
      ...(o.codecOptions ? { codecOptions: o.codecOptions } : {}),
      ...(o.onRtpSender ? { onRtpSender: o.onRtpSender } : {}),
    });
    return producerOf(producer);
  }

  async consume({ answer, peerId, onRtpReceiver }: ConsumeOptions): Promise<MediaConsumer> {
    const rtpParameters = fromWire<types.RtpParameters>(answer.rtpParameters);
    const mimeType = rtpParameters.codecs?.[0]?.mimeType;
    const consumer = await this.transport.consume({
      id: answer.consumerId,
      producerId: answer.producerId,
      kind: answer.kind,
      rtpParameters,
      appData: { peerId, source: answer.source },
      ...(onRtpReceiver ? { onRtpReceiver: (r: RTCRtpReceiver) => onRtpReceiver(r, mimeType) } : {}),
    });
    return consumerOf(consumer, answer.source);
  }

  restartIce(iceParameters: OpaqueParams): Promise<void> {
    return this.transport.restartIce({ iceParameters: fromWire<types.IceParameters>(iceParameters) });
  }

  updateIceServers(iceServers: RTCIceServer[]): Promise<void> {
    return this.transport.updateIceServers({ iceServers });
  }

  getStats(): Promise<RTCStatsReport> {
    return this.transport.getStats();
  }

  close(): void {
    this.transport.close();
  }
}

export class MediasoupDevice implements MediaDevice {
  private readonly device = new Device();

  async load(routerRtpCapabilities: OpaqueParams): Promise<void> {
    await this.device.load({ routerRtpCapabilities: fromWire<types.RtpCapabilities>(routerRtpCapabilities) });
  }

  canProduce(kind: 'audio' | 'video'): boolean {
    return this.device.canProduce(kind);
  }

  canSendCodec(mimeType: string): boolean {
    const wanted = mimeType.toLowerCase();
    return this.device.rtpCapabilities.codecs?.some((c) => c.mimeType.toLowerCase() === wanted) ?? false;
  }

  get recvRtpCapabilities(): OpaqueParams {
    return toWire(this.device.recvRtpCapabilities);
  }

  createTransport(
    direction: TransportDirection,
    answer: TransportAnswer,
    settings: TransportSettings,
    hooks: TransportHooks,
  ): MediaTransport {
    const options: types.TransportOptions = {
      id: answer.transportId,
      iceParameters: fromWire<types.IceParameters>(answer.iceParameters),
      iceCandidates: fromWire<types.IceCandidate[]>(answer.iceCandidates),
      dtlsParameters: fromWire<types.DtlsParameters>(answer.dtlsParameters),
      iceServers: settings.iceServers,
      iceTransportPolicy: settings.iceTransportPolicy,
      ...(settings.peerConnectionSettings ? { additionalSettings: settings.peerConnectionSettings } : {}),
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      hooks.connect(toWire(dtlsParameters)).then(() => callback(), errback);
    });
    const produce = hooks.produce;
    if (produce) {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        produce({ kind, rtpParameters: toWire(rtpParameters), source: appData['source'] as MediaSource }).then(
          (id) => callback({ id }),
          errback,
        );
      });
    }
    transport.on('connectionstatechange', (state) => hooks.onStateChange(state));
    return new MediasoupTransport(transport, this.device);
  }
}

export const createMediasoupDevice = (): MediaDevice => new MediasoupDevice();
