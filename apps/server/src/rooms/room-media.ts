/**
 * A room's media plane as its home node sees it: one router per worker the
 * room uses (never two on one worker: mediasoup ids must be unique within a
 * worker), on this node or, in cluster mode, on other nodes (one per node,
 * driven through that node's media agent: cluster/remote-media.ts); the
 * room's producers and the router each came from; and the pipes that carry a
 * producer to the other routers of the room.
 *
 * A peer is placed when it joins, and again when its worker (or node) died.
 * Audio is piped eagerly to every router of the room (everyone hears every
 * microphone, and the first syllables must not wait for a pipe); video only
 * when someone on another router consumes it, and, between nodes, only while
 * someone there watches it. Producer ids are the same in every router, so
 * clients never see any of this. Pipes inside one node are mediasoup's
 * pipeToRouter over loopback UDP; between nodes, PipeTransports with SRTP and
 * RTX. All relay the same SFrame ciphertext as every other hop.
 *
 * The room's active speaker detection sits on one of its routers (this
 * node's first, when it has one: every microphone is there, piped); when
 * that router goes, another takes over.
 */
import type { types } from 'mediasoup';
import type { Logger } from '../logger.js';
import { mediaCodecs } from '../media/media-codecs.js';
import { LocalMediaHome, MediaUnavailableError, type PipeListen } from '../media/local-media-home.js';
import { localHomeKey, remoteHomeKey, type MediaHome, type PipedProducer, type PipeEnd, type PipeFlow } from '../media/media-home.js';
import { chooseWorker, SPILL_MARGIN, type PlacementPolicy, type SlotState } from '../media/placement.js';
import type { WorkerLoad } from '../media/worker-load.js';
import type { WorkerPool } from '../media/worker-pool.js';
import type { PeerConsumer, PeerProducer } from './peer.js';

export type { MediaHome } from '../media/media-home.js';

/**
 * How long a placement waits for a media worker while a dead one is replaced
 * (about half a second to a second here) before it is refused.
 */
export const WORKER_WAIT_MS = 5_000;

export class NoWorkerError extends Error {
  constructor() {
    super('no media worker is available right now');
  }
}

/** The producer is gone (closed, or its worker died) or was never in this room. */
export class NoSuchProducerError extends Error {
  constructor(producerId: string) {
    super(`no producer ${producerId} in this room`);
  }
}

/** A producer of the room and the home it was produced on. */
export interface RoomProducer {
  producer: PeerProducer;
  peerId: string;
  homeKey: string;
}

/** Another node this room may place peers on (cluster mode). */
export interface RemoteCandidate {
  node: string;
  /** Its media workers' CPU, percent of one core (from its last heartbeat), as placement's load. */
  load: number;
}

/** The room's reach into other nodes' media (cluster/remote-media.ts); absent on a single node. */
export interface RemoteSites {
  /** Nodes that take media for rooms homed here now (live, serving, of this version), this one excluded. */
  candidates(): RemoteCandidate[];
  /** Opens the room's router on `node`. */
  open(node: string, roomId: string): Promise<MediaHome>;
}

export interface RoomMediaOptions {
  pool: Pick<WorkerPool, 'slots' | 'waitForWorker'>;
  policy: PlacementPolicy;
  /** Worker CPU load; without it every worker counts as idle. */
  load?: WorkerLoad | undefined;
  /** Consumers on a worker across all rooms (placement's tie-break). */
  consumersOn?: ((slotIndex: number) => number) | undefined;
  /** UDP ports for the pipes between this room's routers (CONCLAVE_PIPE_PORT_MIN/MAX); default: any free one. */
  pipePorts?: { min: number; max: number } | null | undefined;
  /** Where this node's ends of pipes to other nodes listen (cluster mode). */
  pipeListen?: PipeListen | null | undefined;
  /** Other nodes' media (cluster mode). */
  remote?: RemoteSites | null | undefined;
  /** How long a camera piped to another node flows with nobody there watching (default FLOW_IDLE_MS). */
  flowIdleMs?: number | undefined;
  logger: Logger;
}

/** A pipe between two nodes' routers of the room: one end on each. */
interface NodePipe {
  out: PipeEnd;
  in: PipeEnd;
}

type Choice = { key: string; slot: number; node?: undefined } | { key: string; node: string; slot?: undefined };

/** A camera's flow down a pipe to another node, and who watches it there. */
interface Flow {
  flow: PipeFlow;
  watchers: Set<PeerConsumer>;
  paused: boolean;
  timer: NodeJS.Timeout | null;
}

/** How long a camera piped to another node flows with nobody there watching it before its pipe pauses it. */
export const FLOW_IDLE_MS = 2_000;

/** How long a node that could not open a meeting is left out of its placements. */
const SHUN_MS = 10_000;

/** CPU points added to a node for each peer placed on it since its last heartbeat. */
const REMOTE_RESERVATION = 2;
/** How long such a reservation counts (a heartbeat is every 2 s). */
const RESERVATION_MS = 2_500;

export class RoomMedia {
  /** The room's routers, by home key (`w:<slot>` here, `n:<node>` elsewhere). */
  private readonly homes = new Map<string, MediaHome>();
  private readonly opening = new Map<string, Promise<MediaHome>>();
  /** Peers placed on each home (counted from the moment of choice, so a router about to gain one is never closed). */
  private readonly residents = new Map<string, number>();
  private readonly producers = new Map<string, RoomProducer>();
  /** Pipes made or being made, as `${homeKey}/${producerId}`. */
  private readonly pipes = new Map<string, Promise<void>>();
  /** Pipes between nodes' routers, as `${fromKey}>${toKey}`. */
  private readonly nodePipes = new Map<string, Promise<NodePipe>>();
  /** Cameras sent down pipes to other nodes, by `${homeKey}/${producerId}`: paused while nobody there watches. */
  private readonly flows = new Map<string, Flow>();
  /** Copies of each producer on other nodes' routers, kept paused and resumed with it. */
  private readonly copies = new Map<string, Set<PipedProducer>>();
  /** Placements on other nodes not yet in their heartbeat: node → times. */
  private readonly reserved = new Map<string, number[]>();
  /** Other nodes that failed to open the meeting: node → when. */
  private readonly shunned = new Map<string, number>();
  private readonly mics = new Set<string>();
  private speakerKey: string | null = null;
  private closed = false;
  /** Told the id of the microphone the observer hears as dominant (never a paused one). */
  onDominantSpeaker: (producerId: string) => void = () => undefined;
  /** Told when the room's router on another node went (that node or its worker died): its peers must rebuild their media. */
  onHomeLost: (homeKey: string) => void = () => undefined;

  constructor(
    readonly roomId: string,
    private readonly o: RoomMediaOptions,
  ) {}

  /** Slot indexes of this node's workers the room has routers on now. */
  get routerSlots(): number[] {
    return [...this.homes.values()].flatMap((h) => (h.slot ? [h.slot.index] : [])).sort((a, b) => a - b);
  }

  /** Other nodes the room has routers on now. */
  get routerNodes(): string[] {
    return [...this.homes.values()].flatMap((h) => (h.node ? [h.node] : [])).sort();
  }

  /** The room's router on one of this node's worker slots, if it has one. */
  routerOn(slotIndex: number): MediaHome['router'] | undefined {
    return this.homes.get(localHomeKey(slotIndex))?.router;
  }

  /** The room's home on one of this node's worker slots, if it has one. */
  homeOn(slotIndex: number): MediaHome | undefined {
    return this.homes.get(localHomeKey(slotIndex));
  }

  /** Peers placed on a home (a slot index here, or a home key). */
  residentsOn(home: number | string): number {
    return this.residents.get(typeof home === 'number' ? localHomeKey(home) : home) ?? 0;
  }

  /** No peer is placed or being placed anywhere. */
  get idle(): boolean {
    return this.residents.size === 0 && this.opening.size === 0;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /**
   * Chooses a worker (here, or on another node in cluster mode) for one more
   * peer of the room and opens the room's router there if needed. Waits a
   * little for a worker while a dead one is being replaced; throws
   * NoWorkerError if none comes. Every successful place() is matched by one
   * release() when the peer leaves or loses its media.
   */
  async place(returningTo: string | null = null): Promise<MediaHome> {
    if (this.closed) throw new NoWorkerError();
    let choice = this.choose(returningTo);
    if (choice === null) {
      await this.o.pool.waitForWorker(WORKER_WAIT_MS);
      if (this.closed) throw new NoWorkerError();
      choice = this.choose(returningTo);
    }
    if (choice === null) throw new NoWorkerError();
    try {
      return await this.placeOn(choice);
    } catch (err) {
      // Another node that does not answer, or refuses, is left out for a while; the peer goes elsewhere.
      if (choice.node === undefined || this.closed) throw err;
      this.o.logger.warn({ err, node: choice.node }, 'could not open the meeting on another node: placing elsewhere');
      this.shunned.set(choice.node, Date.now());
      const again = this.choose();
      if (again === null) throw new NoWorkerError();
      return this.placeOn(again);
    }
  }

  private async placeOn(choice: Choice): Promise<MediaHome> {
    if (choice.slot !== undefined) this.o.load?.reserve(choice.slot);
    else this.reserve(choice.node);
    this.residents.set(choice.key, this.residentsOn(choice.key) + 1);
    try {
      return await this.open(choice);
    } catch (err) {
      this.release(choice.key);
      throw err;
    }
  }

  /** A peer placed on this home left it; a router left without peers closes (its pipes with it). */
  release(home: MediaHome | number | string): void {
    const key = typeof home === 'number' ? localHomeKey(home) : typeof home === 'string' ? home : home.key;
    const left = this.residentsOn(key) - 1;
    if (left > 0) {
      this.residents.set(key, left);
      return;
    }
    this.residents.delete(key);
    const router = this.homes.get(key)?.router;
    if (router && !router.closed) {
      this.o.logger.info({ home: key }, 'room router without peers closed');
      router.close();
    }
  }

  /** A producer made on `home`: consumable from every router of the room from now on. */
  addProducer(producer: PeerProducer, peerId: string, home: MediaHome): void {
    this.producers.set(producer.id, { producer, peerId, homeKey: home.key });
    producer.observer.on('pause', () => this.eachCopy(producer.id, (copy) => copy.pause()));
    producer.observer.on('resume', () => this.eachCopy(producer.id, (copy) => copy.resume()));
    producer.observer.once('close', () => {
      if (this.producers.get(producer.id)?.producer === producer) this.producers.delete(producer.id);
      this.mics.delete(producer.id);
      // Its copies on other nodes go with it (on this node, mediasoup's pipes close them itself).
      const copies = this.copies.get(producer.id);
      this.copies.delete(producer.id);
      for (const copy of copies ?? []) if (!copy.closed) copy.close();
    });
    if (producer.kind !== 'audio') return;
    for (const other of this.homes.values()) {
      if (other.key !== home.key) this.pipeInBackground(other, producer.id);
    }
  }

  find(producerId: string): RoomProducer | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Makes the producer consumable on `home`'s router: nothing when it was
   * produced there, else a pipe from its router (one per router and
   * producer, shared by concurrent callers). Throws NoSuchProducerError when
   * the producer is gone.
   */
  async bringTo(home: MediaHome, producerId: string): Promise<void> {
    const origin = this.producers.get(producerId);
    if (!origin || origin.producer.closed) throw new NoSuchProducerError(producerId);
    if (origin.homeKey === home.key) return;
    const key = `${home.key}/${producerId}`;
    let pipe = this.pipes.get(key);
    if (!pipe) {
      const source = this.homes.get(origin.homeKey);
      if (!source || source.router.closed) throw new NoSuchProducerError(producerId);
      const forget = () => {
        if (this.pipes.get(key) === pipe) this.pipes.delete(key);
      };
      const made =
        source instanceof LocalMediaHome && home instanceof LocalMediaHome
          ? this.pipeWithinNode(source, home, producerId)
          : this.pipeAcrossNodes(source, home, origin);
      pipe = made.then(
        (copy) => {
          if (!copy || copy.closed) return forget();
          copy.observer.once('close', forget);
        },
        (err: unknown) => {
          forget();
          if (origin.producer.closed || home.router.closed) throw new NoSuchProducerError(producerId);
          throw err;
        },
      );
      this.pipes.set(key, pipe);
    }
    await pipe;
  }

  /**
   * Feeds a microphone to the room's active speaker detection (on one router
   * of the room, this node's first). Resolves once it is heard there (or
   * could not be: no router, or the microphone went).
   */
  async watchMic(producerId: string): Promise<void> {
    if (this.closed || !this.producers.has(producerId)) return;
    this.mics.add(producerId);
    const home = this.speakerHome();
    if (home) await this.feed(home, producerId);
  }

  /** Closes every router of the room (and so every transport, producer, consumer and pipe in it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { router } of [...this.homes.values()]) if (!router.closed) router.close();
    this.homes.clear();
    this.residents.clear();
    this.producers.clear();
    this.pipes.clear();
    this.nodePipes.clear();
    this.copies.clear();
    for (const f of this.flows.values()) if (f.timer) clearTimeout(f.timer);
    this.flows.clear();
    this.mics.clear();
    this.speakerKey = null;
  }

  /** Where the room's next peer goes; `returningTo` (the home key it had before a drop) first, while it has room. */
  private choose(returningTo: string | null = null): Choice | null {
    const { pool, policy, load, consumersOn, remote } = this.o;
    const local: SlotState[] = pool.slots.map((slot) => ({
      index: slot.index,
      live: !!slot.worker && !slot.worker.died && !!slot.webRtcServer,
      load: load?.load(slot.index) ?? 0,
      consumers: consumersOn?.(slot.index) ?? 0,
      roomPeers: this.residentsOn(slot.index),
      roomRouter: this.homes.has(localHomeKey(slot.index)) || this.opening.has(localHomeKey(slot.index)),
    }));
    const now = Date.now();
    const nodes = (remote?.candidates() ?? []).filter((n) => now - (this.shunned.get(n.node) ?? -Infinity) > SHUN_MS);
    const far: SlotState[] = nodes.map((n, i) => {
      const key = remoteHomeKey(n.node);
      return {
        index: local.length + i,
        live: true,
        load: n.load + this.reservations(n.node) * REMOTE_RESERVATION,
        consumers: 0,
        roomPeers: this.residentsOn(key),
        roomRouter: this.homes.has(key) || this.opening.has(key),
      };
    });
    const pick = (index: number | null) => {
      if (index === null) return null;
      if (index < local.length) return { key: localHomeKey(index), slot: index };
      const node = nodes[index - local.length]!.node;
      return { key: remoteHomeKey(node), node };
    };
    // Back after a dropped connection: to the worker (or node) it was on, while that is live and not past the limit.
    const before = [...local, ...far].find((s) => pick(s.index)!.key === returningTo);
    if (before && before.live && before.load < policy.softLimit) return pick(before.index);
    // `even` spreads over every worker of every node; `fill` stays on this node until its workers pass the limit.
    if (policy.spread === 'even' || far.length === 0) return pick(chooseWorker([...local, ...far], policy));
    const here = chooseWorker(local, policy);
    const hereState = here === null ? null : local[here]!;
    if (hereState && hereState.load < policy.softLimit) return pick(here);
    const elsewhere = chooseWorker(far, policy);
    const there = elsewhere === null ? null : far[elsewhere - local.length]!;
    if (!hereState) return pick(elsewhere);
    if (there && (there.roomRouter ? there.load < policy.softLimit : there.load <= hereState.load - SPILL_MARGIN)) return pick(elsewhere);
    return pick(here);
  }

  private reserve(node: string): void {
    const now = Date.now();
    this.reserved.set(node, [...(this.reserved.get(node) ?? []).filter((t) => now - t < RESERVATION_MS), now]);
  }

  private reservations(node: string): number {
    const now = Date.now();
    return (this.reserved.get(node) ?? []).filter((t) => now - t < RESERVATION_MS).length;
  }

  private open(choice: Choice): Promise<MediaHome> {
    const open = this.homes.get(choice.key);
    if (open && !open.router.closed) return Promise.resolve(open);
    let opening = this.opening.get(choice.key);
    if (!opening) {
      const made = choice.slot !== undefined ? this.createLocal(choice.slot) : this.createRemote(choice.node);
      opening = made.then((home) => this.adopt(home)).finally(() => this.opening.delete(choice.key));
      this.opening.set(choice.key, opening);
    }
    return opening;
  }

  private async createLocal(index: number): Promise<MediaHome> {
    const slot = this.o.pool.slots[index];
    const worker = slot?.worker;
    if (!slot || !worker || worker.died) throw new NoWorkerError();
    const router = await worker.createRouter({ mediaCodecs, appData: { roomId: this.roomId } });
    if (this.closed || slot.worker !== worker || router.closed) {
      if (!router.closed) router.close();
      throw new NoWorkerError();
    }
    slot.routerCount += 1;
    router.observer.once('close', () => (slot.routerCount = Math.max(0, slot.routerCount - 1)));
    return new LocalMediaHome(slot, router, this.o.pipeListen ?? null);
  }

  private async createRemote(node: string): Promise<MediaHome> {
    const remote = this.o.remote;
    if (!remote) throw new NoWorkerError();
    const home = await remote.open(node, this.roomId).catch((err: unknown) => {
      throw err instanceof MediaUnavailableError ? new NoWorkerError() : err;
    });
    if (this.closed) {
      home.router.close();
      throw new NoWorkerError();
    }
    return home;
  }

  private adopt(home: MediaHome): MediaHome {
    this.homes.set(home.key, home);
    home.router.observer.once('close', () => this.onRouterClosed(home));
    if (this.homes.size > 1) this.o.logger.info({ home: home.key, homes: [...this.homes.keys()] }, 'room spans another worker');
    // Every microphone of the room is heard here too, at once.
    for (const p of this.producers.values()) {
      if (p.producer.kind === 'audio' && p.homeKey !== home.key) this.pipeInBackground(home, p.producer.id);
    }
    return home;
  }

  private onRouterClosed(home: MediaHome): void {
    const { key } = home;
    if (this.homes.get(key) === home) this.homes.delete(key);
    for (const k of [...this.pipes.keys()]) if (k.startsWith(`${key}/`)) this.pipes.delete(k);
    // The other ends of its pipes to other nodes go too.
    for (const [k, pipe] of [...this.nodePipes]) {
      const [from, to] = k.split('>');
      if (from !== key && to !== key) continue;
      this.nodePipes.delete(k);
      void pipe.then(
        (p) => {
          p.out.close();
          p.in.close();
        },
        () => undefined,
      );
    }
    // Its producers closed with it (their transports did); their directory entries go by their own close events.
    if (this.speakerKey === key) {
      this.speakerKey = null;
      if (!this.closed) {
        const next = this.speakerHome();
        if (next) for (const mic of this.mics) void this.feed(next, mic);
      }
    }
    // A router elsewhere that closed without this room closing it: its node or worker died (or the node stops) under
    // its peers. They are placed again, elsewhere for a while.
    if (!this.closed && home.node && this.residentsOn(key) > 0) {
      this.shunned.set(home.node, Date.now());
      this.onHomeLost(key);
    }
  }

  private async pipeWithinNode(source: LocalMediaHome, home: LocalMediaHome, producerId: string): Promise<PipedProducer | undefined> {
    const { pipePorts } = this.o;
    const listenInfo: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1', ...(pipePorts ? { portRange: pipePorts } : {}) };
    const { pipeProducer } = await source.router.pipeToRouter({ producerId, router: home.router, listenInfo });
    return pipeProducer;
  }

  /** A pipe between the room's routers on two nodes (or this node and another), shared by all producers between them. */
  private nodePipe(from: MediaHome, to: MediaHome): Promise<NodePipe> {
    const key = `${from.key}>${to.key}`;
    let pipe = this.nodePipes.get(key);
    if (!pipe) {
      pipe = (async () => {
        const [out, inn] = await Promise.all([from.openPipe(), to.openPipe()]);
        try {
          await Promise.all([out.connect(inn.address), inn.connect(out.address)]);
        } catch (err) {
          out.close();
          inn.close();
          throw err;
        }
        if (from.router.closed || to.router.closed) {
          out.close();
          inn.close();
          throw new NoWorkerError();
        }
        this.o.logger.info({ from: from.key, to: to.key }, 'pipe between nodes open');
        return { out, in: inn };
      })();
      const made = pipe;
      made.catch(() => {
        if (this.nodePipes.get(key) === made) this.nodePipes.delete(key);
      });
      this.nodePipes.set(key, pipe);
    }
    return pipe;
  }

  private async pipeAcrossNodes(source: MediaHome, home: MediaHome, origin: RoomProducer): Promise<PipedProducer> {
    const { producer } = origin;
    const pipe = await this.nodePipe(source, home);
    const { feed, flow } = await pipe.out.consume(producer.id);
    const copy = await pipe.in.produce({ id: producer.id, feed, appData: producer.appData });
    if (producer.closed) {
      copy.close();
      throw new NoSuchProducerError(producer.id);
    }
    if (producer.kind === 'video') this.followWatchers(`${home.key}/${producer.id}`, flow, copy);
    let copies = this.copies.get(producer.id);
    if (!copies) this.copies.set(producer.id, (copies = new Set()));
    copies.add(copy);
    copy.observer.once('close', () => copies.delete(copy));
    // Paused or resumed while the copy was being made: it follows now.
    if (producer.paused !== copy.paused) await (producer.paused ? copy.pause() : copy.resume());
    return copy;
  }

  /**
   * A consumer made on `home` (the consume request): a camera piped there from another node flows down its pipe
   * only while some consumer there runs (its tile is seen).
   */
  watch(home: MediaHome, consumer: PeerConsumer): void {
    const key = `${home.key}/${consumer.producerId}`;
    const flow = this.flows.get(key);
    if (!flow || consumer.closed) return;
    flow.watchers.add(consumer);
    consumer.observer.on('pause', () => this.steerFlow(key));
    consumer.observer.on('resume', () => this.steerFlow(key));
    consumer.observer.once('close', () => {
      flow.watchers.delete(consumer);
      this.steerFlow(key);
    });
    this.steerFlow(key);
  }

  private followWatchers(key: string, flow: PipeFlow, copy: PipedProducer): void {
    const entry: Flow = { flow, watchers: new Set(), paused: false, timer: null };
    this.flows.set(key, entry);
    copy.observer.once('close', () => {
      if (entry.timer) clearTimeout(entry.timer);
      if (this.flows.get(key) === entry) this.flows.delete(key);
    });
    // Made for a consumer about to be made (and resumed once its tile is seen): idle only if none comes.
    this.steerFlow(key);
  }

  /** Resumes a pipe's flow at once when someone watches; pauses it after FLOW_IDLE_MS without anyone. */
  private steerFlow(key: string): void {
    const entry = this.flows.get(key);
    if (!entry) return;
    const watched = [...entry.watchers].some((c) => !c.closed && !c.paused);
    const set = (paused: boolean) => {
      entry.paused = paused;
      (paused ? entry.flow.pause() : entry.flow.resume()).catch((err: unknown) => {
        if (this.flows.get(key) === entry) this.o.logger.warn({ err, key }, 'could not pause or resume a pipe between nodes');
      });
    };
    if (watched) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      if (entry.paused) set(false);
      return;
    }
    if (entry.paused || entry.timer) return;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.flows.get(key) !== entry || [...entry.watchers].some((c) => !c.closed && !c.paused)) return;
      set(true);
    }, this.o.flowIdleMs ?? FLOW_IDLE_MS);
    entry.timer.unref();
  }

  private eachCopy(producerId: string, op: (copy: PipedProducer) => Promise<void>): void {
    for (const copy of this.copies.get(producerId) ?? []) {
      if (copy.closed) continue;
      op(copy).catch((err: unknown) => {
        if (!copy.closed) this.o.logger.warn({ err, producerId }, 'could not pause or resume a piped producer');
      });
    }
  }

  private pipeInBackground(home: MediaHome, producerId: string): void {
    this.bringTo(home, producerId).catch((err: unknown) => {
      if (!(err instanceof NoSuchProducerError) && !(err instanceof NoWorkerError))
        this.o.logger.warn({ err, producerId, home: home.key }, 'could not pipe a producer');
    });
  }

  /** Where the room listens for who speaks: a router of this node if it has one, else its first elsewhere. */
  private speakerHome(): MediaHome | null {
    if (this.speakerKey) return this.homes.get(this.speakerKey) ?? null;
    const homes = [...this.homes.values()].sort((a, b) => (a.slot ? 0 : 1) - (b.slot ? 0 : 1) || a.key.localeCompare(b.key));
    const home = homes[0];
    if (!home) return null;
    this.speakerKey = home.key;
    return home;
  }

  private async feed(home: MediaHome, producerId: string): Promise<void> {
    try {
      await this.bringTo(home, producerId);
      if (!this.mics.has(producerId) || this.speakerKey !== home.key) return;
      await home.watchSpeaker(producerId, (dominant) => {
        const p = this.producers.get(dominant);
        if (this.speakerKey === home.key && p && !p.producer.paused) this.onDominantSpeaker(dominant);
      });
    } catch (err) {
      if (!(err instanceof NoSuchProducerError) && !home.router.closed) {
        this.o.logger.warn({ err, producerId }, 'could not feed a microphone to the active speaker observer');
      }
    }
  }
}
