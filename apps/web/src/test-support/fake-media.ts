/**
 * Media for unit tests, without a browser: tracks and streams with the
 * fields the client reads, and a device whose transports, producers and
 * consumers record what the call asked of them.
 */
import type { MediaKind } from '@conclave/protocol';
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
  TransportState,
} from '../call/media-device.js';
import type { MediaProblem, ScreenCapture, TrackSource } from '../media/local-media.js';

let nextId = 0;
const id = (prefix: string) => `${prefix}-${++nextId}`;

export class FakeTrack {
  readonly id = id('track');
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  contentHint = '';
  private readonly ended = new Set<() => void>();

  constructor(
    readonly kind: MediaKind,
    readonly deviceId = 'default',
  ) {}

  stop(): void {
    this.readyState = 'ended';
  }

  getSettings(): { deviceId: string } {
    return { deviceId: this.deviceId };
  }

  addEventListener(type: string, listener: () => void): void {
    if (type === 'ended') this.ended.add(listener);
  }

  /** The browser ends it (e.g. "Stop sharing"). */
  end(): void {
    this.stop();
    for (const l of this.ended) l();
  }

  get asTrack(): MediaStreamTrack {
    return this as unknown as MediaStreamTrack;
  }
}

export function fakeStream(...tracks: FakeTrack[]): MediaStream {
  const list = [...tracks];
  return {
    getAudioTracks: () => list.filter((t) => t.kind === 'audio').map((t) => t.asTrack),
    getVideoTracks: () => list.filter((t) => t.kind === 'video').map((t) => t.asTrack),
    getTracks: () => list.map((t) => t.asTrack),
    removeTrack: (t: MediaStreamTrack) => {
      const i = list.findIndex((x) => x.asTrack === t);
      if (i >= 0) list.splice(i, 1);
    },
  } as unknown as MediaStream;
}

/** Opens fake devices; a kind set in `problems` fails with that problem. */
export class FakeTrackSource implements TrackSource {
  readonly opened: FakeTrack[] = [];
  problems: Partial<Record<'audio' | 'video', MediaProblem>> = {};
  /** What the screen picker gives: a video track (with the tab's sound, `audio`), nothing (cancelled) or a failure. */
  screenResult: FakeTrack | { video: FakeTrack; audio: FakeTrack } | null | 'failed' = null;

  microphone(deviceId?: string): Promise<MediaStreamTrack | MediaProblem> {
    return Promise.resolve(this.open('audio', deviceId));
  }

  camera(deviceId?: string): Promise<MediaStreamTrack | MediaProblem> {
    return Promise.resolve(this.open('video', deviceId));
  }

  screen(): Promise<ScreenCapture | null | 'failed'> {
    const r = this.screenResult;
    if (r instanceof FakeTrack) return Promise.resolve({ video: r.asTrack, audio: null });
    if (r === null || r === 'failed') return Promise.resolve(r);
    return Promise.resolve({ video: r.video.asTrack, audio: r.audio.asTrack });
  }

  private open(kind: 'audio' | 'video', deviceId?: string): MediaStreamTrack | MediaProblem {
    const problem = this.problems[kind];
    if (problem) return problem;
    const track = new FakeTrack(kind, deviceId);
    this.opened.push(track);
    return track.asTrack;
  }
}

export class FakeProducer implements MediaProducer {
  readonly id = id('producer');
  closed = false;
  paused = false;
  track: MediaStreamTrack | null;
  private readonly onClose = new Set<() => void>();

  constructor(readonly options: ProduceOptions) {
    this.track = options.track;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    this.track = track;
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }

  onTransportClose(listener: () => void): void {
    this.onClose.add(listener);
  }

  transportClosed(): void {
    this.closed = true;
    for (const l of this.onClose) l();
  }
}

export class FakeConsumer implements MediaConsumer {
  closed = false;
  readonly track = new FakeTrack('video').asTrack;
  stats: object[] = [];

  constructor(readonly options: ConsumeOptions) {}

  get id(): string {
    return this.options.answer.consumerId;
  }

  get source() {
    return this.options.answer.source;
  }

  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map(this.stats.map((s, i) => [String(i), s])) as unknown as RTCStatsReport);
  }

  close(): void {
    this.closed = true;
  }
}

export class FakeTransport implements MediaTransport {
  closed = false;
  connectionState: TransportState = 'new';
  readonly producers: FakeProducer[] = [];
  readonly consumers: FakeConsumer[] = [];
  readonly iceRestarts: OpaqueParams[] = [];
  iceServers: RTCIceServer[] | null = null;

  constructor(
    readonly direction: 'send' | 'recv',
    readonly answer: TransportAnswer,
    readonly settings: TransportSettings,
    readonly hooks: TransportHooks,
  ) {}

  get id(): string {
    return this.answer.transportId;
  }

  /** The browser's side: asks the server for a producer id the way mediasoup-client does, then makes it. */
  async produce(options: ProduceOptions): Promise<MediaProducer> {
    if (this.connectionState === 'new') await this.hooks.connect({ role: 'client' });
    const producer = new FakeProducer(options);
    await this.hooks.produce?.({ kind: options.track.kind === 'audio' ? 'audio' : 'video', rtpParameters: {}, source: options.source });
    options.onRtpSender?.({} as RTCRtpSender);
    this.producers.push(producer);
    return producer;
  }

  consume(options: ConsumeOptions): Promise<MediaConsumer> {
    const consumer = new FakeConsumer(options);
    options.onRtpReceiver?.({} as RTCRtpReceiver, 'video/VP8');
    this.consumers.push(consumer);
    return Promise.resolve(consumer);
  }

  restartIce(iceParameters: OpaqueParams): Promise<void> {
    this.iceRestarts.push(iceParameters);
    return Promise.resolve();
  }

  updateIceServers(iceServers: RTCIceServer[]): Promise<void> {
    this.iceServers = iceServers;
    return Promise.resolve();
  }

  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }

  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
    for (const p of this.producers) if (!p.closed) p.transportClosed();
  }

  /** ICE changes state, as the browser would report it. */
  setState(state: TransportState): void {
    this.connectionState = state;
    this.hooks.onStateChange(state);
  }
}

export class FakeDevice implements MediaDevice {
  loaded: OpaqueParams | null = null;
  readonly transports: FakeTransport[] = [];
  kinds: MediaKind[] = ['audio', 'video'];
  codecs = ['audio/opus', 'video/vp8'];
  readonly recvRtpCapabilities = { codecs: [] };

  load(routerRtpCapabilities: OpaqueParams): Promise<void> {
    this.loaded = routerRtpCapabilities;
    return Promise.resolve();
  }

  canProduce(kind: MediaKind): boolean {
    return this.kinds.includes(kind);
  }

  canSendCodec(mimeType: string): boolean {
    return this.codecs.includes(mimeType.toLowerCase());
  }

  createTransport(direction: 'send' | 'recv', answer: TransportAnswer, settings: TransportSettings, hooks: TransportHooks): MediaTransport {
    const t = new FakeTransport(direction, answer, settings, hooks);
    this.transports.push(t);
    return t;
  }

  transport(direction: 'send' | 'recv'): FakeTransport {
    const t = this.transports.filter((x) => x.direction === direction).at(-1);
    if (!t) throw new Error(`no ${direction} transport`);
    return t;
  }
}
