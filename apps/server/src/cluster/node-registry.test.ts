import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { PLACEMENT_WINDOW_MS } from './node-placement.js';
import { NodeIdInUseError, NodeRegistry, type NodeRegistryOptions } from './node-registry.js';
import { connectRedis, keys, type RedisClient } from './redis.js';

describe('NodeRegistry', () => {
  let server: RedisServer;
  let clients: RedisClient[] = [];
  let registries: NodeRegistry[] = [];
  const client = async () => {
    const c = await connectRedis({ url: server.url });
    clients.push(c);
    return c;
  };
  const HEARTBEAT = 50;
  const LEASE = 200;
  /** Timer lateness tolerated on a loaded machine. */
  const SLACK = 1500;
  /** A node with its own connection; `events` records what its death watch saw. */
  const node = async (nodeId: string, o: Partial<NodeRegistryOptions> = {}) => {
    const registry = new NodeRegistry({
      redis: await client(),
      nodeId,
      internalUrl: `http://127.0.0.1:${3000 + registries.length}`,
      version: '1.2.3',
      heartbeatMs: HEARTBEAT,
      leaseMs: LEASE,
      ...o,
    });
    const events: Array<{ at: number; what: string }> = [];
    registry.on('nodeDown', (id) => events.push({ at: Date.now(), what: `down:${id}` }));
    registry.on('nodeUp', (id) => events.push({ at: Date.now(), what: `up:${id}` }));
    registries.push(registry);
    return { registry, events };
  };
  const until = async (cond: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return cond();
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    await (await client()).flushAll();
  });
  afterEach(async () => {
    for (const r of registries) r.halt();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    registries = [];
    clients = [];
  });

  it('lists the live nodes with their hash and stats; drain is visible at once; stop removes the node', async () => {
    let peers = 3;
    const a = await node('node-a', { stats: () => ({ workers: 2, cpu: 0.25, peers }) });
    const b = await node('node-b');
    await a.registry.start();
    await b.registry.start();
    const nodes = await a.registry.liveNodes();
    expect(nodes.map((n) => n.id)).toEqual(['node-a', 'node-b']);
    expect(nodes[0]).toMatchObject({
      id: 'node-a',
      internalUrl: 'http://127.0.0.1:3000',
      version: '1.2.3',
      state: 'serving',
      stats: { workers: '2', cpu: '0.25', peers: '3' },
    });
    peers = 4;
    await new Promise((r) => setTimeout(r, HEARTBEAT * 2));
    expect((await b.registry.liveNodes())[0]!.stats['peers']).toBe('4');
    const pttl = await clients[0]!.pTTL(keys.nodeAlive('node-a'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(LEASE);

    await a.registry.drain();
    expect((await b.registry.liveNodes()).find((n) => n.id === 'node-a')?.state).toBe('draining');

    await a.registry.stop();
    expect((await b.registry.liveNodes()).map((n) => n.id)).toEqual(['node-b']);
    expect(await clients[0]!.exists([keys.node('node-a'), keys.nodeAlive('node-a')])).toBe(0);
    expect(await clients[0]!.sIsMember(keys.nodes, 'node-a')).toBe(0);
  });

  it('counts the meetings placed on a node, by any node, for the placement window only', async () => {
    let now = 1_000_000;
    const a = await node('node-a', { now: () => now });
    const b = await node('node-b', { now: () => now });
    await a.registry.start();
    await b.registry.start();
    const placed = async () => Object.fromEntries((await a.registry.liveNodes()).map((n) => [n.id, n.placed]));
    expect(await placed()).toEqual({ 'node-a': 0, 'node-b': 0 });
    // Two placements on b, one noted by each node, at the same millisecond (distinct entries).
    await a.registry.notePlacement('node-b');
    await b.registry.notePlacement('node-b');
    now += PLACEMENT_WINDOW_MS / 2;
    await b.registry.notePlacement('node-a');
    expect(await placed()).toEqual({ 'node-a': 1, 'node-b': 2 });
    now += PLACEMENT_WINDOW_MS / 2 + 1;
    expect(await placed()).toEqual({ 'node-a': 1, 'node-b': 0 });
    expect(await clients[0]!.pTTL(keys.nodePlaced('node-a'))).toBeGreaterThan(0);
    // A node that stops takes its count with it.
    await a.registry.stop();
    expect(await clients[0]!.exists([keys.nodePlaced('node-a')])).toBe(0);
  });

  it('sees a node that stops heartbeating (a crash) go down within its lease, once; and come back', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    await a.registry.start();
    await b.registry.start();
    expect(await until(() => a.events.some((e) => e.what === 'up:node-b'), 1000)).toBe(true);
    const crashedAt = Date.now();
    b.registry.halt(); // no cleanup: its keys stay until the lease runs out
    // Within the lease and a heartbeat or two; the bound below leaves room for a loaded machine's timers
    // (two shared cores running browsers), the lower one is what matters: never before the lease ran out.
    expect(await until(() => a.events.some((e) => e.what === 'down:node-b'), LEASE + 2 * HEARTBEAT + SLACK)).toBe(true);
    const detectedMs = a.events.find((e) => e.what === 'down:node-b')!.at - crashedAt;
    console.log(`[node-registry] crash seen after ${detectedMs} ms (lease ${LEASE} ms, heartbeat ${HEARTBEAT} ms)`);
    expect(detectedMs).toBeLessThanOrEqual(LEASE + 2 * HEARTBEAT + SLACK);
    expect(detectedMs).toBeGreaterThanOrEqual(LEASE - HEARTBEAT - 10);
    expect((await a.registry.liveNodes()).map((n) => n.id)).toEqual(['node-a']);
    await new Promise((r) => setTimeout(r, 3 * HEARTBEAT));
    expect(a.events.filter((e) => e.what === 'down:node-b')).toHaveLength(1);

    // The same id comes back (a restart): up again.
    const again = await node('node-b');
    await again.registry.start();
    expect(await until(() => a.events.filter((e) => e.what === 'up:node-b').length === 2, 1000)).toBe(true);
  });

  it('refuses a second live process with the same node id; a crashed one’s lease is waited out', async () => {
    const first = await node('node-a');
    await first.registry.start();
    const twin = await node('node-a');
    const started = Date.now();
    await expect(twin.registry.start()).rejects.toBeInstanceOf(NodeIdInUseError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE);

    first.registry.halt(); // it crashes: its lease runs out and a new process may take the id
    const successor = await node('node-a');
    await successor.registry.start();
    expect((await successor.registry.liveNodes()).map((n) => n.id)).toEqual(['node-a']);
  });

  it('refuses bad timings and ids', () => {
    const redis = {} as RedisClient;
    expect(() => new NodeRegistry({ redis, nodeId: 'node-a', internalUrl: 'x', version: '1', heartbeatMs: 200, leaseMs: 300 })).toThrow(
      /half/,
    );
    expect(() => new NodeRegistry({ redis, nodeId: 'Node_A', internalUrl: 'x', version: '1' })).toThrow(/node id/);
  });
});
