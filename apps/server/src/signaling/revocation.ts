/**
 * When an account loses powers (deleted, demoted, password reset, signed
 * out), its open signaling connections must not keep them: this closes them
 * at once with CloseCode.AccountChanged (the peer leaves its room first, so
 * its media stops too), and drops the account's unused join tickets. The
 * client rejoins by itself with a fresh ticket, as whoever it now is: a
 * guest once signed out or deleted, a host only of the rooms it may still
 * manage once demoted.
 */
import { CloseCode } from '@conclave/protocol';
import type { Revocation } from '../auth/accounts.js';
import type { TicketStore } from '../cluster/ticket-store.js';
import type { Logger } from '../logger.js';
import type { RoomDirectory } from '../rooms/room-directory.js';
import type { ClientConnection } from './client-connection.js';
import { grantUserId } from './connection-grant.js';

/** Whether `connection` holds powers `r` took away (`directory` is read only for a demotion). */
export async function isRevoked(connection: ClientConnection, r: Revocation, directory: RoomDirectory): Promise<boolean> {
  const { grant, peer, waiting } = connection.session;
  if (grantUserId(grant) !== r.userId) return false;
  switch (r.what) {
    case 'deleted':
    case 'password-reset':
      return true;
    case 'signed-out':
      return grant.sessionKey === r.sessionKey;
    case 'demoted': {
      if (peer) {
        if (peer.role !== 'host') return false;
        const stored = await directory.get(connection.session.room?.id ?? '');
        return !(stored && directory.canManage(r.user, stored));
      }
      // Not in a room yet: a lobby guest keeps its place; anything that could still join as host goes.
      if (waiting) return false;
      return grant.kind === 'session' || grant.role === 'host';
    }
  }
}

export async function closeRevoked(
  connections: Iterable<ClientConnection>,
  r: Revocation,
  deps: { tickets: TicketStore; directory: RoomDirectory; logger: Logger },
): Promise<number> {
  await deps.tickets.revokeFor(r.userId, r.what === 'signed-out' ? r.sessionKey : undefined);
  // Decided for all first (a demotion reads the rooms), then closed.
  const candidates = [...connections];
  const revoked = await Promise.all(candidates.map((c) => isRevoked(c, r, deps.directory)));
  let closed = 0;
  for (const [i, connection] of candidates.entries()) {
    if (!revoked[i]) continue;
    connection.closeNow(CloseCode.AccountChanged, `account ${r.what}`);
    closed += 1;
  }
  if (closed) deps.logger.info({ userId: r.userId, what: r.what, closed }, 'closed the connections of an account that lost its powers');
  return closed;
}
