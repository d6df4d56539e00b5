import { describe, expect, it } from 'vitest';
import { JoinTickets, TICKET_TTL_MS } from './join-tickets.js';

const grant = {
  roomId: 'abc-def',
  role: 'guest' as const,
  userId: null,
  username: null,
  sessionKey: null,
  ip: '127.0.0.1',
  rejoinPass: null,
};

describe('JoinTickets', () => {
  it('redeems a ticket once', () => {
    const t = new JoinTickets();
    const { ticket } = t.issue(grant);
    expect(t.redeem(ticket)).toEqual(grant);
    expect(t.redeem(ticket)).toBeNull();
  });

  it('refuses expired and unknown tickets', () => {
    let now = 0;
    const t = new JoinTickets(() => now);
    const { ticket } = t.issue(grant);
    now += TICKET_TTL_MS + 1;
    expect(t.redeem(ticket)).toBeNull();
    expect(t.redeem('forged')).toBeNull();
  });

  it("drops a user's outstanding tickets, or one session's", () => {
    const t = new JoinTickets();
    const mine = { ...grant, role: 'host' as const, userId: 5, username: 'hana' };
    const laptop = t.issue({ ...mine, sessionKey: 'laptop' }).ticket;
    const phone = t.issue({ ...mine, sessionKey: 'phone' }).ticket;
    const other = t.issue({ ...mine, userId: 6, sessionKey: 'laptop' }).ticket;
    const guest = t.issue(grant).ticket;
    t.revokeFor(5, 'laptop');
    expect(t.redeem(laptop)).toBeNull();
    const phoneTicket = t.issue({ ...mine, sessionKey: 'phone' }).ticket;
    t.revokeFor(5);
    expect(t.redeem(phone)).toBeNull();
    expect(t.redeem(phoneTicket)).toBeNull();
    expect(t.redeem(other)).not.toBeNull();
    expect(t.redeem(guest)).not.toBeNull();
  });
});
