/**
 * In-call host controls: answer the lobby, mute, remove, lock, end. Refused
 * for guests. The work itself is Moderation's, shared with the admin page.
 */
import { ErrorCode } from '@conclave/protocol';
import { ModerationError, type Actor } from '../rooms/moderation.js';
import { auditName } from './connection-grant.js';
import { RequestError } from './request-error.js';
import type { Handler } from './handler.js';
import { joined, type Session } from './session.js';

function host(session: Session): { roomId: string; actor: Actor } {
  const { peer, room } = joined(session);
  if (peer.role !== 'host') throw new RequestError(ErrorCode.Forbidden, 'only a host can do that');
  return { roomId: room.id, actor: { name: peer.displayName, audit: auditName(session.grant, peer.displayName), ip: peer.ip || null } };
}

async function moderate(op: () => unknown): Promise<Record<string, never>> {
  try {
    await op();
    return {};
  } catch (err) {
    if (err instanceof ModerationError) throw new RequestError(ErrorCode.NotFound, err.message);
    throw err;
  }
}

export const hostHandlers: {
  lobbyAdmit: Handler<'lobbyAdmit'>;
  lobbyDeny: Handler<'lobbyDeny'>;
  mutePeer: Handler<'mutePeer'>;
  removePeer: Handler<'removePeer'>;
  lockRoom: Handler<'lockRoom'>;
  endMeeting: Handler<'endMeeting'>;
} = {
  async lobbyAdmit(session, { requestId }, { moderation }) {
    const { roomId, actor } = host(session);
    return moderate(() => moderation.decide(roomId, requestId, true, actor));
  },
  async lobbyDeny(session, { requestId }, { moderation }) {
    const { roomId, actor } = host(session);
    return moderate(() => moderation.decide(roomId, requestId, false, actor));
  },
  async mutePeer(session, { peerId }, { moderation }) {
    const { roomId, actor } = host(session);
    return moderate(() => moderation.mute(roomId, peerId, actor));
  },
  async removePeer(session, { peerId }, { moderation }) {
    const { roomId, actor } = host(session);
    if (peerId === session.peer?.id) throw new RequestError(ErrorCode.Forbidden, 'use Leave to leave');
    return moderate(() => moderation.remove(roomId, peerId, actor));
  },
  async lockRoom(session, { locked }, { moderation }) {
    const { roomId, actor } = host(session);
    return moderate(() => moderation.lock(roomId, locked, actor));
  },
  async endMeeting(session, _data, { moderation }) {
    const { roomId, actor } = host(session);
    return moderate(() => moderation.end(roomId, actor));
  },
};
