import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { connectRedis, keys, type RedisClient } from './redis.js';
import { FencedError, parseOwner, RoomOwnership, type LostReason } from './room-ownership.js';

describe('RoomOwnership', () => {
  let server: RedisServer;
  let clients: RedisClient[] = [];
  let owners: RoomOwnership[] = [];
  const client = async () => {
    const c = await connectRedis({ url: server.url });
    clients.push(c);
    return c;
  };
  /** A node's ownership, with its own connection, and the leases it lost. */
  const node = async (nodeId: string, o: { leaseMs?: number; renewMs?: number; now?: () => number } = {}) => {
    const ownership = new RoomOwnership({
      redis: await client(),
      nodeId,
      leaseMs: o.leaseMs ?? 300,
      renewMs: o.renewMs ?? 100,
      ...(o.now ? { now: o.now } : {}),
    });
    const lost: Array<[string, LostReason]> = [];
    ownership.on('lost', (roomId, reason) => lost.push([roomId, reason]));
    owners.push(ownership);
    return { ownership, lost };
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
    await Promise.all(owners.map((o) => o.stop()));
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    owners = [];
    clients = [];
  });

  it('one claim wins; the others learn who owns the room', async () => {
    const nodes = await Promise.all(['node-a', 'node-b', 'node-c'].map((id) => node(id)));
    const results = await Promise.all(nodes.map((n) => n.ownership.claim('room-r')));
    const winners = results.filter((r) => r.claimed);
    expect(winners).toEqual([{ claimed: true, epoch: 1 }]);
    const winner = nodes[results.findIndex((r) => r.claimed)]!.ownership.nodeId;
    for (const r of results.filter((x) => !x.claimed)) expect(r).toEqual({ claimed: false, owner: { node: winner, epoch: 1 } });
    expect(await nodes[0]!.ownership.owner('room-r')).toEqual({ node: winner, epoch: 1 });
    // Claiming again what one holds returns the lease it has.
    expect(await nodes[results.findIndex((r) => r.claimed)]!.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 1 });
  });

  it('a node placing a ticket claims the room for the chosen node, which adopts the lease at its first join; unadopted, it lapses', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    // A places the meeting's first ticket on B; a second ticket placed meanwhile by B itself sees B as owner.
    expect(await a.ownership.claimFor('room-r', 'node-b')).toEqual({ node: 'node-b', epoch: 1 });
    expect(await b.ownership.claimFor('room-r', 'node-a')).toEqual({ node: 'node-b', epoch: 1 });
    // B's first join adopts it, at the same epoch, and renews it from then on; A cannot take it.
    expect(await b.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 1 });
    b.ownership.start();
    await new Promise((r) => setTimeout(r, 450));
    expect(await a.ownership.claim('room-r')).toEqual({ claimed: false, owner: { node: 'node-b', epoch: 1 } });
    // Claimed for a node that never comes: the lease lapses and the next claim gets a higher epoch.
    expect(await a.ownership.claimFor('room-s', 'node-c')).toEqual({ node: 'node-c', epoch: 1 });
    await new Promise((r) => setTimeout(r, 350));
    expect(await a.ownership.claim('room-s')).toEqual({ claimed: true, epoch: 2 });
    expect(b.lost).toEqual([]);
  });

  it('a stale owner’s renew fails and its fenced write is refused once another node claimed the room', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    expect(await a.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 1 });
    await a.ownership.fencedWrite('room-r', [{ cmd: 'HSET', key: 'state', args: ['by', 'a', 'n', 1] }]);
    // A stops renewing (paused, cut off); its lease runs out and B claims the room.
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 2 });
    await b.ownership.fencedWrite('room-r', [{ cmd: 'HSET', key: 'state', args: ['by', 'b'] }]);

    const stale = await a.ownership
      .fencedWrite('room-r', [{ cmd: 'HSET', key: 'state', args: ['by', 'a', 'n', 2] }])
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(FencedError);
    expect(stale).toMatchObject({ code: 'FENCED', roomId: 'room-r', epoch: 1 });
    expect(a.lost).toEqual([['room-r', 'fenced']]);
    expect(await clients[0]!.hGetAll(keys.room('room-r', 'state'))).toEqual({ by: 'b', n: '1' });
    expect(a.ownership.epochOf('room-r')).toBeNull();
    // Its renew (had it come first) fails too, and is reported as `stolen`.
    const c = await node('node-c');
    await new Promise((r) => setTimeout(r, 350)); // B does not renew either
    expect(await c.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 3 });
    expect(await b.ownership.renew('room-r')).toBe(false);
    expect(b.lost).toEqual([['room-r', 'stolen']]);
    expect(await c.ownership.owner('room-r')).toEqual({ node: 'node-c', epoch: 3 });
  });

  it('renews while running, so nobody else can claim; release lets the next node in with a higher epoch', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    a.ownership.start();
    await a.ownership.claim('room-r');
    await a.ownership.claim('room-s');
    await new Promise((r) => setTimeout(r, 700)); // more than two leases
    expect(await b.ownership.claim('room-r')).toEqual({ claimed: false, owner: { node: 'node-a', epoch: 1 } });
    expect(a.lost).toEqual([]);
    expect(await a.ownership.release('room-r')).toBe(true);
    expect(await b.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 2 });
    expect([...a.ownership.rooms()]).toEqual([['room-s', 1]]);
    await a.ownership.stop({ release: true });
    expect(await b.ownership.owner('room-s')).toBeNull();
    expect(await b.ownership.release('room-s')).toBe(false); // never B's
  });

  it('takes a lease that vanished with nobody else holding it again (Redis lost its data) rather than dropping the meeting', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    expect(await a.ownership.claim('room-r')).toEqual({ claimed: true, epoch: 1 });
    await (await client()).flushAll(); // a restart without persistence: every key gone, the epoch counter too
    expect(await a.ownership.renew('room-r')).toBe(true);
    expect(a.lost).toEqual([]);
    expect(await b.ownership.owner('room-r')).toEqual({ node: 'node-a', epoch: 1 });
    expect(await b.ownership.claim('room-r')).toEqual({ claimed: false, owner: { node: 'node-a', epoch: 1 } });
    // Its fenced writes go on under the new lease.
    await a.ownership.fencedWrite('room-r', [{ cmd: 'SET', key: 'state', args: ['x'] }]);
  });

  it('reports `expired` once Redis could not confirm a renew for a whole lease', async () => {
    let now = 1_000_000;
    const a = await node('node-a', { leaseMs: 6000, renewMs: 2000, now: () => now });
    await a.ownership.claim('room-r');
    now += 2000;
    await a.ownership.renewAll();
    expect(a.lost).toEqual([]);
    await clients[1]!.close(); // node-a's connection is gone: renews fail
    now += 3000;
    await a.ownership.renewAll();
    expect(a.lost).toEqual([]); // 3 s since the last confirmed renew: the lease still runs
    now += 3000;
    await a.ownership.renewAll();
    expect(a.lost).toEqual([['room-r', 'expired']]);
  });

  it('a fenced write checks commands and keys', async () => {
    const a = await node('node-a');
    await a.ownership.claim('room-r');
    await expect(a.ownership.fencedWrite('room-r', [{ cmd: 'FLUSHALL' as 'DEL', key: 'state' }])).rejects.toThrow(/not allowed/);
    await expect(a.ownership.fencedWrite('room-r', [{ cmd: 'DEL', key: 'owner' }])).rejects.toThrow(/not a writable room key/);
    await expect(a.ownership.fencedWrite('room-x', [{ cmd: 'DEL', key: 'state' }])).rejects.toBeInstanceOf(FencedError);
    await a.ownership.fencedWrite('room-r', [
      { cmd: 'HSET', key: 'members', args: ['p1', '{"name":"ada"}'] },
      { cmd: 'HINCRBY', key: 'nodes', args: ['node-a', 1] },
      { cmd: 'HSET', key: 'members', args: ['p2', '{"name":"grace"}'] },
    ]);
    expect(await clients[1]!.hLen(keys.room('room-r', 'members'))).toBe(2);
    expect(await clients[1]!.hGet(keys.room('room-r', 'nodes'), 'node-a')).toBe('1');
  });

  it('parses owner values', () => {
    expect(parseOwner('node-a|12')).toEqual({ node: 'node-a', epoch: 12 });
    expect(parseOwner(null)).toBeNull();
    expect(parseOwner('garbage')).toBeNull();
    expect(parseOwner('node-a|x')).toBeNull();
  });
});
