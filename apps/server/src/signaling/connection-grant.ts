/**
 * What a signaling connection was allowed in with: a single-room join
 * ticket, or a signed-in user's session cookie. Fixed at the upgrade.
 */
import type { TicketGrant } from '../auth/join-tickets.js';
import type { StoredUser } from '../store/user-store.js';

export type ConnectionGrant = ({ kind: 'ticket' } & TicketGrant) | { kind: 'session'; user: StoredUser; ip: string };

/** How the actor appears in the audit log. */
export function auditName(grant: ConnectionGrant, displayName: string): string {
  const account = grant.kind === 'session' ? grant.user.username : grant.username;
  return account ? `${displayName} (${account})` : `${displayName} (guest)`;
}
