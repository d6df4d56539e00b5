import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, redisServerBin, type RedisServer } from '../test-support/redis-server.js';
import { checkRedisUrl, connectRedis, createRedisClient, keys, LEASE_CLAIM, LuaScript, reconnectDelay } from './redis.js';

describe('redis helpers', () => {
  it('accepts redis:// and rediss:// URLs only, without echoing a password', () => {
    expect(checkRedisUrl('redis://127.0.0.1:6379').port).toBe('6379');
    expect(checkRedisUrl('rediss://user:secret@redis.internal:6380/2').protocol).toBe('rediss:');
    expect(() => checkRedisUrl('http://user:secret@host')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => checkRedisUrl('not a url secret')).toThrow(/not a URL/);
    try {
      checkRedisUrl('http://user:secret@host');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
    }
    expect(() => createRedisClient({ url: 'postgres://x' })).toThrow(/redis/);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(reconnectDelay(0, 2000, () => 0.5)).toBe(50);
    expect(reconnectDelay(3, 2000, () => 0.5)).toBe(400);
    expect(reconnectDelay(30, 2000, () => 0.5)).toBe(2000);
    expect(reconnectDelay(30, 2000, () => 1)).toBe(2400);
    expect(reconnectDelay(0, 2000, () => 0)).toBe(40);
  });

  it('hash-tags room keys and refuses ids that would break them', () => {
    expect(keys.roomOwner('kmt-qzvh-rpwax')).toBe('cv:{kmt-qzvh-rpwax}:owner');
    expect(keys.room('kmt-qzvh-rpwax', 'members')).toBe('cv:{kmt-qzvh-rpwax}:members');
    expect(keys.roomPasses('r')).toBe('cv:{r}:passes');
    expect(() => keys.roomOwner('a}b')).toThrow(/room id/);
    expect(() => keys.roomOwner('')).toThrow(/room id/);
    expect(() => keys.room('r', 'owner')).toThrow(/writable/);
    expect(keys.inbox('node-a')).toBe('cv:inbox:node-a');
    expect(() => keys.inbox('node a')).toThrow(/node id/);
  });
});

describe('redis clients and scripts against redis-server', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer({ persistent: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reloads a script Redis has forgotten (SCRIPT FLUSH, a restart)', async () => {
    const c = await connectRedis({ url: server.url });
    const script = new LuaScript('echo', "return ARGV[1] .. '!'");
    expect(await script.run(c, [], ['a'])).toBe('a!');
    await c.scriptFlush();
    expect(await script.run(c, [], ['b'])).toBe('b!');
    await c.close();
  });

  it('fails fast while Redis is down, reconnects by itself, and the data survives a restart (appendonly)', async () => {
    const c = await connectRedis({ url: server.url, maxBackoffMs: 100 });
    expect(await LEASE_CLAIM.run(c, [keys.roomOwner('r'), keys.roomEpoch('r')], ['node-a', 60_000, 60_000])).toEqual([1, 'node-a|1']);
    const down = server.restart({ signal: 'SIGKILL', downMs: 400 });
    await new Promise((r) => setTimeout(r, 150));
    const started = Date.now();
    await expect(c.get('x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(100); // no offline queue: refused at once
    await down;
    const deadline = Date.now() + 3000;
    while (!c.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(c.isReady).toBe(true);
    expect(await c.get(keys.roomOwner('r'))).toBe('node-a|1');
    expect(await LEASE_CLAIM.run(c, [keys.roomOwner('s'), keys.roomEpoch('s')], ['node-b', 60_000, 60_000])).toEqual([1, 'node-b|1']);
    await c.close();
  });

  it('says clearly when redis-server is missing', () => {
    expect(() => redisServerBin('/nonexistent/redis-server')).toThrow(/redis-server not found.*REDIS_SERVER_BIN/);
  });
});
