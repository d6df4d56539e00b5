/**
 * E2EE signaling: the server as its room's MLS Delivery Service. A peer
 * offers its KeyPackage once per join (groupJoin), its admission run goes
 * peer to peer (groupAdmit); members commit
 * (groupCommit), and the room's GroupDelivery relays, orders and routes the
 * bytes without reading them. Nothing here is stored or logged.
 */
import { GroupDeliveryError } from '../rooms/group-delivery.js';
import type { Handler } from './handler.js';
import { RequestError } from './request-error.js';
import { joined } from './session.js';

/** GroupDelivery's refusals are answered with their own codes (and stale_epoch with the epoch now). */
function delivered<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof GroupDeliveryError) throw new RequestError(err.code, err.message, err.epoch);
    throw err;
  }
}

export const groupHandlers: {
  groupJoin: Handler<'groupJoin'>;
  groupAdmit: Handler<'groupAdmit'>;
  groupCommit: Handler<'groupCommit'>;
} = {
  async groupJoin(session, offer) {
    const { peer, room } = joined(session);
    return delivered(() => room.group.join(peer.id, offer));
  },

  async groupAdmit(session, { to, message }) {
    const { peer, room } = joined(session);
    delivered(() => room.group.admit(peer.id, to, message));
    return {};
  },

  async groupCommit(session, commit) {
    const { peer, room } = joined(session);
    return delivered(() => room.group.commit(peer.id, commit));
  },
};
