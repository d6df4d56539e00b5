/**
 * A room's media plane on this server: one mediasoup Router per worker the
 * room uses (never two on one worker: mediasoup ids must be unique within a
 * worker), the room's producers and the router each came from, and the
 * pipes that carry a producer to the other routers of the room.
 *
 * A peer is placed on a worker by media/placement.ts when it joins, and
 * again when its worker died. Audio is piped eagerly to every router of the
 * room (everyone hears every microphone, and the first syllables must not
 * wait for a pipe); video only when someone on another router consumes it.
 * Producer ids are the same in every router, so clients never see any of
 * this. Pipes inside one host are mediasoup's pipeToRouter over loopback
 * UDP; they relay the same SFrame ciphertext as every other hop.
 *
 * The room's ActiveSpeakerObserver sits on one of its routers (every
 * microphone is there, piped); when that router goes, another takes over.
 */
import type { types } from 'mediasoup';
import type { Logger } from '../logger.js';
import { mediaCodecs } from '../media/media-codecs.js';
import { chooseWorker, type PlacementPolicy, type SlotState } from '../media/placement.js';
import type { WorkerLoad } from '../media/worker-load.js';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.js';
import type { PeerProducer } from './peer.js';

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

/** Where a peer's transports live: a worker slot and the room's router on it. */
export interface MediaHome {
  readonly slot: WorkerSlot;
  readonly router: types.Router;
}

/** A producer of the room and the router it was produced on. */
export interface RoomProducer {
  producer: PeerProducer;
  peerId: string;
  slotIndex: number;
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
  logger: Logger;
}

interface Speaker {
  slotIndex: number;
  observer: Promise<types.ActiveSpeakerObserver | null>;
}

export class RoomMedia {
  /** The room's routers, by worker slot index. */
  private readonly routers = new Map<number, MediaHome>();
  private readonly opening = new Map<number, Promise<MediaHome>>();
  /** Peers placed on each slot (counted from the moment of choice, so a router about to gain one is never closed). */
  private readonly residents = new Map<number, number>();
  private readonly producers = new Map<string, RoomProducer>();
  /** Pipes made or being made, as `${slotIndex}/${producerId}`. */
  private readonly pipes = new Map<string, Promise<void>>();
  private readonly mics = new Set<string>();
  private speaker: Speaker | null = null;
  private closed = false;
  /** Told the id of the microphone the observer hears as dominant (never a paused one). */
  onDominantSpeaker: (producerId: string) => void = () => undefined;

  constructor(
    readonly roomId: string,
    private readonly o: RoomMediaOptions,
  ) {}

  /** Slot indexes of the workers this room has routers on now. */
  get routerSlots(): number[] {
    return [...this.routers.keys()].sort((a, b) => a - b);
  }

  /** The room's router on a slot, if it has one. */
  routerOn(slotIndex: number): types.Router | undefined {
    return this.routers.get(slotIndex)?.router;
  }

  /** Peers placed on a slot. */
  residentsOn(slotIndex: number): number {
    return this.residents.get(slotIndex) ?? 0;
  }

  /** No peer is placed or being placed on any worker. */
  get idle(): boolean {
    return this.residents.size === 0 && this.opening.size === 0;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /**
   * Chooses a worker for one more peer of the room and opens the room's
   * router there if needed. Waits a little for a worker while a dead one is
   * being replaced; throws NoWorkerError if none comes. Every successful
   * place() is matched by one release() when the peer leaves or loses its media.
   */
  async place(): Promise<MediaHome> {
    if (this.closed) throw new NoWorkerError();
    let index = this.choose();
    if (index === null) {
      await this.o.pool.waitForWorker(WORKER_WAIT_MS);
      if (this.closed) throw new NoWorkerError();
      index = this.choose();
    }
    if (index === null) throw new NoWorkerError();
    this.o.load?.reserve(index);
    this.residents.set(index, this.residentsOn(index) + 1);
    try {
      return await this.open(index);
    } catch (err) {
      this.release(index);
      throw err;
    }
  }

  /** A peer placed on this home left it; a router left without peers closes (its pipes with it). */
  release(home: MediaHome | number): void {
    const index = typeof home === 'number' ? home : home.slot.index;
    const left = this.residentsOn(index) - 1;
    if (left > 0) {
      this.residents.set(index, left);
      return;
    }
    this.residents.delete(index);
    const router = this.routers.get(index)?.router;
    if (router && !router.closed) {
      this.o.logger.info({ slot: index }, 'room router without peers closed');
      router.close();
    }
  }

  /** A producer made on `home`: consumable from every router of the room from now on. */
  addProducer(producer: PeerProducer, peerId: string, home: MediaHome): void {
    this.producers.set(producer.id, { producer, peerId, slotIndex: home.slot.index });
    producer.observer.once('close', () => {
      if (this.producers.get(producer.id)?.producer === producer) this.producers.delete(producer.id);
      this.mics.delete(producer.id);
    });
    if (producer.kind !== 'audio') return;
    for (const other of this.routers.values()) {
      if (other.slot.index !== home.slot.index) this.pipeInBackground(other, producer.id);
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
    if (origin.slotIndex === home.slot.index) return;
    const key = `${home.slot.index}/${producerId}`;
    let pipe = this.pipes.get(key);
    if (!pipe) {
      const source = this.routers.get(origin.slotIndex)?.router;
      if (!source || source.closed) throw new NoSuchProducerError(producerId);
      const forget = () => {
        if (this.pipes.get(key) === pipe) this.pipes.delete(key);
      };
      const { pipePorts } = this.o;
      const listenInfo: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1', ...(pipePorts ? { portRange: pipePorts } : {}) };
      pipe = source.pipeToRouter({ producerId, router: home.router, listenInfo }).then(
        ({ pipeProducer }) => {
          if (!pipeProducer || pipeProducer.closed) return forget();
          pipeProducer.observer.once('close', forget);
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
   * Feeds a microphone to the room's ActiveSpeakerObserver. Resolves once the
   * observer hears it (or could not: no observer, or the microphone went).
   */
  async watchMic(producerId: string): Promise<void> {
    if (this.closed || !this.producers.has(producerId)) return;
    this.mics.add(producerId);
    const speaker = this.ensureSpeaker();
    if (speaker) await this.feed(speaker, producerId);
  }

  /** Closes every router of the room (and so every transport, producer, consumer and pipe in it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { router } of [...this.routers.values()]) if (!router.closed) router.close();
    this.routers.clear();
    this.residents.clear();
    this.producers.clear();
    this.pipes.clear();
    this.mics.clear();
    this.speaker = null;
  }

  private choose(): number | null {
    const { pool, policy, load, consumersOn } = this.o;
    const slots: SlotState[] = pool.slots.map((slot) => ({
      index: slot.index,
      live: !!slot.worker && !slot.worker.died && !!slot.webRtcServer,
      load: load?.load(slot.index) ?? 0,
      consumers: consumersOn?.(slot.index) ?? 0,
      roomPeers: this.residentsOn(slot.index),
      roomRouter: this.routers.has(slot.index) || this.opening.has(slot.index),
    }));
    return chooseWorker(slots, policy);
  }

  private open(index: number): Promise<MediaHome> {
    const open = this.routers.get(index);
    if (open && !open.router.closed) return Promise.resolve(open);
    let opening = this.opening.get(index);
    if (!opening) {
      opening = this.create(index).finally(() => this.opening.delete(index));
      this.opening.set(index, opening);
    }
    return opening;
  }

  private async create(index: number): Promise<MediaHome> {
    const slot = this.o.pool.slots[index];
    const worker = slot?.worker;
    if (!slot || !worker || worker.died) throw new NoWorkerError();
    const router = await worker.createRouter({ mediaCodecs, appData: { roomId: this.roomId } });
    if (this.closed || slot.worker !== worker || router.closed) {
      if (!router.closed) router.close();
      throw new NoWorkerError();
    }
    const home: MediaHome = { slot, router };
    this.routers.set(index, home);
    slot.routerCount += 1;
    router.observer.once('close', () => this.onRouterClosed(home));
    if (this.routers.size > 1) this.o.logger.info({ slot: index, routers: this.routerSlots }, 'room spans another worker');
    // Every microphone of the room is heard here too, at once.
    for (const p of this.producers.values()) {
      if (p.producer.kind === 'audio' && p.slotIndex !== index) this.pipeInBackground(home, p.producer.id);
    }
    return home;
  }

  private onRouterClosed(home: MediaHome): void {
    const index = home.slot.index;
    home.slot.routerCount = Math.max(0, home.slot.routerCount - 1);
    if (this.routers.get(index) === home) this.routers.delete(index);
    for (const key of [...this.pipes.keys()]) if (key.startsWith(`${index}/`)) this.pipes.delete(key);
    // Its producers closed with it (their transports did); their directory entries go by their own close events.
    if (this.speaker?.slotIndex === index) {
      this.speaker = null;
      if (!this.closed && this.mics.size > 0) {
        const speaker = this.ensureSpeaker();
        if (speaker) for (const mic of this.mics) void this.feed(speaker, mic);
      }
    }
  }

  private pipeInBackground(home: MediaHome, producerId: string): void {
    this.bringTo(home, producerId).catch((err: unknown) => {
      if (!(err instanceof NoSuchProducerError))
        this.o.logger.warn({ err, producerId, slot: home.slot.index }, 'could not pipe a producer');
    });
  }

  /** The observer, made on the room's first router if there is none. */
  private ensureSpeaker(): Speaker | null {
    if (this.speaker) return this.speaker;
    const home = this.routers.get(this.routerSlots[0] ?? -1);
    if (!home) return null;
    const speaker: Speaker = {
      slotIndex: home.slot.index,
      observer: home.router
        .createActiveSpeakerObserver({ interval: 300 })
        .then((observer) => {
          observer.on('dominantspeaker', ({ producer }) => {
            if (this.speaker === speaker && !producer.paused) this.onDominantSpeaker(producer.id);
          });
          return observer;
        })
        .catch((err: unknown) => {
          if (!home.router.closed) this.o.logger.warn({ err }, 'no active speaker detection');
          return null;
        }),
    };
    this.speaker = speaker;
    return speaker;
  }

  private async feed(speaker: Speaker, producerId: string): Promise<void> {
    const home = this.routers.get(speaker.slotIndex);
    if (!home) return;
    try {
      await this.bringTo(home, producerId);
      const observer = await speaker.observer;
      if (!observer || observer.closed || !this.mics.has(producerId)) return;
      await observer.addProducer({ producerId });
    } catch (err) {
      if (!(err instanceof NoSuchProducerError) && !home.router.closed) {
        this.o.logger.warn({ err, producerId }, 'could not feed a microphone to the active speaker observer');
      }
    }
  }
}
