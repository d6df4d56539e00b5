/**
 * Rooms as the REST API sees them: the configured (stored) room joined with
 * its live state. Creates rooms, answers what a guest may know before
 * joining, and issues join tickets to those admission.ts lets in, checking
 * the room password when it asks for one (with throttling per address and
 * room: an attempt is reserved before the argon2id check, atomically in the
 * throttle's store, so 20 parallel guesses verify 5, on one node or many).
 */
import { randomInt } from 'node:crypto';
import type { LiveParticipant, PublicRoom, RoomSummary, Ticket } from '@conclave/protocol';
import { addressKey } from '../http/address-key.js';
import type { PassStore } from '../cluster/pass-store.js';
import type { ThrottleStore } from '../cluster/throttle-store.js';
import type { TicketStore } from '../cluster/ticket-store.js';
import { admit, DEFAULT_MAX_PARTICIPANTS, isHost } from './admission.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import { StoreConflict } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { StoredRoom } from '../store/room-store.js';
import type { StoredUser } from '../store/user-store.js';
import type { Lobby } from './lobby.js';
import type { RoomRegistry } from './room-registry.js';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz';

/** Room-password guesses per address and room: 5 back to back, then a wait doubling from 2 s up to 10 min. */
export const ROOM_PASSWORD_LIMITS = {
  freeAttempts: 5,
  baseDelayMs: 2000,
  maxDelayMs: 10 * 60_000,
  forgetAfterMs: 30 * 60_000,
} as const;

/** The shared short-lived state the directory works with (cluster/ephemeral-stores.ts). */
export interface DirectoryStores {
  tickets: TicketStore;
  /** Only looked up here: the join uses a pass up. */
  passes: PassStore;
  roomPasswordAttempts: ThrottleStore;
}

export class TicketRefused extends Error {
  constructor(
    readonly code: 'not_found' | 'wrong_room_password' | 'room_locked' | 'room_full' | 'too_many_attempts' | 'unavailable',
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

export class RoomDirectory {
  private readonly tickets: TicketStore;
  private readonly passes: PassStore;
  private readonly passwordAttempts: ThrottleStore;

  constructor(
    private readonly store: Store,
    private readonly registry: RoomRegistry,
    private readonly lobby: Lobby,
    private readonly hasher: PasswordHasher,
    private readonly allowAnonymousRooms: boolean,
    stores: DirectoryStores,
  ) {
    this.tickets = stores.tickets;
    this.passes = stores.passes;
    this.passwordAttempts = stores.roomPasswordAttempts;
  }

  /**
   * Cluster mode: the node a ticket for a meeting sends its holder to
   * (cluster-node.ts); throws TicketRefused('unavailable') when none can
   * serve it now. Unset on a single node.
   */
  placeTicket: ((roomId: string) => Promise<string>) | null = null;

  /** A readable, hard-to-guess id like `kmt-qzvh-rpwax` (about 60 bits). */
  newRoomId(): string {
    let id = '';
    for (let i = 0; i < 13; i++) id += ALPHABET[randomInt(ALPHABET.length)];
    return `${id.slice(0, 4)}-${id.slice(4, 8)}-${id.slice(8)}`;
  }

  get(id: string): Promise<StoredRoom | null> {
    return this.store.rooms.get(id);
  }

  /** Admins manage every room; hosts the rooms they created. */
  canManage(user: StoredUser, room: StoredRoom): boolean {
    return isHost(user, room);
  }

  async create(
    o: { name: string; password?: string | undefined; lobby?: boolean | undefined; maxParticipants?: number | undefined },
    owner: StoredUser | null,
  ): Promise<StoredRoom> {
    const passwordHash = o.password ? await this.hasher.hash(o.password) : null;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.rooms.create({
          id: this.newRoomId(),
          name: o.name,
          passwordHash,
          lobby: o.lobby ?? false,
          maxParticipants: o.maxParticipants ?? DEFAULT_MAX_PARTICIPANTS,
          createdBy: owner?.id ?? null,
        });
      } catch (err) {
        // The id is the primary key: a taken one (60 random bits, so all but never) is refused, not overwritten.
        if (!(err instanceof StoreConflict) || attempt === 3) throw err;
      }
    }
  }

  async update(
    id: string,
    patch: {
      name?: string | undefined;
      password?: string | null | undefined;
      lobby?: boolean | undefined;
      maxParticipants?: number | undefined;
      locked?: boolean | undefined;
    },
  ): Promise<StoredRoom | null> {
    const passwordHash = patch.password === undefined ? undefined : patch.password === null ? null : await this.hasher.hash(patch.password);
    const { password: _, ...rest } = patch;
    const clean = Object.fromEntries(Object.entries({ ...rest, passwordHash }).filter(([, v]) => v !== undefined));
    return this.store.rooms.update(id, clean);
  }

  /** Deletes the room; a running meeting in it ends. */
  async delete(id: string, by: string): Promise<boolean> {
    const deleted = await this.store.rooms.delete(id);
    if (!this.registry.get(id) && this.remoteDeleted) {
      // Cluster mode: the meeting may live on another node; it closes there (a node that does not answer keeps it
      // until it empties: the room is gone from the database all the same, so nobody new gets in).
      await this.remoteDeleted(id, by);
    }
    this.closeDeleted(id, by);
    return deleted;
  }

  /** The room is deleted: its meeting here closes for everyone and its lobby empties. */
  closeDeleted(id: string, by: string): void {
    this.lobby.clear(id, by);
    this.registry.get(id)?.close({ reason: 'deleted', rejoin: false, by });
  }

  /** Cluster mode: closes the meeting of a deleted room on its home elsewhere (false: it lives nowhere else); never throws. */
  remoteDeleted: ((roomId: string, by: string) => Promise<boolean>) | null = null;

  async publicInfo(id: string): Promise<PublicRoom | null> {
    const room = await this.store.rooms.get(id);
    if (room) return { id, name: room.name, hasPassword: room.passwordHash !== null, lobby: room.lobby, locked: room.locked };
    if (this.allowAnonymousRooms) return { id, name: id, hasPassword: false, lobby: false, locked: false };
    return null;
  }

  /**
   * A ticket to join `roomId`. Hosts of the room (its owner, any admin) skip
   * the password and the lock; guests must give the password when there is one.
   * A guest with a good rejoin pass (their connection dropped) passes the lock
   * and the lobby, but not the password.
   */
  async issueTicket(
    roomId: string,
    password: string | undefined,
    user: StoredUser | null,
    ip: string,
    rejoinPass?: string,
    /** The signed-in user's session (sessionKeyOf its token): signing it out closes the connection this ticket opens. */
    sessionKey?: string,
  ): Promise<Ticket> {
    // Someone coming back with a good pass: only looked up here (the join uses it up), so beside the room.
    const [room, returning] = await Promise.all([
      this.store.rooms.get(roomId),
      rejoinPass !== undefined ? this.passes.holderOf(rejoinPass, roomId) : null,
    ]);
    const entry = admit({
      roomId,
      room,
      allowAnonymousRooms: this.allowAnonymousRooms,
      applicant: { kind: 'ticket-request', user },
      returning,
    });
    if (!entry.ok) {
      // A ticket request is refused for these two only (wrong_room and ticket_needed are about joining).
      if (entry.refusal === 'room_locked') throw new TicketRefused('room_locked', 'the meeting is locked: nobody new can join');
      throw new TicketRefused('not_found', 'there is no meeting at this address');
    }
    const { role } = entry;
    const readmit = entry.returning !== null;
    if (entry.passwordHash !== null) await this.checkPassword(entry.passwordHash, password, ip, roomId);
    const max = entry.full(this.registry.get(roomId)?.peers);
    if (max !== null) throw new TicketRefused('room_full', `the meeting is full (${max} people)`);
    // Cluster mode: the node this ticket's WebSocket will be served by (the meeting's home).
    const node = this.placeTicket ? await this.placeTicket(roomId) : undefined;
    const { ticket, expiresAt } = await this.tickets.issue({
      ...(node !== undefined ? { node } : {}),
      roomId,
      role,
      userId: user?.id ?? null,
      username: user?.username ?? null,
      sessionKey: user ? (sessionKey ?? null) : null,
      ip,
      rejoinPass: readmit ? (rejoinPass ?? null) : null,
    });
    return { ticket, expiresAt: expiresAt.toISOString(), role, ...(node !== undefined ? { node } : {}) };
  }

  /** Throws unless `password` matches `hash`; wrong guesses are throttled per address and room. */
  private async checkPassword(hash: string, password: string | undefined, ip: string, roomId: string): Promise<void> {
    if (!password) throw new TicketRefused('wrong_room_password', 'this meeting needs its room password');
    // Reserved before the check (atomically in the throttle's store), so parallel guesses are counted as they
    // arrive, not after.
    const key = `${addressKey(ip)}|${roomId}`;
    const reserved = await this.passwordAttempts.reserve(key);
    if (!reserved.ok)
      throw new TicketRefused('too_many_attempts', 'too many wrong passwords; wait a moment and try again', reserved.retryAfterMs);
    let good: boolean;
    try {
      good = await this.hasher.verify(hash, password);
    } catch (err) {
      // Nothing was checked (the hasher was busy): it does not count. A failed refund leaves it counted; the error is what matters.
      await this.passwordAttempts.refund(key).catch(() => undefined);
      throw err;
    }
    if (!good) {
      await this.passwordAttempts.failed(key);
      throw new TicketRefused('wrong_room_password', 'that room password is not right');
    }
    await this.passwordAttempts.succeed(key);
  }

  /** Cluster mode: who is in a meeting that lives on another node (null: nowhere else, or no answer in time). */
  remoteLive: ((roomId: string) => Promise<{ participants: LiveParticipant[]; waiting: number } | null>) | null = null;

  async summary(room: StoredRoom): Promise<RoomSummary> {
    const live = this.registry.get(room.id);
    const elsewhere = !live && this.remoteLive ? await this.remoteLive(room.id) : null;
    if (elsewhere) return { ...this.describe(room), live: elsewhere };
    return { ...this.describe(room), live: await this.liveHere(room.id) };
  }

  /** What the database says of a room. */
  private describe(room: StoredRoom): Omit<RoomSummary, 'live'> {
    return {
      id: room.id,
      name: room.name,
      hasPassword: room.passwordHash !== null,
      lobby: room.lobby,
      locked: room.locked,
      maxParticipants: room.maxParticipants,
      createdBy: room.createdByName,
      createdAt: room.createdAt,
    };
  }

  /** Who is in the meeting here (and waiting in its lobby), with their sending bitrate. */
  async liveHere(roomId: string): Promise<{ participants: LiveParticipant[]; waiting: number }> {
    const live = this.registry.get(roomId);
    const participants: LiveParticipant[] = [];
    for (const peer of live?.peers.values() ?? []) {
      let bitrate = 0;
      for (const producer of peer.producers.values()) {
        const stats = await producer.getStats().catch(() => []);
        for (const s of stats) bitrate += (s as { bitrate?: number }).bitrate ?? 0;
      }
      participants.push({
        peerId: peer.id,
        displayName: peer.displayName,
        role: peer.role,
        bitrateKbps: Math.round(bitrate / 1000),
        e2ee: peer.e2ee,
        joinedAt: peer.joinedAt.toISOString(),
      });
    }
    return { participants, waiting: this.lobby.count(roomId) };
  }
}
