/**
 * Cluster mode, on a meeting's home node: the meeting's media on other
 * nodes, as MediaHomes whose router, transports, producers, consumers and
 * pipe ends are proxies of the objects that node's media agent
 * (media-agent.ts) holds. An operation is a `media.call` over the bus; what
 * happens there by itself (a close, a DTLS state, a consumer's layers, who
 * speaks) comes back as a `media.event` and is emitted here as mediasoup
 * would have emitted it, so the room and the signaling handlers do not tell
 * a peer whose media is on another node from one whose media is here.
 *
 * A node that leaves the directory (it died) takes its homes with it: their
 * routers close here as a dead worker's would, and the room tells the peers
 * on them to rebuild their media, which places them again.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { TransportDirection } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import { MediaUnavailableError } from '../media/local-media-home.js';
import {
  dtlsParametersFromWire,
  dtlsParametersToWire,
  iceCandidatesFromWire,
  iceParametersFromWire,
  rtpCapabilitiesFromWire,
  rtpCapabilitiesToWire,
  rtpParametersFromWire,
  rtpParametersToWire,
  srtpParametersFromWire,
  srtpParametersToWire,
} from '../media/mediasoup-wire.js';
import {
  remoteHomeKey,
  type MediaHome,
  type PipeAddress,
  type PipedProducer,
  type PipeEnd,
  type PipeFeed,
  type PipeFlow,
} from '../media/media-home.js';
import type {
  ConsumeOptions,
  ConsumerData,
  MediaRouter,
  PeerConsumer,
  PeerProducer,
  PeerTransport,
  PeerTransportData,
  ProduceOptions,
  ProducerData,
} from '../media/media-objects.js';
import type { RemoteCandidate, RemoteSites } from '../rooms/room-media.js';
import { BusError, BusRemoteError, type Bus } from './bus.js';
import { mediaCall, mediaEvent, mediaOps, type MediaArgs, type MediaEvent, type MediaOp, type MediaResult } from './media-calls.js';

/** A node that can take media, as the directory shows it. */
export interface MediaNode {
  id: string;
  /** Its workers' CPU, percent of one core. */
  cpu: number;
}

export interface RemoteMediaOptions {
  bus: Bus;
  /** Other live nodes that take media for this node's meetings now (serving, of this version). */
  nodes: () => MediaNode[];
  logger: Logger;
  /** How long one operation may take on the other node (ms). */
  timeoutMs?: number;
}

type Call = <K extends MediaOp>(op: K, args: MediaArgs<K>) => Promise<MediaResult<K>>;

/** Something of the meeting's media on another node, closed there or here. */
abstract class RemoteObject<E extends Record<string, unknown[]>> {
  readonly observer = new EventEmitter<{ close: []; pause: []; resume: [] }>();
  protected readonly events = new EventEmitter<E>();
  private isClosed = false;

  constructor(readonly id: string) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Closed on the other node (or with its transport or router): nothing to ask there. */
  closedThere(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClosed();
    this.observer.emit('close');
  }

  protected onClosed(): void {}
}

class RemoteProducer extends RemoteObject<Record<string, never>> implements PeerProducer {
  private isPaused: boolean;

  constructor(
    private readonly call: Call,
    id: string,
    readonly kind: types.MediaKind,
    readonly rtpParameters: types.RtpParameters,
    paused: boolean,
    readonly appData: ProducerData,
  ) {
    super(id);
    this.isPaused = paused;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  async pause(): Promise<void> {
    await this.call('producer', { producerId: this.id, op: 'pause' });
    if (this.isPaused) return;
    this.isPaused = true;
    this.observer.emit('pause');
  }

  async resume(): Promise<void> {
    await this.call('producer', { producerId: this.id, op: 'resume' });
    if (!this.isPaused) return;
    this.isPaused = false;
    this.observer.emit('resume');
  }

  close(): void {
    if (this.closed) return;
    this.closedThere();
    this.call('producer', { producerId: this.id, op: 'close' }).catch(() => undefined);
  }

  async getStats(): Promise<unknown[]> {
    return (await this.call('producerStats', { producerId: this.id })).stats;
  }
}

class RemoteConsumer extends RemoteObject<{ layerschange: [types.ConsumerLayers?]; producerclose: [] }> implements PeerConsumer {
  private state: MediaResult<'consumer'>;

  constructor(
    private readonly call: Call,
    made: MediaResult<'consume'>,
    readonly producerId: string,
    readonly appData: ConsumerData,
  ) {
    super(made.id);
    this.kind = made.kind;
    this.type = made.type;
    this.rtpParameters = rtpParametersFromWire(made.rtpParameters);
    this.state = made;
  }

  readonly kind: types.MediaKind;
  readonly type: types.ConsumerType;
  readonly rtpParameters: types.RtpParameters;

  get paused(): boolean {
    return this.state.paused;
  }
  get producerPaused(): boolean {
    return this.state.producerPaused;
  }
  get priority(): number {
    return this.state.priority;
  }
  get preferredLayers(): types.ConsumerLayers | undefined {
    return this.state.preferredLayers ?? undefined;
  }

  on(event: 'layerschange', listener: (layers?: types.ConsumerLayers) => void): this;
  on(event: 'producerclose', listener: () => void): this;
  on(event: 'layerschange' | 'producerclose', listener: (layers?: types.ConsumerLayers) => void): this {
    this.events.on(event, listener);
    return this;
  }

  /** What happened there, as mediasoup emits it. */
  layersChanged(layers: types.ConsumerLayers | undefined): void {
    if (!this.closed) this.events.emit('layerschange', layers);
  }

  producerClosed(): void {
    if (this.closed) return;
    this.events.emit('producerclose');
    this.closedThere();
  }

  private async op(args: Omit<MediaArgs<'consumer'>, 'consumerId'>): Promise<void> {
    const was = this.state.paused || this.state.producerPaused;
    this.state = await this.call('consumer', { consumerId: this.id, ...args });
    const now = this.state.paused || this.state.producerPaused;
    if (was !== now && !this.closed) this.observer.emit(now ? 'pause' : 'resume');
  }

  pause(): Promise<void> {
    return this.op({ op: 'pause' });
  }
  resume(): Promise<void> {
    return this.op({ op: 'resume' });
  }
  setPreferredLayers(layers: types.ConsumerLayers): Promise<void> {
    return this.op({ op: 'layers', layers });
  }
  setPriority(priority: number): Promise<void> {
    return this.op({ op: 'priority', priority });
  }

  close(): void {
    if (this.closed) return;
    this.closedThere();
    this.call('consumer', { consumerId: this.id, op: 'close' }).catch(() => undefined);
  }
}

class RemoteTransport extends RemoteObject<{ dtlsstatechange: [types.DtlsState] }> implements PeerTransport {
  readonly iceParameters: types.IceParameters;
  readonly iceCandidates: types.IceCandidate[];
  readonly dtlsParameters: types.DtlsParameters;

  constructor(
    private readonly home: RemoteMediaHome,
    made: MediaResult<'createTransport'>,
    readonly appData: PeerTransportData,
  ) {
    super(made.id);
    this.iceParameters = iceParametersFromWire(made.iceParameters);
    this.iceCandidates = iceCandidatesFromWire(made.iceCandidates);
    this.dtlsParameters = dtlsParametersFromWire(made.dtlsParameters);
  }

  on(event: 'dtlsstatechange', listener: (state: types.DtlsState) => void): this {
    this.events.on(event, listener);
    return this;
  }

  dtlsState(state: types.DtlsState): void {
    if (!this.closed) this.events.emit('dtlsstatechange', state);
  }

  async connect({ dtlsParameters }: { dtlsParameters: types.DtlsParameters }): Promise<void> {
    await this.home.call('connectTransport', { transportId: this.id, dtlsParameters: dtlsParametersToWire(dtlsParameters) });
  }

  async restartIce(): Promise<types.IceParameters> {
    return iceParametersFromWire((await this.home.call('restartIce', { transportId: this.id })).iceParameters);
  }

  async produce({ kind, rtpParameters, paused, appData }: ProduceOptions): Promise<PeerProducer> {
    const made = await this.home.call('produce', {
      transportId: this.id,
      kind,
      rtpParameters: rtpParametersToWire(rtpParameters),
      paused,
      source: appData.source,
    });
    return this.home.adopt(
      this,
      new RemoteProducer(this.home.call, made.id, kind, rtpParametersFromWire(made.rtpParameters), made.paused, appData),
    );
  }

  async consume({ producerId, rtpCapabilities, paused, appData }: ConsumeOptions): Promise<PeerConsumer> {
    const made = await this.home.call('consume', {
      transportId: this.id,
      producerId,
      rtpCapabilities: rtpCapabilitiesToWire(rtpCapabilities),
      paused,
      peerId: appData.peerId,
      source: appData.source,
    });
    return this.home.adopt(this, new RemoteConsumer(this.home.call, made, producerId, appData));
  }

  close(): void {
    if (this.closed) return;
    this.closedThere();
    this.home.call('closeTransport', { transportId: this.id }).catch(() => undefined);
  }
}

/** A producer copied into the meeting's router on that node through a pipe. */
class RemoteCopy extends RemoteObject<Record<string, never>> implements PipedProducer {
  constructor(
    private readonly call: Call,
    id: string,
    private isPaused: boolean,
  ) {
    super(id);
  }

  get paused(): boolean {
    return this.isPaused;
  }

  async pause(): Promise<void> {
    await this.call('copy', { producerId: this.id, op: 'pause' });
    this.isPaused = true;
  }

  async resume(): Promise<void> {
    await this.call('copy', { producerId: this.id, op: 'resume' });
    this.isPaused = false;
  }

  close(): void {
    if (this.closed) return;
    this.closedThere();
    this.call('copy', { producerId: this.id, op: 'close' }).catch(() => undefined);
  }
}

class RemotePipeEnd implements PipeEnd {
  private isClosed = false;

  constructor(
    private readonly home: RemoteMediaHome,
    readonly id: string,
    readonly address: PipeAddress,
  ) {}

  get closed(): boolean {
    return this.isClosed || this.home.router.closed;
  }

  async connect(remote: PipeAddress): Promise<void> {
    await this.home.call('connectPipe', {
      pipeId: this.id,
      ip: remote.ip,
      port: remote.port,
      srtpParameters: srtpParametersToWire(remote.srtpParameters),
    });
  }

  async consume(producerId: string): Promise<{ feed: PipeFeed; flow: PipeFlow }> {
    const feed = await this.home.call('pipeConsume', { pipeId: this.id, producerId });
    const flow = (op: 'pause' | 'resume') => async () => {
      await this.home.call('pipeFlow', { pipeId: this.id, producerId, op });
    };
    return {
      feed: { kind: feed.kind, rtpParameters: rtpParametersFromWire(feed.rtpParameters), paused: feed.paused },
      flow: { pause: flow('pause'), resume: flow('resume') },
    };
  }

  async produce({ id, feed, appData }: { id: string; feed: PipeFeed; appData: ProducerData }): Promise<PipedProducer> {
    await this.home.call('pipeProduce', {
      pipeId: this.id,
      id,
      kind: feed.kind,
      rtpParameters: rtpParametersToWire(feed.rtpParameters),
      paused: feed.paused,
      source: appData.source,
    });
    return this.home.adoptCopy(new RemoteCopy(this.home.call, id, feed.paused));
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (!this.home.router.closed) this.home.call('closePipe', { pipeId: this.id }).catch(() => undefined);
  }
}

class RemoteRouter implements MediaRouter {
  readonly observer = new EventEmitter<{ close: [] }>();
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly rtpCapabilities: types.RtpCapabilities,
    private readonly onClose: (asked: boolean) => void,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** The room closes it (nobody of the meeting is placed there any more). */
  close(): void {
    this.shut(true);
  }

  /** Closed there (its worker died) or its node is gone. */
  lost(): void {
    this.shut(false);
  }

  private shut(asked: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClose(asked);
    this.observer.emit('close');
  }
}

/** The meeting's router on another node, as a MediaHome. */
export class RemoteMediaHome implements MediaHome {
  readonly key: string;
  readonly slot = null;
  readonly router: RemoteRouter;
  readonly call: Call;
  private readonly objects = new Map<string, RemoteTransport | RemoteProducer | RemoteConsumer>();
  /** Transport id → what was made on it (closed with it). */
  private readonly onTransport = new Map<string, Set<RemoteProducer | RemoteConsumer>>();
  private readonly copies = new Map<string, RemoteCopy>();
  private dominant: ((producerId: string) => void) | null = null;

  constructor(
    readonly node: string,
    readonly roomId: string,
    opened: MediaResult<'open'>,
    call: Call,
    onGone: () => void,
  ) {
    this.key = remoteHomeKey(node);
    this.call = call;
    this.router = new RemoteRouter(opened.routerId, rtpCapabilitiesFromWire(opened.rtpCapabilities), (asked) => {
      onGone();
      for (const o of [...this.objects.values()]) o.closedThere();
      for (const c of [...this.copies.values()]) c.closedThere();
      if (asked) call('close', {}).catch(() => undefined);
    });
  }

  async createTransport(direction: TransportDirection): Promise<PeerTransport> {
    const made = await this.call('createTransport', { direction });
    const transport = new RemoteTransport(this, made, { direction });
    this.track(transport);
    this.onTransport.set(transport.id, new Set());
    transport.observer.once('close', () => {
      const children = this.onTransport.get(transport.id);
      this.onTransport.delete(transport.id);
      for (const child of children ?? []) child.closedThere();
    });
    return transport;
  }

  /** A producer or consumer made on `transport`: closed with it, found by id for its events. */
  adopt<T extends RemoteProducer | RemoteConsumer>(transport: RemoteTransport, object: T): T {
    if (transport.closed) {
      object.closedThere();
      return object;
    }
    this.track(object);
    const children = this.onTransport.get(transport.id);
    children?.add(object);
    object.observer.once('close', () => children?.delete(object));
    return object;
  }

  adoptCopy(copy: RemoteCopy): RemoteCopy {
    this.copies.set(copy.id, copy);
    copy.observer.once('close', () => {
      if (this.copies.get(copy.id) === copy) this.copies.delete(copy.id);
    });
    return copy;
  }

  async canConsume(producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<boolean> {
    return (await this.call('canConsume', { producerId, rtpCapabilities: rtpCapabilitiesToWire(rtpCapabilities) })).ok;
  }

  async openPipe(): Promise<PipeEnd> {
    const made = await this.call('openPipe', {});
    return new RemotePipeEnd(this, made.id, { ip: made.ip, port: made.port, srtpParameters: srtpParametersFromWire(made.srtpParameters) });
  }

  async watchSpeaker(producerId: string, onDominant: (producerId: string) => void): Promise<void> {
    this.dominant = onDominant;
    await this.call('watchSpeaker', { producerId });
  }

  /** Something that happened there. */
  dispatch(event: MediaEvent): void {
    if (event.type === 'routerClosed') return this.router.lost();
    if (event.type === 'dominantSpeaker') return this.dominant?.(event.id);
    if (event.type === 'copyClosed') return this.copies.get(event.id)?.closedThere();
    const o = this.objects.get(event.id);
    if (!o) return;
    switch (event.type) {
      case 'transportClosed':
      case 'producerClosed':
      case 'consumerClosed':
        return o.closedThere();
      case 'dtls':
        if (o instanceof RemoteTransport) o.dtlsState(event.state);
        return;
      case 'consumerProducerClosed':
        if (o instanceof RemoteConsumer) o.producerClosed();
        return;
      case 'layers':
        if (o instanceof RemoteConsumer) o.layersChanged(event.layers ?? undefined);
        return;
    }
  }

  private track(o: RemoteTransport | RemoteProducer | RemoteConsumer): void {
    this.objects.set(o.id, o);
    o.observer.once('close', () => {
      if (this.objects.get(o.id) === o) this.objects.delete(o.id);
    });
  }
}

/** Placement's view of other nodes, and the meeting routers this node opened on them. */
export class RemoteMedia implements RemoteSites {
  private readonly homes = new Map<string, RemoteMediaHome>();

  constructor(private readonly o: RemoteMediaOptions) {
    o.bus.onMessage(mediaEvent, ({ roomId, event }, meta) => this.homes.get(`${meta.from}/${roomId}`)?.dispatch(event));
  }

  candidates(): RemoteCandidate[] {
    return this.o.nodes().map((n) => ({ node: n.id, load: n.cpu }));
  }

  async open(node: string, roomId: string): Promise<MediaHome> {
    const key = `${node}/${roomId}`;
    const call: Call = (op, args) => this.call(node, roomId, op, args);
    const opened = await call('open', {});
    const existing = this.homes.get(key);
    if (existing && !existing.router.closed) return existing;
    const home = new RemoteMediaHome(node, roomId, opened, call, () => {
      if (this.homes.get(key) === home) this.homes.delete(key);
    });
    this.homes.set(key, home);
    this.o.logger.info({ roomId, node }, 'cluster: meeting media opened on another node');
    return home;
  }

  /** `node` left the directory: the meeting routers on it are lost. */
  nodeGone(node: string): void {
    for (const home of [...this.homes.values()]) {
      if (home.node !== node) continue;
      this.o.logger.warn({ roomId: home.roomId, node }, 'cluster: a node with meeting media is gone');
      home.router.lost();
    }
  }

  private async call<K extends MediaOp>(node: string, roomId: string, op: K, args: MediaArgs<K>): Promise<MediaResult<K>> {
    let value: unknown;
    try {
      value = await this.o.bus.request(node, mediaCall, { roomId, op, args }, { timeoutMs: this.o.timeoutMs ?? 5_000 });
    } catch (err) {
      if (err instanceof BusRemoteError && err.remoteCode !== 'unavailable') throw new Error(err.remoteMessage, { cause: err });
      if (err instanceof BusError) throw new MediaUnavailableError();
      throw err;
    }
    const parsed = mediaOps[op].result.safeParse(value);
    if (!parsed.success) throw new Error(`media.${op} on node ${node}: the reply does not match its schema`);
    return parsed.data as MediaResult<K>;
  }
}
