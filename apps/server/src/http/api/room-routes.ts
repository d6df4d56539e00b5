/**
 * Rooms: hosts and admins create and manage them (hosts their own, admins
 * all); anyone with the link may read a room's public face and ask for a
 * join ticket, giving the room password if it has one.
 */
import { BusError } from '../../cluster/bus.js';
import { RemoteRoomError } from '../../cluster/remote-rooms.js';
import { CreateRoomBody, KickBody, TicketBody, UpdateRoomBody } from '@conclave/protocol';
import { sessionKeyOf } from '../../auth/accounts.js';
import { ModerationError, type Actor } from '../../rooms/moderation.js';
import { TicketRefused } from '../../rooms/room-directory.js';
import type { StoredRoom } from '../../store/room-store.js';
import type { StoredUser } from '../../store/user-store.js';
import { ApiError, notFound } from './api-error.js';
import type { ApiDeps, RouteTable } from './api-router.js';
import type { ApiRequest } from './api-request.js';

const TICKET_STATUS = {
  not_found: 404,
  wrong_room_password: 401,
  room_locked: 423,
  room_full: 409,
  too_many_attempts: 429,
  unavailable: 503,
} as const;

function actorOf(user: StoredUser, r: ApiRequest): Actor {
  // The same actor name as every other admin-page action; the audit log's IP says where from.
  return { name: user.username, audit: user.username, ip: r.ip };
}

export function roomRoutes({ directory, moderation, store }: ApiDeps): RouteTable {
  /** The room, if the signed-in user may manage it (404 otherwise: do not confirm it exists). */
  const managed = async (r: ApiRequest): Promise<{ user: StoredUser; room: StoredRoom }> => {
    const user = await r.requireUser('admin', 'host');
    const room = await directory.get(r.param('id'));
    if (!room || !directory.canManage(user, room)) throw notFound('no such room');
    return { user, room };
  };
  const moderate = async (op: () => unknown) => {
    try {
      await op();
    } catch (err) {
      if (err instanceof ModerationError) throw new ApiError(404, 'not_found', err.message);
      // The meeting's home node (cluster mode) refused: the same answer as this node would give.
      if (err instanceof RemoteRoomError && err.code === 'not_found') throw new ApiError(404, 'not_found', err.message);
      if (err instanceof BusError)
        throw new ApiError(503, 'unavailable', 'the server this meeting is on did not answer; try again', { 'Retry-After': '2' });
      throw err;
    }
  };

  return {
    'GET /api/rooms': async (r) => {
      const user = await r.requireUser('admin', 'host');
      const rooms = await store.rooms.list(user.role === 'admin' ? undefined : user.id);
      r.send(200, { rooms: await Promise.all(rooms.map((room) => directory.summary(room))) });
    },

    'POST /api/rooms': async (r) => {
      const user = await r.requireUser('admin', 'host');
      const body = await r.body(CreateRoomBody);
      const room = await directory.create(body, user);
      await store.audit.record({
        actor: user.username,
        action: 'room.create',
        target: room.id,
        detail: `"${room.name}"${room.passwordHash ? ', with password' : ''}${room.lobby ? ', lobby' : ''}`,
        ip: r.ip,
      });
      r.send(201, { id: room.id });
    },

    'GET /api/rooms/:id': async (r) => {
      const { room } = await managed(r);
      r.send(200, await directory.summary(room));
    },

    'PATCH /api/rooms/:id': async (r) => {
      const { user, room } = await managed(r);
      const patch = await r.body(UpdateRoomBody);
      const { locked, ...settings } = patch;
      const updated = (await directory.update(room.id, settings))!;
      const changes = Object.keys(settings).map((k) =>
        k === 'password' ? (settings.password === null ? 'password removed' : 'password set') : k,
      );
      if (changes.length)
        await store.audit.record({ actor: user.username, action: 'room.update', target: room.id, detail: changes.join(', '), ip: r.ip });
      if (locked !== undefined && locked !== updated.locked) await moderation.lock(room.id, locked, actorOf(user, r));
      r.send(200, await directory.summary((await directory.get(room.id))!));
    },

    'DELETE /api/rooms/:id': async (r) => {
      const { user, room } = await managed(r);
      await directory.delete(room.id, user.username);
      await store.audit.record({ actor: user.username, action: 'room.delete', target: room.id, detail: `"${room.name}"`, ip: r.ip });
      r.send(204);
    },

    'POST /api/rooms/:id/end': async (r) => {
      const { user, room } = await managed(r);
      await moderate(() => moderation.end(room.id, actorOf(user, r)));
      r.send(204);
    },

    'POST /api/rooms/:id/kick': async (r) => {
      const { user, room } = await managed(r);
      const { peerId } = await r.body(KickBody);
      await moderate(() => moderation.remove(room.id, peerId, actorOf(user, r)));
      r.send(204);
    },

    'GET /api/rooms/:id/public': async (r) => {
      const info = await directory.publicInfo(r.param('id'));
      if (!info) throw notFound('there is no meeting at this address');
      r.send(200, info);
    },

    'POST /api/rooms/:id/ticket': async (r) => {
      const { password, rejoinPass } = await r.body(TicketBody);
      try {
        const session = r.sessionToken;
        r.send(
          200,
          await directory.issueTicket(
            r.param('id'),
            password,
            await r.user(),
            r.ip,
            rejoinPass,
            session ? sessionKeyOf(session) : undefined,
          ),
        );
      } catch (err) {
        if (!(err instanceof TicketRefused)) throw err;
        const headers: Record<string, string> = err.retryAfterMs ? { 'Retry-After': String(Math.ceil(err.retryAfterMs / 1000)) } : {};
        throw new ApiError(TICKET_STATUS[err.code], err.code, err.message, headers);
      }
    },
  };
}
