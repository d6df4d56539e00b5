import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { LocalBus, LocalBusNetwork, RedisStreamBus } from './bus.js';
import { busContract, echoKind, seqKind, testRegistry, waitUntil } from './bus.contract.js';
import { PROTOCOL_VERSION } from './bus-protocol.js';
import { connectRedis, keys, type RedisClient } from './redis.js';

const logger = pino({ level: 'silent' });

busContract('LocalBus', (ids, registries) => {
  const network = new LocalBusNetwork();
  return Promise.resolve(ids.map((nodeId, i) => new LocalBus({ nodeId, registry: registries[i]!, network, logger })));
});

describe('LocalBus', () => {
  it('refuses a second node with the same id on one network', () => {
    const network = new LocalBusNetwork();
    new LocalBus({ nodeId: 'node-a', registry: testRegistry(), network });
    expect(() => new LocalBus({ nodeId: 'node-a', registry: testRegistry(), network })).toThrow(/already/);
  });
});

describe('RedisStreamBus', () => {
  /** The usual test server (nothing saved), and one that keeps its data across a restart (fsync on every write: slower). */
  let redis: RedisServer;
  let persistent: RedisServer;
  let clients: RedisClient[] = [];
  /** One command client per node, as separate processes would have. */
  const client = async (server = redis) => {
    const c = await connectRedis({ url: server.url, logger });
    clients.push(c);
    return c;
  };
  const makeNodes = async (ids: string[], registries = ids.map(() => testRegistry()), server = redis): Promise<RedisStreamBus[]> =>
    Promise.all(
      ids.map(async (nodeId, i) =>
        RedisStreamBus.start({ nodeId, registry: registries[i]!, redis: await client(server), logger, blockMs: 500 }),
      ),
    );

  beforeAll(async () => {
    [redis, persistent] = await Promise.all([startRedisServer(), startRedisServer({ persistent: true })]);
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), persistent?.stop()]);
  });
  beforeEach(async () => {
    await (await client()).flushAll();
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    clients = [];
  });

  busContract('RedisStreamBus', (ids, registries) => makeNodes(ids, registries));

  it('drops malformed entries and other versions, and keeps reading', async () => {
    const [a, b] = await makeNodes(['node-a', 'node-b']);
    const got: number[] = [];
    b!.onMessage(seqKind, (m) => got.push(m.n));
    const raw = await client();
    const inbox = keys.inbox('node-b');
    const valid = (n: number) => ({
      v: PROTOCOL_VERSION,
      from: 'node-x',
      inc: 'i',
      seq: n,
      id: `i.${n}`,
      kind: seqKind.kind,
      body: { sender: 'x', n },
    });
    await a!.send('node-b', seqKind, { sender: 'a', n: 1 });
    await raw.xAdd(inbox, '*', { m: 'not json {' });
    await raw.xAdd(inbox, '*', { m: JSON.stringify({ ...valid(1), v: PROTOCOL_VERSION + 1 }) });
    await raw.xAdd(inbox, '*', { m: JSON.stringify({ ...valid(1), from: 'NOT A NODE' }) });
    await raw.xAdd(inbox, '*', { other: 'field' });
    await raw.xAdd(inbox, '*', { m: JSON.stringify({ ...valid(2), body: { sender: 'x', n: 'two' } }) });
    await raw.xAdd(inbox, '*', { m: 'null' });
    await raw.xAdd(inbox, '*', { m: JSON.stringify(valid(3)) });
    await a!.send('node-b', seqKind, { sender: 'a', n: 2 });
    await waitUntil(() => got.length === 3, 3000, 'the valid messages');
    expect(got).toEqual([1, 3, 2]);
    expect(b!.stats.dropped).toBe(6);
    expect(b!.stats.received).toBe(4); // a's two, x's 2 (bad body) and 3
  });

  it('a new reader starts after what its inbox held before it (a previous process’s messages)', async () => {
    const [a] = await makeNodes(['node-a']);
    await a!.send('node-b', seqKind, { sender: 'a', n: 1 });
    const [b] = await makeNodes(['node-b']);
    const got: number[] = [];
    b!.onMessage(seqKind, (m) => got.push(m.n));
    await a!.send('node-b', seqKind, { sender: 'a', n: 2 });
    await waitUntil(() => got.length === 1, 2000, 'the new message');
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([2]);
  });

  it('loses and duplicates nothing while redis-server is killed and restarted mid-stream', async () => {
    const [a, b] = await makeNodes(['node-a', 'node-b'], undefined, persistent);
    const got: number[] = [];
    b!.onMessage(seqKind, (m) => got.push(m.n));
    b!.onMessage(echoKind, (m, meta) => ({ echoed: m.text, by: meta.from }));
    const total = 3000;
    const sends: Array<Promise<void>> = [];
    let restarted: Promise<void> | null = null;
    for (let n = 1; n <= total; n++) {
      sends.push(a!.send('node-b', seqKind, { sender: 'a', n }));
      if (n % 100 === 0) await new Promise((r) => setTimeout(r, 2)); // a steady stream, not one burst
      if (n === total / 2) restarted = persistent.restart({ signal: 'SIGKILL', downMs: 300 });
    }
    await restarted;
    await Promise.all(sends);
    await waitUntil(() => got.length >= total, 10_000, `${total} messages after the restart`);
    await new Promise((r) => setTimeout(r, 100)); // anything extra would arrive now
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(b!.stats.gaps).toBe(0);
    console.log(
      `[bus RedisStreamBus] restart mid-stream: ${total} delivered once, in order; sends retried ${a!.stats.retries}, duplicates dropped ${b!.stats.duplicates}`,
    );
    expect(a!.stats.retries).toBeGreaterThan(0); // the restart did hit the stream
    await expect(a!.request('node-b', echoKind, { text: 'after' })).resolves.toEqual({ echoed: 'after', by: 'node-a' });
  });

  it('measures one hop and one request on loopback', async () => {
    const [a, b] = await makeNodes(['node-a', 'node-b']);
    let arrived: (() => void) | null = null;
    b!.onMessage(seqKind, () => arrived?.());
    b!.onMessage(echoKind, (m, meta) => ({ echoed: m.text, by: meta.from }));
    const pct = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
    const hops: number[] = [];
    for (let n = 0; n < 1000; n++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        arrived = resolve;
        void a!.send('node-b', seqKind, { sender: 'a', n });
      });
      hops.push(performance.now() - t0);
    }
    const rpcs: number[] = [];
    for (let n = 0; n < 1000; n++) {
      const t0 = performance.now();
      await a!.request('node-b', echoKind, { text: 'x' });
      rpcs.push(performance.now() - t0);
    }
    console.log(
      `[bus RedisStreamBus] hop p50 ${pct(hops, 50).toFixed(3)} ms, p99 ${pct(hops, 99).toFixed(3)} ms; ` +
        `request p50 ${pct(rpcs, 50).toFixed(3)} ms, p99 ${pct(rpcs, 99).toFixed(3)} ms (1000 each, loopback; bench/bus-bench.ts for more)`,
    );
    expect(pct(rpcs, 50)).toBeLessThan(50);
  });
});
