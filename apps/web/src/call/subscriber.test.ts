import { describe, expect, it, vi } from 'vitest';
import { FakeDevice } from '../test-support/fake-media.js';
import { peer, roomSignaling } from '../test-support/fake-room.js';
import { Subscriber } from './subscriber.js';

async function receiving() {
  const notify = vi.fn();
  const subscriber = new Subscriber({ notify });
  const signaling = roomSignaling();
  const device = new FakeDevice();
  const answer = await signaling.request('createTransport', { direction: 'recv' });
  device.createTransport(
    'recv',
    answer,
    { iceServers: [], iceTransportPolicy: 'all' },
    { connect: async () => undefined, onStateChange: () => undefined },
  );
  return { subscriber, signaling, device, transport: device.transport('recv'), notify };
}

const cam = (producerId: string) => ({ producerId, kind: 'video' as const, source: 'camera' as const, paused: false });

describe('Subscriber', () => {
  it('keeps what is announced while the transports are made, and consumes each producer once', async () => {
    const { subscriber, signaling, device, transport } = await receiving();
    subscriber.listen(signaling);
    subscriber.addPeers([peer('p1', 'Linus', [cam('a')])]);
    signaling.notify('producerAdded', { peerId: 'p1', producerId: 'b', kind: 'audio', source: 'mic', paused: true });
    expect(signaling.sent('consume')).toHaveLength(0);
    await subscriber.receiveOn(device, transport);
    signaling.notify('producerAdded', { peerId: 'p1', producerId: 'a', kind: 'video', source: 'camera', paused: false });
    await vi.waitFor(() => expect(signaling.sent('resumeConsumer')).toHaveLength(2));
    expect(signaling.sent('consume').map((c) => c.producerId)).toEqual(['a', 'b']);
    expect(subscriber.store.getSnapshot().participants[0]?.media.map((m) => m.consumerId)).toEqual(['c-a', 'c-b']);
  });

  it('follows pauses, layers and closed consumers, and names who joined and left', async () => {
    const { subscriber, signaling, device, transport, notify } = await receiving();
    subscriber.listen(signaling);
    await subscriber.receiveOn(device, transport);
    signaling.notify('peerJoined', peer('p2', 'Grace', [cam('g')]));
    expect(notify).toHaveBeenCalledWith('Grace joined');
    signaling.notify('producerAdded', { peerId: 'p2', producerId: 'g', kind: 'video', source: 'camera', paused: false });
    await vi.waitFor(() => expect(subscriber.store.getSnapshot().participants[0]?.media).toHaveLength(1));
    signaling.notify('producerPaused', { peerId: 'p2', producerId: 'g' });
    signaling.notify('consumerLayers', { consumerId: 'c-g', spatialLayer: 1, temporalLayer: 2 });
    expect(subscriber.store.getSnapshot().participants[0]?.media[0]).toMatchObject({ paused: true, layer: { spatial: 1, temporal: 2 } });
    signaling.notify('consumerClosed', { consumerId: 'c-g' });
    expect(transport.consumers[0]?.closed).toBe(true);
    expect(subscriber.store.getSnapshot().participants[0]?.media).toEqual([]);
    signaling.notify('peerLeft', { peerId: 'p2' });
    expect(notify).toHaveBeenLastCalledWith('Grace left');
    expect(subscriber.store.getSnapshot().participants).toEqual([]);
  });

  it('forgets everyone and stops listening on reset', async () => {
    const { subscriber, signaling, device, transport } = await receiving();
    subscriber.listen(signaling);
    subscriber.addPeers([peer('p1', 'Linus', [cam('a')])]);
    await subscriber.receiveOn(device, transport);
    subscriber.reset();
    expect(transport.consumers[0]?.closed).toBe(true);
    expect(subscriber.store.getSnapshot().participants).toEqual([]);
    expect(signaling.listening('peerJoined')).toBe(0);
  });

  it('sums each participant’s consumer statistics for the diagnostics and the quality indicator', async () => {
    const { subscriber, signaling, device, transport } = await receiving();
    subscriber.listen(signaling);
    subscriber.addPeers([peer('p1', 'Linus', [cam('a')])]);
    await subscriber.receiveOn(device, transport);
    transport.consumers[0]!.stats = [
      {
        type: 'inbound-rtp',
        kind: 'video',
        packetsReceived: 90,
        packetsLost: 10,
        framesDecoded: 30,
        framesDropped: 1,
        frameWidth: 320,
        frameHeight: 180,
      },
    ];
    expect(await subscriber.stats()).toEqual([
      {
        peerId: 'p1',
        displayName: 'Linus',
        framesDecoded: 30,
        framesDropped: 1,
        audioPacketsReceived: 0,
        bySource: { camera: { framesDecoded: 30, framesDropped: 1, packetsReceived: 90, frameWidth: 320, frameHeight: 180 } },
      },
    ]);
    expect((await subscriber.qualityTotals())[0]?.totals).toMatchObject({ packetsReceived: 90, packetsLost: 10, framesDecoded: 30 });
  });
});
