/**
 * Cluster mode: the messages between a meeting's home node and another
 * node's media agent (media-agent.ts) that holds some of the meeting's
 * media. The home asks (`media.call`: one operation on the meeting's router
 * there, or on a transport, producer, consumer or pipe in it); the agent
 * tells the home what happens by itself (`media.event`: a router, transport,
 * producer, consumer or piped copy closed, a DTLS state, a consumer's layers, the
 * dominant speaker). Both go over the bus (Redis Streams, in order, none
 * lost), zod-checked at both ends.
 *
 * mediasoup's parameter objects cross as opaque JSON objects, as they do on
 * the signaling protocol: mediasoup validates them where they are used.
 */
import { z } from 'zod';
import { defineKind, type BusRegistry } from './bus-protocol.js';

const Id = z.string().min(1).max(100);
const RoomId = z.string().min(1).max(200);
/** A mediasoup parameter object (RTP parameters, capabilities, ICE/DTLS/SRTP parameters). */
const Params = z.record(z.string(), z.unknown());
const Kind = z.enum(['audio', 'video']);
const Source = z.enum(['mic', 'camera', 'screen', 'screen-audio']);
const Layers = z.object({ spatialLayer: z.number().int().min(0).max(10), temporalLayer: z.number().int().min(0).max(10).optional() });
const Done = z.object({ done: z.literal(true) });
const ConsumerState = z.object({
  paused: z.boolean(),
  producerPaused: z.boolean(),
  priority: z.number().int().min(1).max(255),
  preferredLayers: Layers.nullable(),
});

/** Every operation: its arguments and its result. */
export const mediaOps = {
  /** The meeting's router on the agent's node (made if it has none): what browsers need of it. */
  open: { args: z.object({}), result: z.object({ routerId: Id, rtpCapabilities: Params }) },
  /** The meeting has nobody on that node any more. */
  close: { args: z.object({}), result: Done },
  createTransport: {
    args: z.object({ direction: z.enum(['send', 'recv']) }),
    result: z.object({ id: Id, iceParameters: Params, iceCandidates: z.array(Params).max(32), dtlsParameters: Params }),
  },
  connectTransport: { args: z.object({ transportId: Id, dtlsParameters: Params }), result: Done },
  restartIce: { args: z.object({ transportId: Id }), result: z.object({ iceParameters: Params }) },
  closeTransport: { args: z.object({ transportId: Id }), result: Done },
  produce: {
    args: z.object({ transportId: Id, kind: Kind, rtpParameters: Params, paused: z.boolean(), source: Source }),
    result: z.object({ id: Id, rtpParameters: Params, paused: z.boolean() }),
  },
  producer: { args: z.object({ producerId: Id, op: z.enum(['pause', 'resume', 'close']) }), result: Done },
  producerStats: { args: z.object({ producerId: Id }), result: z.object({ stats: z.array(Params).max(16) }) },
  consume: {
    args: z.object({ transportId: Id, producerId: Id, rtpCapabilities: Params, paused: z.boolean(), peerId: Id, source: Source }),
    result: ConsumerState.extend({
      id: Id,
      kind: Kind,
      type: z.enum(['simple', 'simulcast', 'svc', 'pipe']),
      rtpParameters: Params,
    }),
  },
  consumer: {
    args: z.object({
      consumerId: Id,
      op: z.enum(['pause', 'resume', 'close', 'layers', 'priority']),
      layers: Layers.optional(),
      priority: z.number().int().min(1).max(255).optional(),
    }),
    result: ConsumerState,
  },
  canConsume: { args: z.object({ producerId: Id, rtpCapabilities: Params }), result: z.object({ ok: z.boolean() }) },
  openPipe: { args: z.object({}), result: z.object({ id: Id, ip: z.string().max(100), port: z.number().int(), srtpParameters: Params }) },
  connectPipe: {
    args: z.object({ pipeId: Id, ip: z.string().max(100), port: z.number().int().min(1).max(65535), srtpParameters: Params }),
    result: Done,
  },
  pipeConsume: {
    args: z.object({ pipeId: Id, producerId: Id }),
    result: z.object({ kind: Kind, rtpParameters: Params, paused: z.boolean() }),
  },
  pipeProduce: {
    args: z.object({ pipeId: Id, id: Id, kind: Kind, rtpParameters: Params, paused: z.boolean(), source: Source }),
    result: Done,
  },
  /** A producer copied in through a pipe (its id is the original's). */
  copy: { args: z.object({ producerId: Id, op: z.enum(['pause', 'resume', 'close']) }), result: Done },
  closePipe: { args: z.object({ pipeId: Id }), result: Done },
  /** Pauses or resumes what a pipe sends of one producer (nobody on the other end watches it, or someone does again). */
  pipeFlow: { args: z.object({ pipeId: Id, producerId: Id, op: z.enum(['pause', 'resume']) }), result: Done },
  watchSpeaker: { args: z.object({ producerId: Id }), result: Done },
} as const;

export type MediaOp = keyof typeof mediaOps;
export type MediaArgs<K extends MediaOp> = z.input<(typeof mediaOps)[K]['args']>;
export type MediaResult<K extends MediaOp> = z.output<(typeof mediaOps)[K]['result']>;

const opNames = Object.keys(mediaOps) as [MediaOp, ...MediaOp[]];

export const mediaCall = defineKind('media.call', z.object({ roomId: RoomId, op: z.enum(opNames), args: z.unknown() }), z.unknown());

/** What happens by itself on the agent's node, about one object of a meeting's media there. */
export const MediaEvent = z.discriminatedUnion('type', [
  /** The meeting's router there closed without the home asking (its worker died). */
  z.object({ type: z.literal('routerClosed') }),
  z.object({ type: z.literal('transportClosed'), id: Id }),
  z.object({ type: z.literal('dtls'), id: Id, state: z.enum(['new', 'connecting', 'connected', 'failed', 'closed']) }),
  z.object({ type: z.literal('producerClosed'), id: Id }),
  z.object({ type: z.literal('consumerClosed'), id: Id }),
  /** The consumer's producer closed (the consumer closes with it). */
  z.object({ type: z.literal('consumerProducerClosed'), id: Id }),
  z.object({ type: z.literal('layers'), id: Id, layers: Layers.nullable() }),
  z.object({ type: z.literal('copyClosed'), id: Id }),
  z.object({ type: z.literal('dominantSpeaker'), id: Id }),
]);
export type MediaEvent = z.infer<typeof MediaEvent>;

export const mediaEvent = defineKind('media.event', z.object({ roomId: RoomId, event: MediaEvent }));

export function registerMediaCalls(registry: BusRegistry): BusRegistry {
  return registry.register(mediaCall, mediaEvent);
}
