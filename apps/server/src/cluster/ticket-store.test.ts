import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { connectRedis, keys, sha256Hex, type RedisClient } from './redis.js';
import { RedisTicketStore } from './redis-ticket-store.js';
import { guestGrant, ticketStoreContract } from './ticket-store.contract.js';
import { MemoryTicketStore, TICKET_TTL_MS } from './ticket-store.js';

ticketStoreContract('memory', (now) => Promise.resolve(new MemoryTicketStore(now)));

describe('RedisTicketStore', () => {
  let server: RedisServer;
  let a: RedisClient;
  let b: RedisClient;

  beforeAll(async () => {
    server = await startRedisServer();
    [a, b] = await Promise.all([connectRedis({ url: server.url }), connectRedis({ url: server.url })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });
  beforeEach(async () => {
    await a.flushAll();
  });

  ticketStoreContract('redis', (now) => Promise.resolve(new RedisTicketStore(a, now)));

  it('a ticket issued through one node is redeemed once through another', async () => {
    const rest = new RedisTicketStore(a);
    const ws = new RedisTicketStore(b);
    const { ticket } = await rest.issue({ ...guestGrant, node: 'node-b' });
    expect((await ws.peek(ticket))?.node).toBe('node-b');
    const both = await Promise.all([ws.redeem(ticket), rest.redeem(ticket)]);
    expect(both.filter((g) => g !== null)).toHaveLength(1);
  });

  it('stores only the ticket’s hash, for 60 s', async () => {
    const store = new RedisTicketStore(a);
    const { ticket } = await store.issue({ ...guestGrant, userId: 3, username: 'ada', sessionKey: 's1' });
    const key = keys.ticket(sha256Hex(ticket));
    expect(await a.exists(key)).toBe(1);
    const ttl = await a.pTTL(key);
    expect(ttl).toBeGreaterThan(TICKET_TTL_MS - 2000);
    expect(ttl).toBeLessThanOrEqual(TICKET_TTL_MS);
    const everything = (await a.keys('*')).join(' ') + JSON.stringify(await a.hGetAll(keys.userTickets(3)));
    expect(everything).not.toContain(ticket);
    expect(await a.pTTL(keys.userTickets(3))).toBeGreaterThan(0);
  });
});
