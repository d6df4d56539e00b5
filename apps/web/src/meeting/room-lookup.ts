/**
 * What the join screen needs before anyone joins: the room as its public
 * page describes it (or why it cannot be had), and the meeting key the
 * link's fragment carries. Neither promise rejects: a failure is an answer.
 */
import type { PublicRoom } from '@conclave/protocol';
import { AccessError } from '../api/room-access.js';
import type { LinkKey } from '../e2ee/meeting-key.js';
import type { MeetingDeps } from './meeting-deps.js';

export function lookUpRoom(deps: Pick<MeetingDeps, 'roomId' | 'fetchRoom' | 'readLinkKey'>): {
  linkKey: Promise<LinkKey>;
  room: Promise<PublicRoom | AccessError>;
} {
  return {
    linkKey: deps.readLinkKey().catch((err: unknown): LinkKey => ({ kind: 'damaged', message: String(err) })),
    room: deps.fetchRoom(deps.roomId).catch((err: unknown) => (err instanceof AccessError ? err : new AccessError('unknown', String(err)))),
  };
}
