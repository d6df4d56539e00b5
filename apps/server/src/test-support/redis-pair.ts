import { afterAll, beforeAll, beforeEach } from 'vitest';
import { connectRedis, type RedisClient } from '../cluster/redis.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

/**
 * For a describe block: a redis-server started before its tests and stopped
 * after, two clients on it (as two nodes would have), and every key flushed
 * before each test. `a` and `b` are there once the tests run.
 */
export function useRedisPair(): { a: RedisClient; b: RedisClient } {
  const pair = {} as { a: RedisClient; b: RedisClient };
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    [pair.a, pair.b] = await Promise.all([connectRedis({ url: server.url }), connectRedis({ url: server.url })]);
  });
  afterAll(async () => {
    await Promise.all([pair.a?.close(), pair.b?.close()]);
    await server?.stop();
  });
  beforeEach(async () => {
    await pair.a.flushAll();
  });
  return pair;
}
