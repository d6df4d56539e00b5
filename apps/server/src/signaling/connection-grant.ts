/**
 * What a signaling connection was allowed in with: a single-room join
 * ticket, or a signed-in user's session cookie. Fixed at the upgrade.
 */
import type { TicketGrant } from '../auth/join-tickets.js';
import type { StoredUser } from '../store/user-store.js';

/** `sessionKey`: sessionKeyOf the cookie's token, so signing that session out closes the connection. */
export type ConnectionGrant = ({ kind: 'ticket' } & TicketGrant) | { kind: 'session'; user: StoredUser; sessionKey: string; ip: string };

/** The account a connection acts for, if any. */
export function grantUserId(grant: ConnectionGrant): number | null {
  return grant.kind === 'session' ? grant.user.id : grant.userId;
}

/** How the actor appears in the audit log. */
export function auditName(grant: ConnectionGrant, displayName: string): string {
  const account = grant.kind === 'session' ? grant.user.username : grant.username;
  return account ? `${displayName} (${account})` : `${displayName} (guest)`;
}
