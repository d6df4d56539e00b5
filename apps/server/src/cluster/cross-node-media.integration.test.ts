/**
 * One meeting's media over two nodes, in one process: node A is the
 * meeting's home (its RoomMedia, with RemoteMedia for the other node), node
 * B serves A's requests with its MediaAgent; each has its own mediasoup
 * worker, and they talk over a LocalBus (the same code as over Redis
 * Streams, minus Redis). RTP really crosses the pipes between the two
 * workers (UDP on loopback, with SRTP), both ways; proxies on A behave as
 * mediasoup's objects do (a consumer hears its producer close); pausing a
 * producer pauses its copy on the other node; and the loss of B's router
 * (its worker died, or the node left the directory) is told to the room,
 * whose peers there then rebuild their media.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { types } from 'mediasoup';
import { WorkerPool } from '../media/worker-pool.js';
import type { MediaHome } from '../media/media-home.js';
import { RoomMedia } from '../rooms/room-media.js';
import { freePort } from '../hostile/server-process.js';
import { localRouter } from '../test-support/local-media.js';
import { until } from '../test-support/poll.js';
import { countingSink, syntheticCamera } from '../test-support/synthetic-camera.js';
import { LocalBus, LocalBusNetwork } from './bus.js';
import { BusRegistry } from './bus-protocol.js';
import { MediaAgent } from './media-agent.js';
import { mediaCall, registerMediaCalls, type MediaOp } from './media-calls.js';
import { RemoteMedia } from './remote-media.js';

const logger = pino({ level: 'silent' });
const PIPE_PORTS = { min: 33000 + (process.pid % 80) * 20, max: 33000 + (process.pid % 80) * 20 + 19 };

describe('one meeting over two nodes', () => {
  let poolA: WorkerPool;
  let poolB: WorkerPool;
  let agentB: MediaAgent;
  let remote: RemoteMedia;
  let media: RoomMedia;
  let here: MediaHome;
  let there: MediaHome;
  /** The meeting's router on node B, as B's own mediasoup sees it. */
  let routerB: types.Router;
  const pipeTransportsB: types.PipeTransport[] = [];
  const pipeTransportsA: types.PipeTransport[] = [];
  const lost: string[] = [];
  const startedAt = new Map([
    ['node-a', 1],
    ['node-c', 1],
  ]);
  /** A third node, playing one that reaches into a meeting homed on node A. */
  let busC: LocalBus;

  beforeAll(async () => {
    const start = async () =>
      WorkerPool.start({ size: 1, rtcPort: await freePort(), listenIp: '127.0.0.1', announcedAddress: '127.0.0.1', logger });
    [poolA, poolB] = await Promise.all([start(), start()]);
    const network = new LocalBusNetwork();
    const registry = () => registerMediaCalls(new BusRegistry());
    const busA = new LocalBus({ nodeId: 'node-a', registry: registry(), network, logger });
    const busB = new LocalBus({ nodeId: 'node-b', registry: registry(), network, logger });
    busC = new LocalBus({ nodeId: 'node-c', registry: registry(), network, logger });
    agentB = new MediaAgent({
      bus: busB,
      pool: poolB,
      policy: { spread: 'fill', softLimit: 65 },
      pipeListen: { ip: '127.0.0.1', portRange: PIPE_PORTS },
      nodeStartedAt: (id) => startedAt.get(id) ?? null,
      refreshNodes: () => Promise.resolve(),
      logger,
    });
    remote = new RemoteMedia({ bus: busA, nodes: () => [{ id: 'node-b', cpu: 0 }], logger });
    media = new RoomMedia('room-1', {
      pool: poolA,
      policy: { spread: 'even', softLimit: 65 },
      pipeListen: { ip: '127.0.0.1', portRange: PIPE_PORTS },
      remote,
      flowIdleMs: 200,
      logger,
    });
    media.onHomeLost = (key) => lost.push(key);
    poolA.slots[0]!.worker!.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (t) => {
        if (t.type === 'pipe') pipeTransportsA.push(t as types.PipeTransport);
      }),
    );
    poolB.slots[0]!.worker!.observer.on('newrouter', (router) => {
      routerB = router;
      router.observer.on('newtransport', (t) => {
        if (t.type === 'pipe') pipeTransportsB.push(t as types.PipeTransport);
      });
    });
  });

  afterAll(() => {
    media?.close();
    agentB?.close();
    poolA?.close();
    poolB?.close();
  });

  it('places its people on both nodes (spread even), with the same capabilities on both routers', async () => {
    here = await media.place();
    there = await media.place();
    expect([here.key, there.key]).toEqual(['w:0', 'n:node-b']);
    expect(media.routerSlots).toEqual([0]);
    expect(media.routerNodes).toEqual(['node-b']);
    expect(there.router.rtpCapabilities).toEqual(here.router.rtpCapabilities);
    expect(agentB.countsOn(0).routers).toBe(1);
  });

  it('pipes a camera here to the other node over SRTP on the pipe ports; RTP arrives there', async () => {
    const cam = await syntheticCamera(localRouter(here), 5001);
    media.addProducer(cam.producer, 'ada', here);
    await media.bringTo(there, cam.producer.id);
    const sink = await countingSink(routerB, cam.producer.id);
    await until('RTP reached node B', () => sink.count() > 20);
    expect(pipeTransportsB.length).toBe(1);
    const pipe = pipeTransportsB[0]!;
    expect(pipe.srtpParameters?.cryptoSuite, 'the pipe is SRTP').toBe('AEAD_AES_256_GCM');
    expect(pipe.tuple.localPort).toBeGreaterThanOrEqual(PIPE_PORTS.min);
    expect(pipe.tuple.localPort).toBeLessThanOrEqual(PIPE_PORTS.max);
    sink.stop();
    cam.stop();
  });

  it('gives a proxy consumer there that resumes, and hears its producer close as mediasoup would', async () => {
    const cam = await syntheticCamera(localRouter(here), 5002);
    media.addProducer(cam.producer, 'ada', here);
    await media.bringTo(there, cam.producer.id);
    const recv = await there.createTransport('recv');
    expect(recv.iceCandidates.length).toBeGreaterThan(0);
    expect(await there.canConsume(cam.producer.id, there.router.rtpCapabilities)).toBe(true);
    const consumer = await recv.consume({
      producerId: cam.producer.id,
      rtpCapabilities: there.router.rtpCapabilities,
      paused: true,
      appData: { peerId: 'ada', source: 'camera', transportId: recv.id },
    });
    expect(consumer.kind).toBe('video');
    expect(consumer.paused).toBe(true);
    await consumer.resume();
    expect(consumer.paused).toBe(false);
    let heardClose = false;
    consumer.on('producerclose', () => (heardClose = true));
    cam.stop(); // closes the producer on A: its copy on B, and so the consumer there, close
    await until('the consumer heard its producer close', () => heardClose && consumer.closed);
    recv.close();
    await until('the transport closed on node B', () => agentB.countsOn(0).transports === 0);
  });

  it('pauses and resumes the copy on the other node with its producer', async () => {
    const cam = await syntheticCamera(localRouter(here), 5003);
    media.addProducer(cam.producer, 'ada', here);
    let copy: types.Producer | undefined;
    pipeTransportsB[0]!.observer.once('newproducer', (p) => (copy = p));
    await media.bringTo(there, cam.producer.id);
    await until('the copy exists on node B', () => copy !== undefined);
    expect(copy!.paused).toBe(false);
    await cam.producer.pause();
    await until('the copy paused', () => copy!.paused);
    await cam.producer.resume();
    await until('the copy resumed', () => !copy!.paused);
    cam.stop();
    await until('the copy closed with it', () => copy!.closed);
  });

  it('pauses a camera in its pipe while nobody on the other node watches it, and resumes it for the first who does', async () => {
    const cam = await syntheticCamera(localRouter(here), 5005);
    media.addProducer(cam.producer, 'ada', here);
    let piped: types.Consumer | undefined;
    // The pipe between the two nodes exists already (one per pair of routers): its end here consumes the camera.
    pipeTransportsA[0]!.observer.on('newconsumer', (c) => {
      if (c.producerId === cam.producer.id) piped = c;
    });
    await media.bringTo(there, cam.producer.id);
    await until('the pipe consumes it on node A', () => piped !== undefined);
    const recv = await there.createTransport('recv');
    const consumer = await recv.consume({
      producerId: cam.producer.id,
      rtpCapabilities: there.router.rtpCapabilities,
      paused: true,
      appData: { peerId: 'ada', source: 'camera', transportId: recv.id },
    });
    media.watch(there, consumer);
    await until('the pipe paused (the only consumer there is paused)', () => piped!.paused);
    await consumer.resume();
    await until('the pipe flows again', () => !piped!.paused);
    await consumer.pause();
    await until('paused again once its tile is not seen', () => piped!.paused);
    await consumer.resume();
    await until('flows', () => !piped!.paused);
    consumer.close();
    await until('paused when its watcher went', () => piped!.paused);
    recv.close();
    cam.stop();
  });

  it('refuses another node that reaches into this meeting’s media on node B (not its home)', async () => {
    const recv = await there.createTransport('recv');
    const transports = agentB.countsOn(0).transports;
    // Node C knows the room's id and the transport's id, and asks node B as node A would.
    const asC = (op: MediaOp, args: unknown) => busC.request('node-b', mediaCall, { roomId: 'room-1', op, args });
    await expect(asC('closeTransport', { transportId: recv.id })).rejects.toThrow(/no media on this node/);
    await expect(asC('createTransport', { direction: 'send' })).rejects.toThrow(/no media on this node/);
    expect(agentB.countsOn(0).transports).toBe(transports);
    expect(recv.closed).toBe(false);
    recv.close();
  });

  it('pipes a camera on the other node back here; RTP arrives here', async () => {
    // The test stands in for a browser on node B, producing on the meeting's router there.
    const cam = await syntheticCamera(routerB, 5004);
    media.addProducer(cam.producer, 'bob', there);
    await media.bringTo(here, cam.producer.id);
    const sink = await countingSink(localRouter(here), cam.producer.id);
    await until('RTP from node B reached node A', () => sink.count() > 20);
    sink.stop();
    cam.stop();
  });

  it('sends someone back to the node their media was on before a drop, where placement alone would not', async () => {
    const back = await media.place('n:node-b'); // spread even alone would choose this node's worker (a tie, and lighter)
    expect(back.key).toBe('n:node-b');
    const next = await media.place();
    expect(next.key).toBe('w:0');
    media.release(back);
    media.release(next);
  });

  it('tells the room when the router there closes under its peers, and forgets that node', async () => {
    routerB.close(); // as when B's worker dies
    await until('the room heard it', () => lost.includes('n:node-b'));
    expect(there.router.closed).toBe(true);
    expect(media.routerNodes).toEqual([]);
    // The peer there is placed again: here, as that node is left out for a while.
    media.release(there);
    const again = await media.place();
    expect(again.key).toBe('w:0');
    media.release(again);
  });

  it('loses the other node when it leaves the directory; that node closes the meeting when its home does', async () => {
    const other = new RoomMedia('room-3', { pool: poolA, policy: { spread: 'even', softLimit: 65 }, remote, logger });
    const gone: string[] = [];
    other.onHomeLost = (key) => gone.push(key);
    const [first, second] = [await other.place(), await other.place()];
    expect([first.key, second.key]).toEqual(['w:0', 'n:node-b']);
    expect(agentB.size).toBe(1);
    remote.nodeGone('node-b');
    expect(second.router.closed).toBe(true);
    expect(gone).toEqual(['n:node-b']);
    startedAt.delete('node-a');
    agentB.closeRoomsOf('node-a');
    expect(agentB.size).toBe(0);
    other.close();
  });

  it('places elsewhere when the other node refuses (it does not know this home): the join goes on', async () => {
    const fresh = new RoomMedia('room-2', { pool: poolA, policy: { spread: 'even', softLimit: 65 }, remote, logger });
    const first = await fresh.place();
    const second = await fresh.place();
    expect([first.key, second.key]).toEqual(['w:0', 'w:0']);
    fresh.close();
  });
});
