/**
 * Inter-node bus benchmark (prints figures; not a test): hop, request and
 * 10,000-message burst times of LocalBus and RedisStreamBus on a
 * redis-server it starts on loopback. The code lives in
 * apps/server/src/test-support/bus-bench.ts, where the server's
 * dependencies (zod, pino, redis) resolve.
 *
 * Run: pnpm exec tsx bench/bus-bench.ts [rounds]   (default 2000)
 */
import { runBusBench } from '../apps/server/src/test-support/bus-bench.js';

await runBusBench(Number(process.argv[2] ?? 2000));
