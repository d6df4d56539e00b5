import { describe, expect, it } from 'vitest';
import { JoinTickets, TICKET_TTL_MS } from './join-tickets.js';

const grant = { roomId: 'abc-def', role: 'guest' as const, userId: null, username: null, ip: '127.0.0.1' };

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
});
