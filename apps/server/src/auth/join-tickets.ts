/**
 * Join tickets: short-lived, single-use, single-room permissions to open the
 * signaling WebSocket, issued once the room password (if any) was checked.
 * The ticket is random; what it grants stays on the server.
 */
import { randomBytes } from 'node:crypto';

export interface TicketGrant {
  roomId: string;
  role: 'host' | 'guest';
  /** The signed-in user it was issued to, if any. */
  userId: number | null;
  username: string | null;
  /** The session (sessionKeyOf its token) the ticket was issued under, if any: signing it out revokes the connection. */
  sessionKey: string | null;
  ip: string;
  /** A good rejoin pass was given: the holder was in the meeting and, on joining with it, passes its lock and lobby. */
  rejoinPass: string | null;
}

export const TICKET_TTL_MS = 60_000;
const MAX_OUTSTANDING = 10_000;

export class JoinTickets {
  private readonly tickets = new Map<string, TicketGrant & { expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(grant: TicketGrant): { ticket: string; expiresAt: Date } {
    this.sweep();
    if (this.tickets.size >= MAX_OUTSTANDING) this.tickets.delete(this.tickets.keys().next().value as string);
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + TICKET_TTL_MS;
    this.tickets.set(ticket, { ...grant, expiresAt });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The grant of a valid ticket, which is used up by this call; null otherwise. */
  redeem(ticket: string): TicketGrant | null {
    const t = this.tickets.get(ticket);
    if (!t) return null;
    this.tickets.delete(ticket);
    if (t.expiresAt <= this.now()) return null;
    const { expiresAt: _, ...grant } = t;
    return grant;
  }

  /** Drops the outstanding tickets of `userId` (only those of one session, when `sessionKey` is given). */
  revokeFor(userId: number, sessionKey?: string): void {
    for (const [k, t] of this.tickets) {
      if (t.userId === userId && (sessionKey === undefined || t.sessionKey === sessionKey)) this.tickets.delete(k);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(k);
  }
}
