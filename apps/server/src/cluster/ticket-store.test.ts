import { describe, expect, it } from 'vitest';
import { useRedisPair } from '../test-support/redis-pair.js';
import { keys, sha256Hex } from './redis.js';
import { RedisTicketStore } from './redis-ticket-store.js';
import { guestGrant, ticketStoreContract } from './ticket-store.contract.js';
import { MemoryTicketStore, TICKET_TTL_MS } from './ticket-store.js';

ticketStoreContract('memory', (now) => Promise.resolve(new MemoryTicketStore(now)));

describe('RedisTicketStore', () => {
  const redis = useRedisPair();

  ticketStoreContract('redis', (now) => Promise.resolve(new RedisTicketStore(redis.a, now)));

  it('a ticket issued through one node is redeemed once through another', async () => {
    const rest = new RedisTicketStore(redis.a);
    const ws = new RedisTicketStore(redis.b);
    const { ticket } = await rest.issue({ ...guestGrant, node: 'node-b' });
    expect((await ws.peek(ticket))?.node).toBe('node-b');
    const both = await Promise.all([ws.redeem(ticket), rest.redeem(ticket)]);
    expect(both.filter((g) => g !== null)).toHaveLength(1);
  });

  it('stores only the ticket’s hash, for 60 s', async () => {
    const store = new RedisTicketStore(redis.a);
    const { ticket } = await store.issue({ ...guestGrant, userId: 3, username: 'ada', sessionKey: 's1' });
    const key = keys.ticket(sha256Hex(ticket));
    expect(await redis.a.exists(key)).toBe(1);
    const ttl = await redis.a.pTTL(key);
    expect(ttl).toBeGreaterThan(TICKET_TTL_MS - 2000);
    expect(ttl).toBeLessThanOrEqual(TICKET_TTL_MS);
    const everything = (await redis.a.keys('*')).join(' ') + JSON.stringify(await redis.a.hGetAll(keys.userTickets(3)));
    expect(everything).not.toContain(ticket);
    expect(await redis.a.pTTL(keys.userTickets(3))).toBeGreaterThan(0);
  });
});
