/**
 * One receiver's video consumers and how it shows each of them: applies the
 * layer policy (layer-policy.ts) to the mediasoup consumers, pausing videos
 * nobody sees and setting preferred layers and priorities, and tells the
 * receiver which layer it actually gets.
 *
 * A consumer runs only once its client is ready for it (`resumeConsumer`)
 * and while its tile is seen. Operations are applied one at a time, in order.
 */
import { CAMERA_NOMINAL_HEIGHT, notification, type ServerMessage, type TileView } from '@conclave/protocol';
import type { types } from 'mediasoup';
import type { PeerConsumer } from './media-objects.js';
import { chooseLayers, type SpatialLayer, type ViewedVideo } from './layer-policy.js';

/** Where steering is reported (the room's logger). */
export interface ViewLog {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
const quiet: ViewLog = { debug: () => undefined, warn: () => undefined };

interface Entry {
  consumer: PeerConsumer;
  layers: SpatialLayer[];
  view: ViewedVideo['view'];
  /** The client has its end of the consumer set up and asked for media. */
  ready: boolean;
}

/**
 * The producer's spatial layers, lowest first as mediasoup numbers them. The
 * encodings name no sizes (mediasoup keeps no scale factors), so each layer
 * is taken as half the one above it, as clients send them
 * (CAMERA_SIMULCAST_LAYERS), with the top one at the nominal camera height.
 */
export function spatialLayersOf(rtpParameters: types.RtpParameters): SpatialLayer[] {
  const count = Math.max(1, rtpParameters.encodings?.length ?? 1);
  return Array.from({ length: count }, (_, i) => ({ height: Math.round(CAMERA_NOMINAL_HEIGHT / 2 ** (count - 1 - i)) }));
}

export class ConsumerViews {
  private readonly entries = new Map<string, Entry>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (message: ServerMessage) => void,
    private readonly log: ViewLog = quiet,
  ) {}

  /** A new video consumer (created paused). Audio consumers are not tracked: they just resume. */
  add(consumer: PeerConsumer, producerRtpParameters: types.RtpParameters): void {
    if (consumer.kind !== 'video') return;
    this.entries.set(consumer.id, { consumer, layers: spatialLayersOf(producerRtpParameters), view: undefined, ready: false });
    consumer.on('layerschange', (layers) => {
      this.send(
        notification('consumerLayers', {
          consumerId: consumer.id,
          spatialLayer: layers?.spatialLayer ?? null,
          temporalLayer: layers?.temporalLayer ?? null,
        }),
      );
    });
    consumer.observer.once('close', () => this.entries.delete(consumer.id));
  }

  /** The client is ready to receive: the consumer starts, unless its tile is unseen. */
  ready(consumer: PeerConsumer): Promise<void> {
    const entry = this.entries.get(consumer.id);
    if (!entry) return consumer.resume();
    entry.ready = true;
    return this.apply();
  }

  /** New views from the client; ids of consumers it no longer has are ignored. */
  setViews(views: readonly TileView[]): Promise<void> {
    for (const { consumerId, ...view } of views) {
      const entry = this.entries.get(consumerId);
      if (entry) entry.view = view;
    }
    return this.apply();
  }

  private apply(): Promise<void> {
    this.queue = this.queue.then(() => this.applyNow());
    return this.queue;
  }

  private async applyNow(): Promise<void> {
    const live = [...this.entries.values()].filter((e) => !e.consumer.closed);
    const choices = chooseLayers(live.map((e) => ({ consumerId: e.consumer.id, layers: e.layers, view: e.view })));
    for (const choice of choices) {
      const { consumer, ready } = this.entries.get(choice.consumerId) ?? {};
      if (!consumer || consumer.closed) continue;
      try {
        const before = { paused: consumer.paused, spatialLayer: consumer.preferredLayers?.spatialLayer, priority: consumer.priority };
        if (consumer.type === 'simulcast' && consumer.preferredLayers?.spatialLayer !== choice.spatialLayer) {
          await consumer.setPreferredLayers({ spatialLayer: choice.spatialLayer });
        }
        if (consumer.priority !== choice.priority) await consumer.setPriority(choice.priority);
        const run = ready === true && !choice.paused;
        if (run && consumer.paused) await consumer.resume();
        else if (!run && !consumer.paused) await consumer.pause();
        const after = { paused: consumer.paused, spatialLayer: consumer.preferredLayers?.spatialLayer, priority: consumer.priority };
        if (JSON.stringify(before) !== JSON.stringify(after))
          this.log.debug(
            { consumerId: consumer.id, view: this.entries.get(choice.consumerId)?.view, ...after },
            'consumer steered to its tile view',
          );
      } catch (err) {
        // Closed meanwhile (its producer or transport went away): nothing left to steer.
        if (!consumer.closed) this.log.warn({ err, consumerId: consumer.id }, 'could not steer a consumer to its tile view');
      }
    }
  }
}
