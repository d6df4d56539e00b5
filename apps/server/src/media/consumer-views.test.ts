/**
 * ConsumerViews against a real mediasoup worker: a three-layer VP8 simulcast
 * producer (as browsers send the camera) and one receiver's consumer of it.
 * What the receiver reports of its tile sets the consumer's preferred layer,
 * priority and pause state, and nothing runs before the receiver is ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type types } from 'mediasoup';
import { CAMERA_SIMULCAST_LAYERS, type ServerMessage } from '@conclave/protocol';
import { ConsumerViews, spatialLayersOf } from './consumer-views.js';
import type { ConsumerData } from './media-objects.js';

const VP8 = {
  mimeType: 'video/VP8',
  payloadType: 101,
  clockRate: 90000,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
};

describe('ConsumerViews', () => {
  let worker: types.Worker;
  let router: types.Router;

  beforeAll(async () => {
    worker = await createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  });
  afterAll(() => worker?.close());

  async function simulcastConsumer(): Promise<{ consumer: types.Consumer<ConsumerData>; producer: types.Producer; close: () => void }> {
    const sendTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    const producer = await sendTransport.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [VP8],
        encodings: CAMERA_SIMULCAST_LAYERS.map((l, i) => ({
          ssrc: 1000 + i,
          scaleResolutionDownBy: l.scaleResolutionDownBy,
          maxBitrate: l.maxBitrate,
          scalabilityMode: 'L1T3',
        })),
      },
    });
    const recvTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    const consumer = await recvTransport.consume<ConsumerData>({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
      appData: { peerId: 'sender', source: 'camera', transportId: recvTransport.id },
    });
    return { consumer, producer, close: () => (sendTransport.close(), recvTransport.close()) };
  }

  it("counts the producer's layers, each half the one above, as clients send them", async () => {
    const { producer, close } = await simulcastConsumer();
    expect(spatialLayersOf(producer.rtpParameters).map((l) => l.height)).toEqual([180, 360, 720]);
    const factors = CAMERA_SIMULCAST_LAYERS.map((l) => l.scaleResolutionDownBy);
    expect(factors.at(-1)).toBe(1);
    for (let i = 1; i < factors.length; i += 1) expect(factors[i - 1]).toBe(2 * factors[i]!);
    close();
  });

  it('waits for the receiver, then follows its tile: size sets the layer, unseen pauses', async () => {
    const { consumer, producer, close } = await simulcastConsumer();
    expect(consumer.type).toBe('simulcast');
    const views = new ConsumerViews(() => undefined);
    views.add(consumer, producer.rtpParameters);

    // A view before the receiver is ready changes the layer but does not start the consumer.
    await views.setViews([{ consumerId: consumer.id, width: 1280, height: 720, visible: true }]);
    expect(consumer.paused).toBe(true);
    expect(consumer.preferredLayers?.spatialLayer).toBe(2);

    await views.ready(consumer);
    expect(consumer.paused).toBe(false);

    await views.setViews([{ consumerId: consumer.id, width: 240, height: 135, visible: true }]);
    expect(consumer.preferredLayers?.spatialLayer).toBe(0);

    await views.setViews([{ consumerId: consumer.id, width: 240, height: 135, visible: false }]);
    expect(consumer.paused).toBe(true);

    await views.setViews([{ consumerId: consumer.id, width: 640, height: 360, visible: true }]);
    expect(consumer.paused).toBe(false);
    expect(consumer.preferredLayers?.spatialLayer).toBe(1);
    close();
  });

  it('gives the bigger of two tiles the higher priority', async () => {
    const a = await simulcastConsumer();
    const b = await simulcastConsumer();
    const views = new ConsumerViews(() => undefined);
    views.add(a.consumer, a.producer.rtpParameters);
    views.add(b.consumer, b.producer.rtpParameters);
    await views.setViews([
      { consumerId: a.consumer.id, width: 200, height: 112, visible: true },
      { consumerId: b.consumer.id, width: 1200, height: 675, visible: true },
    ]);
    expect(b.consumer.priority).toBeGreaterThan(a.consumer.priority);
    a.close();
    b.close();
  });

  it('ignores views of consumers it does not know and survives a consumer closing under it', async () => {
    const { consumer, producer, close } = await simulcastConsumer();
    const errors: unknown[] = [];
    const views = new ConsumerViews(() => undefined, { debug: () => undefined, warn: (fields) => errors.push(fields) });
    views.add(consumer, producer.rtpParameters);
    await views.ready(consumer);
    await views.setViews([{ consumerId: 'no-such-consumer', width: 100, height: 100, visible: false }]);
    expect(consumer.paused).toBe(false);
    close();
    await views.setViews([{ consumerId: consumer.id, width: 100, height: 100, visible: false }]);
    expect(errors).toEqual([]);
  });

  it('tells the receiver when the layer it gets changes', async () => {
    const { consumer, producer, close } = await simulcastConsumer();
    const sent: ServerMessage[] = [];
    const views = new ConsumerViews((m) => sent.push(m));
    views.add(consumer, producer.rtpParameters);
    consumer.emit('layerschange', { spatialLayer: 1, temporalLayer: 2 });
    consumer.emit('layerschange', undefined);
    expect(sent.map((m) => ('data' in m ? m.data : null))).toEqual([
      { consumerId: consumer.id, spatialLayer: 1, temporalLayer: 2 },
      { consumerId: consumer.id, spatialLayer: null, temporalLayer: null },
    ]);
    close();
  });
});
