/**
 * Join tickets in Redis: the grant, as JSON, under `cv:ticket:<sha256 of
 * the ticket>` (the ticket itself is never stored, like session tokens),
 * `SET … PX 60000 NX`; redeemed with GETDEL, so only one node can use it.
 * A signed-in user's tickets are also listed in `cv:utickets:<userId>`
 * (ticket hash → session key) for `revokeFor`, which drops them in one
 * script. The grant carries its expiry, checked against the caller's clock
 * like the in-memory store's; Redis's TTL removes it in any case.
 */
import { randomBytes } from 'node:crypto';
import { keys, sha256Hex, TICKET_ISSUE, TICKET_REVOKE_FOR, type RedisClient } from './redis.js';
import { TICKET_TTL_MS, type StoredTicketGrant, type TicketStore } from './ticket-store.js';

/** Longest ticket worth looking up: ours are 32 characters. */
const MAX_TICKET_LENGTH = 200;

interface Stored {
  grant: StoredTicketGrant;
  expiresAt: number;
}

export class RedisTicketStore implements TicketStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(grant: StoredTicketGrant): Promise<{ ticket: string; expiresAt: Date }> {
    for (;;) {
      const ticket = randomBytes(24).toString('base64url');
      const hash = sha256Hex(ticket);
      const expiresAt = this.now() + TICKET_TTL_MS;
      const stored: Stored = { grant, expiresAt };
      const ok = await TICKET_ISSUE.run(
        this.redis,
        [keys.ticket(hash), grant.userId === null ? '' : keys.userTickets(grant.userId)],
        [hash, JSON.stringify(stored), TICKET_TTL_MS, JSON.stringify(grant.sessionKey)],
      );
      // 192 random bits do not collide; the loop only makes NX's refusal impossible to miss.
      if (ok === 1) return { ticket, expiresAt: new Date(expiresAt) };
    }
  }

  async redeem(ticket: string): Promise<StoredTicketGrant | null> {
    if (!ticket || ticket.length > MAX_TICKET_LENGTH) return null;
    return this.valid(await this.redis.getDel(keys.ticket(sha256Hex(ticket))));
  }

  async peek(ticket: string): Promise<StoredTicketGrant | null> {
    if (!ticket || ticket.length > MAX_TICKET_LENGTH) return null;
    return this.valid(await this.redis.get(keys.ticket(sha256Hex(ticket))));
  }

  async revokeFor(userId: number, sessionKey?: string): Promise<void> {
    await TICKET_REVOKE_FOR.run(
      this.redis,
      [keys.userTickets(userId)],
      [keys.ticket(''), sessionKey === undefined ? '' : JSON.stringify(sessionKey)],
    );
  }

  private valid(json: string | null): StoredTicketGrant | null {
    if (json === null) return null;
    const stored = JSON.parse(json) as Stored;
    return stored.expiresAt > this.now() ? stored.grant : null;
  }
}
