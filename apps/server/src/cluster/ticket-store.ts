/**
 * Join tickets behind an async interface (design §3.3 "Tickets, passes,
 * throttles"), so a ticket issued by one node's REST API can be redeemed by
 * the node the WebSocket lands on. Same rules as auth/join-tickets.ts:
 * random, single use, 60 s; `revokeFor` drops a user's (or one session's)
 * outstanding tickets. New here: `peek` reads a ticket without using it up
 * (a node forwarding a WebSocket to the ticket's node needs its `node`),
 * and the grant may name the node the holder is placed on.
 *
 * MemoryTicketStore is the single-node store: today's JoinTickets, plus a
 * side table for `peek`. RedisTicketStore (redis-ticket-store.ts) is the
 * cluster's. ticket-store.contract.ts holds both to the same rules.
 */
import { JoinTickets, TICKET_TTL_MS, type TicketGrant } from '../auth/join-tickets.js';

export { TICKET_TTL_MS };

export interface StoredTicketGrant extends TicketGrant {
  /** The node the holder was placed on (cluster mode). */
  node?: string;
}

export interface TicketStore {
  issue(grant: StoredTicketGrant): Promise<{ ticket: string; expiresAt: Date }>;
  /** The grant of a valid ticket, which is used up by this call; null otherwise. */
  redeem(ticket: string): Promise<StoredTicketGrant | null>;
  /** The grant of a valid ticket, which stays valid; null otherwise. */
  peek(ticket: string): Promise<StoredTicketGrant | null>;
  /** Drops the outstanding tickets of `userId` (only those of one session, when `sessionKey` is given). */
  revokeFor(userId: number, sessionKey?: string): Promise<void>;
}

interface Shadow {
  grant: StoredTicketGrant;
  expiresAt: number;
}

/** Mirrors JoinTickets' bound: it evicts its oldest ticket past this many, and so does the side table. */
const MAX_OUTSTANDING = 10_000;

export class MemoryTicketStore implements TicketStore {
  private readonly tickets: JoinTickets;
  /** What `peek` reads; kept in step with `tickets` (same expiry, same eviction order). */
  private readonly shadow = new Map<string, Shadow>();

  constructor(private readonly now: () => number = Date.now) {
    this.tickets = new JoinTickets(now);
  }

  issue(grant: StoredTicketGrant): Promise<{ ticket: string; expiresAt: Date }> {
    const issued = this.tickets.issue(grant);
    const now = this.now();
    for (const [k, s] of this.shadow) if (s.expiresAt <= now) this.shadow.delete(k);
    if (this.shadow.size >= MAX_OUTSTANDING) this.shadow.delete(this.shadow.keys().next().value as string);
    this.shadow.set(issued.ticket, { grant: { ...grant }, expiresAt: issued.expiresAt.getTime() });
    return Promise.resolve(issued);
  }

  redeem(ticket: string): Promise<StoredTicketGrant | null> {
    this.shadow.delete(ticket);
    return Promise.resolve(this.tickets.redeem(ticket));
  }

  peek(ticket: string): Promise<StoredTicketGrant | null> {
    const s = this.shadow.get(ticket);
    if (!s || s.expiresAt <= this.now()) return Promise.resolve(null);
    return Promise.resolve({ ...s.grant });
  }

  revokeFor(userId: number, sessionKey?: string): Promise<void> {
    this.tickets.revokeFor(userId, sessionKey);
    for (const [k, s] of this.shadow) {
      if (s.grant.userId === userId && (sessionKey === undefined || s.grant.sessionKey === sessionKey)) this.shadow.delete(k);
    }
    return Promise.resolve();
  }
}
