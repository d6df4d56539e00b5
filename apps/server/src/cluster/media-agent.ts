/**
 * Cluster mode: this node's media for meetings whose home is another node.
 *
 * A meeting's home places some of its people here when its own workers are
 * busy (or, with CONCLAVE_WORKER_SPREAD=even, always); their browsers then
 * send and receive media through this node's workers, while their signaling
 * and everything else of the meeting stay on the home, which orders it. The
 * home drives the meeting's router here with `media.call` requests
 * (media-calls.ts), and hears back what happens by itself (`media.event`).
 *
 * One router per meeting here, on the worker that is lightest when it opens.
 * It closes when the home says so, when the home's node is gone from the
 * directory (it died, or started again as a new process that knows nothing
 * of it), and with its worker (the home is told: its peers here rebuild
 * their media elsewhere).
 */
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { LocalMediaHome, type PipeListen } from '../media/local-media-home.js';
import type { PipedProducer, PipeEnd, PipeFlow } from '../media/media-home.js';
import { mediaCodecs } from '../media/media-codecs.js';
import {
  dtlsParametersFromWire,
  dtlsParametersToWire,
  iceCandidatesToWire,
  iceParametersToWire,
  rtpCapabilitiesFromWire,
  rtpCapabilitiesToWire,
  rtpParametersFromWire,
  rtpParametersToWire,
  srtpParametersFromWire,
  srtpParametersToWire,
} from '../media/mediasoup-wire.js';
import type { ConsumerData, PeerConsumer, PeerProducer, PeerTransport, ProducerData } from '../media/media-objects.js';
import { chooseWorker, type PlacementPolicy } from '../media/placement.js';
import type { WorkerLoad } from '../media/worker-load.js';
import type { WorkerPool } from '../media/worker-pool.js';
import type { Bus, MessageMeta } from './bus.js';
import { mediaCall, mediaEvent, mediaOps, type MediaEvent, type MediaOp, type MediaResult } from './media-calls.js';

/** A refusal the home turns into a signaling error. */
export class MediaAgentError extends Error {
  constructor(
    readonly code: 'not-found' | 'unavailable' | 'rejected',
    message: string,
  ) {
    super(message);
  }
}

/** One meeting's media here, for its home `node`. */
class AgentRoom {
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, PeerProducer>();
  readonly consumers = new Map<string, PeerConsumer>();
  readonly pipes = new Map<string, PipeEnd>();
  readonly copies = new Map<string, PipedProducer>();
  /** What each pipe sends, by `${pipeId}/${producerId}`. */
  readonly flows = new Map<string, PipeFlow>();
  /** Closed by the home or by this agent (not by its worker dying). */
  closing = false;

  constructor(
    readonly node: string,
    readonly roomId: string,
    readonly home: LocalMediaHome,
    /** When the home's node process started (a new process is a new home that knows nothing of this room). */
    readonly homeStartedAt: number,
  ) {}
}

export interface MediaAgentOptions {
  bus: Bus;
  pool: Pick<WorkerPool, 'slots'>;
  load?: WorkerLoad | undefined;
  policy: PlacementPolicy;
  pipeListen: PipeListen;
  /** When a node's current process started, while it is alive; null when it is gone. */
  nodeStartedAt: (nodeId: string) => number | null;
  /** Reads the directory again (a node that started a moment ago may not be in the last read). */
  refreshNodes: () => Promise<void>;
  logger: Logger;
  /** How often rooms of homes gone from the directory are looked for (ms). */
  sweepMs?: number;
}

/** The operations on a meeting's open router (opening and closing it are the agent's own). */
type RoomOp = Exclude<MediaOp, 'open' | 'close'>;
type Handlers = { [K in RoomOp]: (room: AgentRoom, args: z.output<(typeof mediaOps)[K]['args']>) => Promise<MediaResult<K>> };
const done = { done: true as const };

export class MediaAgent {
  private readonly rooms = new Map<string, AgentRoom>();
  private readonly opening = new Map<string, Promise<AgentRoom>>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly o: MediaAgentOptions) {
    o.bus.onMessage(mediaCall, (body, meta) => this.call(body.roomId, body.op, body.args, meta));
    this.sweep = setInterval(() => this.closeOrphans(), o.sweepMs ?? 5_000);
    this.sweep.unref();
  }

  /** Meetings of other homes with media here. */
  get size(): number {
    return this.rooms.size;
  }

  /** What this node's worker `slotIndex` carries for other homes (for /api/health). */
  countsOn(slotIndex: number): { routers: number; transports: number; producers: number; consumers: number } {
    const counts = { routers: 0, transports: 0, producers: 0, consumers: 0 };
    for (const room of this.rooms.values()) {
      if (room.home.slot.index !== slotIndex) continue;
      counts.routers += 1;
      counts.transports += room.transports.size;
      counts.producers += room.producers.size;
      counts.consumers += room.consumers.size;
    }
    return counts;
  }

  /** The home's node is gone (or this node stops): its meetings' media here closes. */
  closeRoomsOf(node: string): void {
    for (const room of [...this.rooms.values()]) if (room.node === node) this.closeRoom(room, 'its home node is gone');
  }

  /** This node stops: each home is told its meeting's router here closed, so its peers here rebuild their media elsewhere at once. */
  close(): void {
    clearInterval(this.sweep);
    for (const room of [...this.rooms.values()]) {
      this.tell(room, { type: 'routerClosed' });
      this.closeRoom(room, 'this node stops');
    }
  }

  private async call(roomId: string, op: MediaOp, rawArgs: unknown, meta: MessageMeta): Promise<unknown> {
    const parsed = mediaOps[op].args.safeParse(rawArgs);
    if (!parsed.success) throw new MediaAgentError('rejected', `${op}: arguments do not match their schema`);
    const key = `${meta.from}/${roomId}`;
    if (op === 'open') {
      const room = await this.open(meta.from, roomId, key);
      return { routerId: room.home.router.id, rtpCapabilities: rtpCapabilitiesToWire(room.home.router.rtpCapabilities) };
    }
    const room = this.rooms.get(key);
    if (op === 'close') {
      if (room) this.closeRoom(room, 'its home closed it');
      return done;
    }
    if (!room || room.home.router.closed) throw new MediaAgentError('unavailable', 'the meeting has no media on this node');
    const handler = this.handlers[op] as (room: AgentRoom, args: unknown) => Promise<unknown>;
    try {
      return await handler(room, parsed.data);
    } catch (err) {
      if (err instanceof MediaAgentError) throw err;
      // mediasoup refused what it was given (a TypeError on bad parameters) or its object went meanwhile.
      throw new MediaAgentError('rejected', `${op}: ${(err as Error).message}`);
    }
  }

  private open(node: string, roomId: string, key: string): Promise<AgentRoom> {
    const open = this.rooms.get(key);
    if (open && !open.home.router.closed) return Promise.resolve(open);
    let opening = this.opening.get(key);
    if (!opening) {
      opening = this.create(node, roomId, key).finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return opening;
  }

  private async create(node: string, roomId: string, key: string): Promise<AgentRoom> {
    let startedAt = this.o.nodeStartedAt(node);
    if (startedAt === null) {
      await this.o.refreshNodes();
      startedAt = this.o.nodeStartedAt(node);
    }
    if (startedAt === null) throw new MediaAgentError('unavailable', `node ${node} is not in the cluster directory`);
    const { pool, load, policy } = this.o;
    const index = chooseWorker(
      pool.slots.map((slot) => ({
        index: slot.index,
        live: !!slot.worker && !slot.worker.died && !!slot.webRtcServer,
        load: load?.load(slot.index) ?? 0,
        consumers: this.countsOn(slot.index).consumers,
        roomPeers: 0,
        roomRouter: false,
      })),
      { ...policy, spread: 'fill' },
    );
    const slot = index === null ? undefined : pool.slots[index];
    const worker = slot?.worker;
    if (!slot || !worker || worker.died) throw new MediaAgentError('unavailable', 'no media worker is available on this node right now');
    load?.reserve(slot.index);
    const router = await worker.createRouter({ mediaCodecs, appData: { roomId, home: node } });
    const room = new AgentRoom(node, roomId, new LocalMediaHome(slot, router, this.o.pipeListen), startedAt);
    this.rooms.set(key, room);
    slot.routerCount += 1;
    router.observer.once('close', () => {
      slot.routerCount = Math.max(0, slot.routerCount - 1);
      if (this.rooms.get(key) === room) this.rooms.delete(key);
      if (!room.closing) {
        this.o.logger.warn({ roomId, home: node, slot: slot.index }, 'media agent: a meeting router closed under its worker');
        this.tell(room, { type: 'routerClosed' });
      }
    });
    this.o.logger.info({ roomId, home: node, slot: slot.index }, 'media agent: router opened for a meeting homed elsewhere');
    return room;
  }

  private closeRoom(room: AgentRoom, why: string): void {
    room.closing = true;
    const key = `${room.node}/${room.roomId}`;
    if (this.rooms.get(key) === room) this.rooms.delete(key);
    if (!room.home.router.closed) {
      this.o.logger.info({ roomId: room.roomId, home: room.node, why }, 'media agent: meeting router closed');
      room.home.router.close();
    }
  }

  /** Rooms whose home process is gone (dead, or a new process that knows nothing of them). */
  private closeOrphans(): void {
    for (const room of [...this.rooms.values()]) {
      const startedAt = this.o.nodeStartedAt(room.node);
      if (startedAt === null || startedAt !== room.homeStartedAt) this.closeRoom(room, 'its home node is gone');
    }
  }

  private tell(room: AgentRoom, event: MediaEvent): void {
    this.o.bus.send(room.node, mediaEvent, { roomId: room.roomId, event }).catch((err: unknown) => {
      this.o.logger.warn({ err, roomId: room.roomId, home: room.node, event: event.type }, 'media agent: could not tell the home');
    });
  }

  private transportOf(room: AgentRoom, id: string): PeerTransport {
    const t = room.transports.get(id);
    if (!t || t.closed) throw new MediaAgentError('not-found', 'no such transport');
    return t;
  }

  private pipeOf(room: AgentRoom, id: string): PipeEnd {
    const p = room.pipes.get(id);
    if (!p || p.closed) throw new MediaAgentError('not-found', 'no such pipe');
    return p;
  }

  private readonly handlers: Handlers = {
    createTransport: async (room, { direction }) => {
      const t = await room.home.createTransport(direction);
      room.transports.set(t.id, t);
      t.observer.once('close', () => {
        room.transports.delete(t.id);
        if (!room.closing) this.tell(room, { type: 'transportClosed', id: t.id });
      });
      t.on('dtlsstatechange', (state) => this.tell(room, { type: 'dtls', id: t.id, state }));
      return {
        id: t.id,
        iceParameters: iceParametersToWire(t.iceParameters),
        iceCandidates: iceCandidatesToWire(t.iceCandidates),
        dtlsParameters: dtlsParametersToWire(t.dtlsParameters),
      };
    },
    connectTransport: async (room, { transportId, dtlsParameters }) => {
      await this.transportOf(room, transportId).connect({ dtlsParameters: dtlsParametersFromWire(dtlsParameters) });
      return done;
    },
    restartIce: async (room, { transportId }) => ({
      iceParameters: iceParametersToWire(await this.transportOf(room, transportId).restartIce()),
    }),
    closeTransport: async (room, { transportId }) => {
      room.transports.get(transportId)?.close();
      return done;
    },
    produce: async (room, { transportId, kind, rtpParameters, paused, source }) => {
      const p = await this.transportOf(room, transportId).produce({
        kind,
        rtpParameters: rtpParametersFromWire(rtpParameters),
        paused,
        appData: { source },
      });
      room.producers.set(p.id, p);
      p.observer.once('close', () => {
        room.producers.delete(p.id);
        if (!room.closing) this.tell(room, { type: 'producerClosed', id: p.id });
      });
      return { id: p.id, rtpParameters: rtpParametersToWire(p.rtpParameters), paused: p.paused };
    },
    producer: async (room, { producerId, op }) => {
      const p = room.producers.get(producerId);
      if (!p || p.closed) throw new MediaAgentError('not-found', 'no such producer');
      if (op === 'close') p.close();
      else await (op === 'pause' ? p.pause() : p.resume());
      return done;
    },
    producerStats: async (room, { producerId }) => {
      const p = room.producers.get(producerId);
      if (!p || p.closed) throw new MediaAgentError('not-found', 'no such producer');
      const stats = await p.getStats();
      return { stats: stats.slice(0, 16).map((s) => ({ ...(s as object) })) };
    },
    consume: async (room, { transportId, producerId, rtpCapabilities, paused, peerId, source }) => {
      const transport = this.transportOf(room, transportId);
      const appData: ConsumerData = { peerId, source, transportId };
      const c = await transport.consume({ producerId, rtpCapabilities: rtpCapabilitiesFromWire(rtpCapabilities), paused, appData });
      room.consumers.set(c.id, c);
      c.observer.once('close', () => {
        room.consumers.delete(c.id);
        if (!room.closing) this.tell(room, { type: 'consumerClosed', id: c.id });
      });
      c.on('producerclose', () => this.tell(room, { type: 'consumerProducerClosed', id: c.id }));
      c.on('layerschange', (layers) => this.tell(room, { type: 'layers', id: c.id, layers: layers ?? null }));
      return { id: c.id, kind: c.kind, type: c.type, rtpParameters: rtpParametersToWire(c.rtpParameters), ...consumerState(c) };
    },
    consumer: async (room, { consumerId, op, layers, priority }) => {
      const c = room.consumers.get(consumerId);
      if (!c || c.closed) throw new MediaAgentError('not-found', 'no such consumer');
      if (op === 'close') c.close();
      else if (op === 'pause') await c.pause();
      else if (op === 'resume') await c.resume();
      else if (op === 'layers' && layers) await c.setPreferredLayers(layers);
      else if (op === 'priority' && priority !== undefined) await c.setPriority(priority);
      return consumerState(c);
    },
    canConsume: async (room, { producerId, rtpCapabilities }) => ({
      ok: await room.home.canConsume(producerId, rtpCapabilitiesFromWire(rtpCapabilities)),
    }),
    openPipe: async (room) => {
      const pipe = await room.home.openPipe();
      room.pipes.set(pipe.id, pipe);
      const { ip, port, srtpParameters } = pipe.address;
      return { id: pipe.id, ip, port, srtpParameters: srtpParametersToWire(srtpParameters) };
    },
    connectPipe: async (room, { pipeId, ip, port, srtpParameters }) => {
      await this.pipeOf(room, pipeId).connect({ ip, port, srtpParameters: srtpParametersFromWire(srtpParameters) });
      return done;
    },
    pipeConsume: async (room, { pipeId, producerId }) => {
      const { feed, flow } = await this.pipeOf(room, pipeId).consume(producerId);
      room.flows.set(`${pipeId}/${producerId}`, flow);
      return { kind: feed.kind, rtpParameters: rtpParametersToWire(feed.rtpParameters), paused: feed.paused };
    },
    pipeProduce: async (room, { pipeId, id, kind, rtpParameters, paused, source }) => {
      const appData: ProducerData = { source };
      const copy = await this.pipeOf(room, pipeId).produce({
        id,
        feed: { kind, rtpParameters: rtpParametersFromWire(rtpParameters), paused },
        appData,
      });
      room.copies.set(id, copy);
      copy.observer.once('close', () => {
        if (room.copies.get(id) === copy) room.copies.delete(id);
        if (!room.closing) this.tell(room, { type: 'copyClosed', id });
      });
      return done;
    },
    copy: async (room, { producerId, op }) => {
      const copy = room.copies.get(producerId);
      if (!copy || copy.closed) throw new MediaAgentError('not-found', 'no such piped producer');
      if (op === 'close') copy.close();
      else await (op === 'pause' ? copy.pause() : copy.resume());
      return done;
    },
    closePipe: async (room, { pipeId }) => {
      room.pipes.get(pipeId)?.close();
      room.pipes.delete(pipeId);
      for (const key of [...room.flows.keys()]) if (key.startsWith(`${pipeId}/`)) room.flows.delete(key);
      return done;
    },
    pipeFlow: async (room, { pipeId, producerId, op }) => {
      const flow = room.flows.get(`${pipeId}/${producerId}`);
      if (!flow) throw new MediaAgentError('not-found', 'no such producer in that pipe');
      await (op === 'pause' ? flow.pause() : flow.resume());
      return done;
    },
    watchSpeaker: async (room, { producerId }) => {
      await room.home.watchSpeaker(producerId, (dominant) => this.tell(room, { type: 'dominantSpeaker', id: dominant }));
      return done;
    },
  };
}

function consumerState(c: PeerConsumer) {
  return {
    paused: c.paused,
    producerPaused: c.producerPaused,
    priority: c.priority,
    preferredLayers: c.preferredLayers ? { ...c.preferredLayers } : null,
  };
}
