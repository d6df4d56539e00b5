/**
 * Guests waiting to be let into rooms that have a lobby. A waiting guest has
 * a connection but no place in the room; hosts in the room see the list and
 * admit or deny. The lobby lives apart from live Rooms because a guest may
 * arrive before any host has.
 *
 * At most MAX_LOBBY_WAITING guests wait per room (one more is refused with
 * `lobby_full`). Hosts are told each change as it happens (`lobbyEntered`,
 * `lobbyLeft`: a few dozen bytes each); the whole list (`lobbyWaiting`) only
 * when a host joins. So N guests arriving cost each host O(N) bytes, not
 * O(N²) as when every change re-sent the list.
 */
import { randomUUID } from 'node:crypto';
import { MAX_LOBBY_WAITING, notification, type ServerMessage } from '@conclave/protocol';

export interface Waiting {
  requestId: string;
  displayName: string;
  send: (message: ServerMessage) => void;
  admit: () => void;
  /** Called when the guest's wait ends without admission (denied, or the connection went). */
  close: () => void;
}

export class Lobby {
  private readonly rooms = new Map<string, Map<string, Waiting>>();
  /** Set by the registry wiring: tells the hosts in a live room of each change (lobbyEntered, lobbyLeft). */
  onChange: (roomId: string, message: ServerMessage) => void = () => undefined;

  constructor(readonly maxWaiting = MAX_LOBBY_WAITING) {}

  /** Puts a guest in the room's lobby; null when the lobby is full. */
  enter(roomId: string, entry: Omit<Waiting, 'requestId'>): Waiting | null {
    let room = this.rooms.get(roomId);
    if ((room?.size ?? 0) >= this.maxWaiting) return null;
    const waiting: Waiting = { requestId: randomUUID(), ...entry };
    if (!room) this.rooms.set(roomId, (room = new Map<string, Waiting>()));
    room.set(waiting.requestId, waiting);
    this.onChange(roomId, notification('lobbyEntered', { requestId: waiting.requestId, displayName: waiting.displayName }));
    return waiting;
  }

  /** Removes a waiting guest (its connection closed, or a decision was made). */
  leave(roomId: string, requestId: string): Waiting | undefined {
    const room = this.rooms.get(roomId);
    const w = room?.get(requestId);
    if (!room || !w) return undefined;
    room.delete(requestId);
    if (room.size === 0) this.rooms.delete(roomId);
    this.onChange(roomId, notification('lobbyLeft', { requestId }));
    return w;
  }

  decide(roomId: string, requestId: string, admitted: boolean, by: string): Waiting | undefined {
    const w = this.leave(roomId, requestId);
    if (!w) return undefined;
    if (admitted) w.admit();
    w.send(notification('lobbyDecision', { admitted, by }));
    if (!admitted) w.close();
    return w;
  }

  /** Denies everyone waiting for a room (the meeting ended). */
  clear(roomId: string, by: string): void {
    for (const w of [...(this.rooms.get(roomId)?.values() ?? [])]) this.decide(roomId, w.requestId, false, by);
  }

  count(roomId: string): number {
    return this.rooms.get(roomId)?.size ?? 0;
  }

  /** Everyone waiting for the room now, for a host who has just joined. */
  message(roomId: string): ServerMessage {
    const waiting = [...(this.rooms.get(roomId)?.values() ?? [])].map((w) => ({ requestId: w.requestId, displayName: w.displayName }));
    return notification('lobbyWaiting', { waiting });
  }
}
