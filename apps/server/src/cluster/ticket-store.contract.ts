/**
 * What every TicketStore must do (auth/join-tickets.test.ts's rules, plus
 * peek and the node), run against MemoryTicketStore and RedisTicketStore by
 * ticket-store.test.ts. `make` gets the clock the store must use.
 */
import { describe, expect, it } from 'vitest';
import { TICKET_TTL_MS, type StoredTicketGrant, type TicketStore } from './ticket-store.js';

export const guestGrant: StoredTicketGrant = {
  roomId: 'abc-def',
  role: 'guest',
  userId: null,
  username: null,
  sessionKey: null,
  ip: '127.0.0.1',
  rejoinPass: null,
};

export function ticketStoreContract(name: string, make: (now: () => number) => Promise<TicketStore>): void {
  describe(`TicketStore contract: ${name}`, () => {
    it('redeems a ticket once, with its grant (and node)', async () => {
      const t = await make(Date.now);
      const grant = { ...guestGrant, node: 'node-b', rejoinPass: 'pass-1' };
      const issued = await t.issue(grant);
      expect(issued.ticket).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(issued.expiresAt.getTime()).toBeGreaterThan(Date.now() + TICKET_TTL_MS - 5000);
      expect(await t.redeem(issued.ticket)).toEqual(grant);
      expect(await t.redeem(issued.ticket)).toBeNull();
    });

    it('refuses expired and unknown tickets', async () => {
      let now = 1_000_000;
      const t = await make(() => now);
      const { ticket, expiresAt } = await t.issue(guestGrant);
      expect(expiresAt.getTime()).toBe(now + TICKET_TTL_MS);
      const second = (await t.issue(guestGrant)).ticket;
      now += TICKET_TTL_MS - 1;
      expect(await t.peek(second)).toEqual(guestGrant);
      now += 2;
      expect(await t.redeem(ticket)).toBeNull();
      expect(await t.peek(second)).toBeNull();
      expect(await t.redeem(second)).toBeNull();
      expect(await t.redeem('forged')).toBeNull();
      expect(await t.peek('forged')).toBeNull();
      expect(await t.redeem('')).toBeNull();
    });

    it('peek reads a ticket without using it up', async () => {
      const t = await make(Date.now);
      const grant = { ...guestGrant, node: 'node-a' };
      const { ticket } = await t.issue(grant);
      expect(await t.peek(ticket)).toEqual(grant);
      expect(await t.peek(ticket)).toEqual(grant);
      expect(await t.redeem(ticket)).toEqual(grant);
      expect(await t.peek(ticket)).toBeNull();
    });

    it("drops a user's outstanding tickets, or one session's", async () => {
      const t = await make(Date.now);
      const mine = { ...guestGrant, role: 'host' as const, userId: 5, username: 'hana' };
      const laptop = (await t.issue({ ...mine, sessionKey: 'laptop' })).ticket;
      const phone = (await t.issue({ ...mine, sessionKey: 'phone' })).ticket;
      const other = (await t.issue({ ...mine, userId: 6, sessionKey: 'laptop' })).ticket;
      const guest = (await t.issue(guestGrant)).ticket;
      await t.revokeFor(5, 'laptop');
      expect(await t.peek(laptop)).toBeNull();
      expect(await t.redeem(laptop)).toBeNull();
      expect(await t.peek(phone)).not.toBeNull();
      const phoneTicket = (await t.issue({ ...mine, sessionKey: 'phone' })).ticket;
      await t.revokeFor(5);
      expect(await t.redeem(phone)).toBeNull();
      expect(await t.redeem(phoneTicket)).toBeNull();
      expect(await t.redeem(other)).not.toBeNull();
      expect(await t.redeem(guest)).not.toBeNull();
      await t.revokeFor(99); // nobody's: nothing happens
    });
  });
}
