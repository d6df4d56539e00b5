/**
 * Inter-node bus benchmark (prints figures; not a test): the body of
 * bench/bus-bench.ts, kept here where the server's dependencies resolve.
 *
 * Starts its own redis-server on loopback (Debian's; nothing saved, and a
 * second one with appendonly + fsync always, the setting under which a
 * Redis restart loses no message), puts two RedisStreamBus nodes on it,
 * each with its own connection as separate processes would have, and
 * measures:
 *  - one hop: send on A until B's handler runs, one message at a time;
 *  - one request: A's request until B's reply resolves it;
 *  - a burst: 10,000 messages from A to B, until the last is handled;
 * p50/p99 over 2000 of each, after 200 warm-up rounds. The same for
 * LocalBus (the single-node bus), for comparison.
 *
 * Run: pnpm exec tsx bench/bus-bench.ts [rounds]
 */
import { pino } from 'pino';
import { z } from 'zod';
import { LocalBus, LocalBusNetwork, RedisStreamBus, type Bus } from '../cluster/bus.js';
import { BusRegistry, defineKind } from '../cluster/bus-protocol.js';
import { connectRedis, type RedisClient } from '../cluster/redis.js';
import { startRedisServer } from './redis-server.js';

const hop = defineKind('bench.hop', z.object({ n: z.number().int() }));
const echo = defineKind('bench.echo', z.object({ n: z.number().int() }), z.object({ n: z.number().int() }));
const registry = () => new BusRegistry().register(hop, echo);
const logger = pino({ level: 'warn' });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(3)} ms`;

async function measure(name: string, a: Bus, b: Bus, rounds: number): Promise<void> {
  let arrived: (() => void) | null = null;
  let burst = 0;
  let burstDone: (() => void) | null = null;
  b.onMessage(hop, (m) => {
    if (m.n >= 0) arrived?.();
    else if (++burst === 10_000) burstDone?.();
  });
  b.onMessage(echo, (m) => ({ n: m.n }));
  const hops: number[] = [];
  const rpcs: number[] = [];
  for (let i = -200; i < rounds; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      arrived = resolve;
      void a.send('node-b', hop, { n: i + 200 });
    });
    if (i >= 0) hops.push(performance.now() - t0);
  }
  for (let i = -200; i < rounds; i++) {
    const t0 = performance.now();
    await a.request('node-b', echo, { n: i });
    if (i >= 0) rpcs.push(performance.now() - t0);
  }
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    burstDone = resolve;
    for (let n = 1; n <= 10_000; n++) void a.send('node-b', hop, { n: -n });
  });
  const burstMs = performance.now() - t0;
  console.log(
    `${name.padEnd(34)} hop p50 ${ms(pct(hops, 50))}, p99 ${ms(pct(hops, 99))} | request p50 ${ms(pct(rpcs, 50))}, p99 ${ms(pct(rpcs, 99))} | 10,000 in ${burstMs.toFixed(0)} ms`,
  );
}

async function onRedis(name: string, persistent: boolean, rounds: number): Promise<void> {
  const server = await startRedisServer({ persistent });
  const clients: RedisClient[] = [];
  try {
    const start = async (nodeId: string) => {
      const redis = await connectRedis({ url: server.url, logger });
      clients.push(redis);
      return RedisStreamBus.start({ nodeId, registry: registry(), redis, logger });
    };
    const a = await start('node-a');
    const b = await start('node-b');
    await measure(name, a, b, rounds);
    await Promise.all([a.close(), b.close()]);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
}

export async function runBusBench(rounds = 2000): Promise<void> {
  console.log(`bus benchmark: ${rounds} rounds each, loopback, node ${process.version}`);
  const network = new LocalBusNetwork();
  const a = new LocalBus({ nodeId: 'node-a', registry: registry(), network, logger });
  const b = new LocalBus({ nodeId: 'node-b', registry: registry(), network, logger });
  await measure('LocalBus', a, b, rounds);
  await Promise.all([a.close(), b.close()]);
  await onRedis('RedisStreamBus (no persistence)', false, rounds);
  await onRedis('RedisStreamBus (appendfsync always)', true, rounds);
}
