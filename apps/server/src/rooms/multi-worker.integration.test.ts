/**
 * One room over two mediasoup workers, with the real server
 * (CONCLAVE_WORKERS=2, CONCLAVE_WORKER_SPREAD=even): peers are placed on
 * both, every router answers with the same capabilities, microphones are
 * piped to the other worker at once and cameras only when someone there
 * consumes them, RTP really crosses the pipe, and a worker that dies
 * disturbs only the peers on it: the others keep receiving and are told
 * only that the dead worker's producers closed.
 */
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { useTestApp } from '../test-support/test-app.js';
import { opusRtpParameters } from '../test-support/ws-client.js';
import { localRouter, localSlot } from '../test-support/local-media.js';
import { countingSink, syntheticCamera } from '../test-support/synthetic-camera.js';

/** The pipes between the two workers must use only these ports (CONCLAVE_PIPE_PORT_MIN/MAX). */
const PIPE_PORTS = { min: 31000 + (process.pid % 80) * 20, max: 31000 + (process.pid % 80) * 20 + 19 };
const suite = useTestApp('multi-worker', { workers: 2, workerSpread: 'even', pipePorts: PIPE_PORTS });

describe('a room over two workers', () => {
  it('spreads peers, pipes microphones at once and cameras on demand, and survives the death of one worker', async () => {
    const { app, newRoom, joined } = suite;
    const roomId = newRoom();
    const a = await joined(roomId, 'Ada');
    const b = await joined(roomId, 'Bob');
    const c = await joined(roomId, 'Cy');
    const room = app.registry.get(roomId)!;
    const home = (peerId: string) => room.peers.get(peerId)!.home!;
    expect([a, b, c].map((x) => localSlot(home(x.info.peerId)).index)).toEqual([0, 1, 0]);
    expect(room.media.routerSlots).toEqual([0, 1]);
    const pipePorts: number[] = [];
    for (const slot of [0, 1]) {
      localRouter(room.media.homeOn(slot)).observer.on('newtransport', (t) => {
        if (t.type === 'pipe') pipePorts.push((t as types.PipeTransport).tuple.localPort);
      });
    }
    // Same codecs on every router: whichever worker answered the join, the client loads the same device.
    expect(b.info.routerRtpCapabilities).toEqual(a.info.routerRtpCapabilities);

    // Ada's microphone (worker 0) is on Bob's router (worker 1) before anyone asks for it.
    const { transportId } = await a.client.request('createTransport', { direction: 'send' });
    const { producerId: micId } = await a.client.request('produce', {
      transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(777),
    });
    const bobRouter = localRouter(home(b.info.peerId));
    await a.client.waitFor(
      () => bobRouter.canConsume({ producerId: micId, rtpCapabilities: bobRouter.rtpCapabilities }),
      5000,
      'mic piped',
    );
    await b.client.request('createTransport', { direction: 'recv' });
    await c.client.request('createTransport', { direction: 'recv' });
    const bobsMic = await b.client.request('consume', { producerId: micId, rtpCapabilities: b.info.routerRtpCapabilities });
    expect(bobsMic).toMatchObject({ peerId: a.info.peerId, source: 'mic' });

    // A camera on worker 0 is not on worker 1 until someone there consumes it; then RTP crosses the pipe.
    const camera = await syntheticCamera(localRouter(home(a.info.peerId)), 4242);
    room.media.addProducer(camera.producer, a.info.peerId, home(a.info.peerId));
    expect(bobRouter.canConsume({ producerId: camera.producer.id, rtpCapabilities: bobRouter.rtpCapabilities })).toBe(false);
    await room.media.bringTo(home(b.info.peerId), camera.producer.id);
    const across = await countingSink(bobRouter, camera.producer.id);
    const beside = await countingSink(localRouter(home(c.info.peerId)), camera.producer.id);
    await a.client.waitFor(() => across.count() > 20 && beside.count() > 20, 5000, 'RTP on both workers');
    // The pipe between the workers (one transport on each) listens only on the configured ports.
    expect(pipePorts.length).toBeGreaterThanOrEqual(2);
    for (const p of pipePorts) expect(p, 'a pipe port in CONCLAVE_PIPE_PORT_MIN–MAX').toBeGreaterThanOrEqual(PIPE_PORTS.min);
    for (const p of pipePorts) expect(p).toBeLessThanOrEqual(PIPE_PORTS.max);

    // Bob (worker 1) consumes Cy's microphone, Ada consumes Bob's: the worker under Bob dies.
    const { transportId: bobSend } = await b.client.request('createTransport', { direction: 'send' });
    const { producerId: bobMic } = await b.client.request('produce', {
      transportId: bobSend,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(888),
    });
    await a.client.request('createTransport', { direction: 'recv' });
    const adasCopy = await a.client.request('consume', { producerId: bobMic, rtpCapabilities: a.info.routerRtpCapabilities });
    const slot1 = app.pool.slots[1]!;
    process.kill(slot1.worker!.pid, 'SIGKILL');

    expect(await b.client.waitForNotification('mediaReset')).toEqual({ reason: 'worker-restarted' });
    // Ada is told only that Bob's microphone went; Bob is still in the meeting, with his sender index.
    await a.client.waitForNotification('consumerClosed', (d) => d.consumerId === adasCopy.consumerId);
    const before = beside.count();
    await a.client.waitFor(() => beside.count() > before + 20, 5000, 'media on the live worker goes on');
    for (const x of [a, c]) {
      expect(x.client.notifications.some((n) => ['roomClosed', 'mediaReset', 'peerLeft'].includes(n.method))).toBe(false);
    }
    expect(room.peers.get(b.info.peerId)?.senderIndex).toBe(b.info.senderIndex);
    expect(room.media.routerSlots).toEqual([0]);

    // Bob rebuilds: his new transport goes to a live worker and he hears Ada again.
    await b.client.request('createTransport', { direction: 'recv' });
    const again = await b.client.request('consume', { producerId: micId, rtpCapabilities: b.info.routerRtpCapabilities });
    expect(again).toMatchObject({ peerId: a.info.peerId, source: 'mic' });
    camera.stop();
    across.stop();
    beside.stop();
    for (const x of [a, b, c]) x.client.close();
    await a.client.waitFor(() => app.pool.ready, 10_000, 'worker replaced');
  });
});
