/**
 * One meeting whose media is on two nodes, through the real server's
 * signaling: two nodes (CONCLAVE_WORKER_SPREAD=even, one worker each) on a
 * Redis and a PostgreSQL this test starts. The meeting's home orders
 * everything; the second person's media lands on the other node (her
 * transport's ICE candidate is that node's media port), microphones cross
 * between the nodes both ways through SRTP pipes on the pipe ports, closing
 * a producer reaches a consumer on the other node, and when that node stops
 * only the person whose media was there is told to rebuild it, which she
 * does on the home, in the same meeting, without a rekey.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '@conclave/protocol';
import type { Config } from '../config.js';
import { startPostgres, type PostgresServer } from '../test-support/postgres-server.js';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { freePort } from '../hostile/server-process.js';
import { poll } from '../test-support/poll.js';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { opusRtpParameters, TestClient } from '../test-support/ws-client.js';

const SECRET = 'spanning-test-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'correct-horse-battery';
const PIPE_BASE = 34000 + (process.pid % 80) * 40;

describe('a meeting whose media spans two nodes', () => {
  let redis: RedisServer;
  let pg: PostgresServer;
  let database: Config['database'];
  const nodes: Record<string, TestApp> = {};

  async function startNode(id: string, pipeBase: number): Promise<TestApp> {
    const port = await freePort();
    const app = await startTestApp({
      port,
      database,
      workerSpread: 'even',
      pipePorts: { min: pipeBase, max: pipeBase + 19 },
      cluster: { redisUrl: redis.url, nodeId: id, internalUrl: `http://127.0.0.1:${port}`, secret: SECRET },
      adminPassword: ADMIN_PASSWORD,
    });
    nodes[id] = app;
    return app;
  }

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedisServer(), startPostgres()]);
    database = { url: await pg.createDatabase(), pool: 4 };
    await startNode('node-a', PIPE_BASE);
    await startNode('node-b', PIPE_BASE + 20);
    // Each node sees the other in its directory (read every 2 s).
    for (const app of Object.values(nodes))
      await poll(async () => (await app.cluster!.refreshDirectory(), app.cluster!.mediaNodes().length === 1), 10_000, 'the other node');
  }, 60_000);
  afterAll(async () => {
    for (const app of Object.values(nodes)) await app.close().catch(() => undefined);
    await Promise.all([redis?.stop(), pg?.stop()]);
  });

  it('carries media between people whose media is on different nodes, and survives the other node stopping', async () => {
    const a = nodes['node-a']!;
    const b = nodes['node-b']!;
    const roomId = `span-${process.pid}`;
    // Everyone's socket at the meeting's home (one through the other node would end with it, below).
    const adaTicket = new URL(await a.ticketUrl(roomId)).search;
    const homeId = (await a.cluster!.ownership.owner(roomId))!.node;
    const home = nodes[homeId]!;
    const ada = await TestClient.connect(`${home.wsUrl}${adaTicket}`);
    const adaJoin = await ada.request('join', { roomId, displayName: 'Ada' });
    if (adaJoin.status !== 'joined') throw new Error('Ada did not join');
    const other = home === a ? b : a;
    const otherId = homeId === 'node-a' ? 'node-b' : 'node-a';
    // Her ticket from the other node.
    const graceTicket = new URL(await other.ticketUrl(roomId)).search;
    const grace = await TestClient.connect(`${home.wsUrl}${graceTicket}`, { Origin: home.url });
    const graceJoin = await grace.request('join', { roomId, displayName: 'Grace' });
    if (graceJoin.status !== 'joined') throw new Error('Grace did not join');

    // One meeting, on its home; Grace's media on the other node (its media port in her ICE candidates).
    const room = home.registry.get(roomId)!;
    expect(other.registry.get(roomId)).toBeUndefined();
    expect(room.peers.get(graceJoin.peerId)!.home!.key).toBe(`n:${otherId}`);
    expect(graceJoin.routerRtpCapabilities).toEqual(adaJoin.routerRtpCapabilities);
    const graceSend = await grace.request('createTransport', { direction: 'send' });
    expect(graceSend.iceCandidates.map((c) => c['port'])).toContain(other.pool.slots[0]!.port);
    const adaSend = await ada.request('createTransport', { direction: 'send' });
    expect(adaSend.iceCandidates.map((c) => c['port'])).toContain(home.pool.slots[0]!.port);

    // Microphones both ways, piped between the nodes.
    const { producerId: adaMic } = await ada.request('produce', {
      transportId: adaSend.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(1001),
    });
    const { producerId: graceMic } = await grace.request('produce', {
      transportId: graceSend.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(1002),
    });
    await ada.waitForNotification('producerAdded', (p) => p.producerId === graceMic);
    await grace.request('createTransport', { direction: 'recv' });
    await ada.request('createTransport', { direction: 'recv' });
    const graceHearsAda = await grace.request('consume', { producerId: adaMic, rtpCapabilities: graceJoin.routerRtpCapabilities });
    expect(graceHearsAda).toMatchObject({ peerId: adaJoin.peerId, kind: 'audio', source: 'mic' });
    await grace.request('resumeConsumer', { consumerId: graceHearsAda.consumerId });
    const adaHearsGrace = await ada.request('consume', { producerId: graceMic, rtpCapabilities: adaJoin.routerRtpCapabilities });
    expect(adaHearsGrace).toMatchObject({ peerId: graceJoin.peerId, kind: 'audio' });

    // The other node's health shows what it carries for the meeting homed elsewhere.
    const login = await fetch(`${other.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const health = (await (await fetch(`${other.url}/api/health`, { headers: { Cookie: cookie } })).json()) as HealthReport;
    const worker = health.now.workers[0]!;
    expect([worker.routers, worker.transports, worker.producers, worker.consumers]).toEqual([1, 2, 1, 1]);

    // Ada's microphone closes on the home: Grace's consumer on the other node hears of it.
    await ada.request('closeProducer', { producerId: adaMic });
    await grace.waitForNotification('consumerClosed', (d) => d.consumerId === graceHearsAda.consumerId);

    // The other node stops: Grace alone rebuilds her media, now on the home; nobody leaves, nobody rekeys.
    await other.close();
    expect(await grace.waitForNotification('mediaReset')).toEqual({ reason: 'worker-restarted' });
    await ada.waitForNotification('consumerClosed', (d) => d.consumerId === adaHearsGrace.consumerId);
    const again = await grace.request('createTransport', { direction: 'send' });
    expect(again.iceCandidates.map((c) => c['port'])).toContain(home.pool.slots[0]!.port);
    expect(room.peers.get(graceJoin.peerId)!.home!.key).toBe('w:0');
    expect(room.peers.size).toBe(2);
    expect(ada.notifications.some((n) => ['peerLeft', 'mediaReset', 'roomClosed'].includes(n.method))).toBe(false);
    ada.close();
    grace.close();
  });
});
