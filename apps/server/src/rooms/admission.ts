/**
 * Who may enter a meeting, and as what: the one rule behind both the join
 * ticket (rooms/room-directory.ts issueTicket) and the signaling `join`
 * (signaling/request-handlers.ts). It reads plain data and changes nothing
 * itself; the callers turn its refusals into their own errors.
 *
 * In the order they are checked:
 * 1. Not found: a room nobody configured exists only when anonymous rooms
 *    are allowed (CONCLAVE_ALLOW_ANONYMOUS_ROOMS).
 * 2. Role: hosts are the room's creator and every admin; an anonymous room
 *    has no hosts. A ticket carries the role it was issued with (and is good
 *    for its own room only); a signed-in connection without a ticket may
 *    join directly only as a host (or into an anonymous room, as a guest).
 * 3. Lock: a locked room lets in no new guest.
 *    (Then the caller checks the room password when one is asked for: only
 *    a guest asking for a ticket gives it; the ticket proves it at `join`.)
 * 4. Capacity: at most maxParticipants people (DEFAULT_MAX_PARTICIPANTS in
 *    an anonymous room).
 * 5. Lobby: in a room with a lobby, a guest waits until a host admits it.
 *
 * The returning seat: someone whose connection dropped comes back with a
 * good rejoin pass. It passes the lock and the lobby (not the password), and
 * its old self, if still in the room, does not count against the size limit
 * (the newcomer replaces it). A guest a host has already admitted from the
 * lobby passes the lock and the lobby too. Whose pass it was is settled by
 * the caller beforehand (the pass store is shared and asynchronous): the
 * ticket request only looks it up, the join uses it up (see
 * signaling/request-handlers.ts), so admission itself stays a plain
 * function of what it is given.
 */
import type { ParticipantRole, Role } from '@conclave/protocol';

export const DEFAULT_MAX_PARTICIPANTS = 50;

/** What admission reads of a configured room (a StoredRoom is one). */
export interface RoomRules {
  createdBy: number | null;
  passwordHash: string | null;
  locked: boolean;
  lobby: boolean;
  maxParticipants: number;
}

/** What admission reads of a signed-in account (a StoredUser is one). */
export interface Account {
  id: number;
  role: Role;
}

/** Who is in the running meeting (a Room's peers map is one). */
export interface Occupancy {
  readonly size: number;
  has(peerId: string): boolean;
}

/** Who asks to come in. */
export type Applicant =
  /** Asking for a join ticket, signed in or not. */
  | { kind: 'ticket-request'; user: Account | null }
  /** Joining with a ticket: its role was decided when it was issued, for its room. */
  | { kind: 'ticket'; roomId: string; role: ParticipantRole }
  /** A signed-in connection joining without a ticket. */
  | { kind: 'session'; user: Account };

export interface AdmissionRequest {
  roomId: string;
  /** The configured room; null when there is none. */
  room: RoomRules | null;
  allowAnonymousRooms: boolean;
  applicant: Applicant;
  /**
   * The peer the applicant comes back as, from its rejoin pass (null or
   * absent: none, or not good). It changes neither whether the room is
   * found nor the role: only the lock, the lobby and the size limit.
   */
  returning?: string | null;
  /** A host has already admitted this connection from the lobby. */
  admittedFromLobby?: boolean;
}

export type EntryRefusal = 'not_found' | 'wrong_room' | 'ticket_needed' | 'room_locked';

export interface Entry {
  ok: true;
  role: ParticipantRole;
  /** The peer this applicant comes back as (its rejoin pass was good); null otherwise. */
  returning: string | null;
  /** The hash the room password must match, when this applicant must give it (a guest of a room with one); else null. */
  passwordHash: string | null;
  /** This applicant must wait in the room's lobby for a host. */
  waitsInLobby: boolean;
  /**
   * Checked at the moment of taking the seat (after any password check):
   * the room's size limit when the meeting is full, null when there is room.
   * A returning participant's old self does not count.
   */
  full(present: Occupancy | undefined): number | null;
}

export type Admission = Entry | { ok: false; refusal: EntryRefusal };

/** Admins manage every room; hosts the rooms they created. */
export function isHost(user: Account, room: RoomRules): boolean {
  return user.role === 'admin' || room.createdBy === user.id;
}

function roleOf(applicant: Applicant, roomId: string, room: RoomRules | null): ParticipantRole | EntryRefusal {
  switch (applicant.kind) {
    case 'ticket-request':
      // Anonymous rooms (CONCLAVE_ALLOW_ANONYMOUS_ROOMS) have no hosts: nobody there may moderate anybody.
      return room && applicant.user && isHost(applicant.user, room) ? 'host' : 'guest';
    case 'ticket':
      return applicant.roomId === roomId ? applicant.role : 'wrong_room';
    case 'session':
      if (!room) return 'guest';
      return isHost(applicant.user, room) ? 'host' : 'ticket_needed';
  }
}

/** Decides whether `request`'s applicant may come in, and as what. */
export function admit(request: AdmissionRequest): Admission {
  const { room } = request;
  if (!room && !request.allowAnonymousRooms) return { ok: false, refusal: 'not_found' };
  const role = roleOf(request.applicant, request.roomId, room);
  if (role !== 'host' && role !== 'guest') return { ok: false, refusal: role };
  const returning = request.returning ?? null;
  // Let past the lock and the lobby: back with a good pass, or already admitted by a host.
  const letIn = returning !== null || request.admittedFromLobby === true;
  const guest = role === 'guest';
  if (room?.locked && guest && !letIn) return { ok: false, refusal: 'room_locked' };
  const max = room?.maxParticipants ?? DEFAULT_MAX_PARTICIPANTS;
  return {
    ok: true,
    role,
    returning,
    passwordHash: guest ? (room?.passwordHash ?? null) : null,
    waitsInLobby: (room?.lobby ?? false) && guest && !letIn,
    full(present) {
      const count = present ? present.size - (returning !== null && present.has(returning) ? 1 : 0) : 0;
      return count >= max ? max : null;
    },
  };
}
