/**
 * Guests waiting to be let into rooms that have a lobby. A waiting guest has
 * a connection but no place in the room; hosts in the room see the list and
 * admit or deny. The lobby lives apart from live Rooms because a guest may
 * arrive before any host has.
 */
import { randomUUID } from 'node:crypto';
import { notification, type ServerMessage } from '@conclave/protocol';

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
  /** Set by the registry wiring: tells the hosts in a live room who is waiting. */
  onChange: (roomId: string, message: ServerMessage) => void = () => undefined;

  enter(roomId: string, entry: Omit<Waiting, 'requestId'>): Waiting {
    const waiting: Waiting = { requestId: randomUUID(), ...entry };
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Map()));
    room.set(waiting.requestId, waiting);
    this.changed(roomId);
    return waiting;
  }

  /** Removes a waiting guest (its connection closed, or a decision was made). */
  leave(roomId: string, requestId: string): Waiting | undefined {
    const room = this.rooms.get(roomId);
    const w = room?.get(requestId);
    if (!room || !w) return undefined;
    room.delete(requestId);
    if (room.size === 0) this.rooms.delete(roomId);
    this.changed(roomId);
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

  message(roomId: string): ServerMessage {
    const waiting = [...(this.rooms.get(roomId)?.values() ?? [])].map((w) => ({ requestId: w.requestId, displayName: w.displayName }));
    return notification('lobbyWaiting', { waiting });
  }

  private changed(roomId: string): void {
    this.onChange(roomId, this.message(roomId));
  }
}
