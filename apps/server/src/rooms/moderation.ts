/**
 * What hosts (in the call) and admins (on the admin page) can do to a
 * meeting: mute, remove, lock, end, and answer the lobby. Each action is
 * carried out on the live room, told to everyone in words, and written to
 * the audit log with who, what and from where.
 */
import { notification } from '@conclave/protocol';
import type { PassStore } from '../cluster/pass-store.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { Lobby } from './lobby.js';
import type { RoomRegistry } from './room-registry.js';

export interface Actor {
  /** As shown to participants: a display name or a username. */
  name: string;
  /** For the audit log: who exactly, e.g. "Ada (host)" or "admin (admin page)". */
  audit: string;
  ip: string | null;
}

export class ModerationError extends Error {
  constructor(
    readonly code: 'not_found',
    message: string,
  ) {
    super(message);
  }
}

export class Moderation {
  /**
   * Cluster mode: reaches a meeting that lives on another node (cluster/remote-rooms.ts). Each call answers
   * false when the meeting lives nowhere else, and throws a RemoteRoomError for the home's refusal.
   */
  remote: {
    end(roomId: string, actor: Actor): Promise<boolean>;
    remove(roomId: string, peerId: string, actor: Actor): Promise<boolean>;
    announceLock(roomId: string, locked: boolean, actor: Actor): Promise<boolean>;
  } | null = null;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly lobby: Lobby,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly passes: PassStore,
  ) {}

  /** A meeting not running here may be running on its home node elsewhere (cluster mode). */
  private elsewhere(roomId: string): boolean {
    return this.remote !== null && !this.registry.get(roomId);
  }

  private live(roomId: string) {
    const room = this.registry.get(roomId);
    if (!room || room.isClosed) throw new ModerationError('not_found', 'the meeting is not running');
    return room;
  }

  private target(roomId: string, peerId: string) {
    const room = this.live(roomId);
    const peer = room.peers.get(peerId);
    if (!peer) throw new ModerationError('not_found', 'no such participant');
    return { room, peer };
  }

  private async audit(actor: Actor, action: string, target: string, detail?: string): Promise<void> {
    this.logger.info({ actor: actor.audit, action, target }, 'moderation');
    await this.store.audit.record({ actor: actor.audit, action, target, detail: detail ?? null, ip: actor.ip });
  }

  /** Pauses the participant's microphone on the server and tells them. */
  async mute(roomId: string, peerId: string, actor: Actor): Promise<void> {
    const { room, peer } = this.target(roomId, peerId);
    for (const producer of peer.producers.values()) {
      if (producer.appData.source !== 'mic' || producer.paused) continue;
      await producer.pause();
      room.broadcast(notification('producerPaused', { peerId, producerId: producer.id }), peerId);
    }
    peer.send(notification('youWereMuted', { by: actor.name }));
    room.broadcast(notification('hostAction', { action: 'mute', by: actor.name, target: peer.displayName }));
    await this.audit(actor, 'participant.mute', `${roomId}/${peer.displayName}`);
  }

  /** Removes the participant from the meeting; their client is told and does not rejoin by itself. */
  async remove(roomId: string, peerId: string, actor: Actor): Promise<void> {
    if (this.elsewhere(roomId) && (await this.remote!.remove(roomId, peerId, actor))) return;
    const { room, peer } = this.target(roomId, peerId);
    peer.send(notification('roomClosed', { reason: 'removed', rejoin: false, by: actor.name }));
    // Removed means out: no coming back through a dropped connection. Started before the disconnect (whose
    // release then finds no pass) and awaited after it, so nothing awaited comes between finding the peer and removing it.
    const revoked = this.passes.revoke(peerId);
    room.removePeer(peerId);
    peer.disconnect();
    room.broadcast(notification('hostAction', { action: 'remove', by: actor.name, target: peer.displayName }));
    await revoked;
    await this.audit(actor, 'participant.remove', `${roomId}/${peer.displayName}`, `ip ${peer.ip}`);
  }

  /** Locks or unlocks the room against new joins (remembered across restarts). */
  async lock(roomId: string, locked: boolean, actor: Actor): Promise<void> {
    const stored = await this.store.rooms.update(roomId, { locked });
    const room = this.registry.get(roomId);
    if (!stored && !room) throw new ModerationError('not_found', 'no such room');
    if (room) this.announceLock(roomId, locked, actor);
    else if (this.remote)
      await this.remote
        .announceLock(roomId, locked, actor)
        .catch((err: unknown) => this.logger.warn({ err, roomId }, 'could not tell the meeting on another node that it was locked'));
    await this.audit(actor, locked ? 'room.lock' : 'room.unlock', roomId);
  }

  /** Tells a meeting running here that it was locked or unlocked (the database already says so). */
  announceLock(roomId: string, locked: boolean, actor: Actor): void {
    const room = this.registry.get(roomId);
    if (!room) return;
    room.broadcast(notification('roomUpdated', { locked }));
    room.broadcast(notification('hostAction', { action: locked ? 'lock' : 'unlock', by: actor.name }));
  }

  /** Ends the meeting for everyone, and turns away whoever waits in the lobby. */
  async end(roomId: string, actor: Actor): Promise<void> {
    if (this.elsewhere(roomId) && (await this.remote!.end(roomId, actor))) return;
    const room = this.live(roomId);
    this.lobby.clear(roomId, actor.name);
    // Every pass for it void; started before the room closes (its members' releases then find none), awaited after.
    const revoked = this.passes.revokeRoom(roomId);
    room.close({ reason: 'ended-by-host', rejoin: false, by: actor.name });
    await revoked;
    await this.audit(actor, 'meeting.end', roomId);
  }

  async decide(roomId: string, requestId: string, admitted: boolean, actor: Actor): Promise<void> {
    const w = this.lobby.decide(roomId, requestId, admitted, actor.name);
    if (!w) throw new ModerationError('not_found', 'nobody with that request is waiting');
    this.registry
      .get(roomId)
      ?.broadcast(notification('hostAction', { action: admitted ? 'admit' : 'deny', by: actor.name, target: w.displayName }));
    await this.audit(actor, admitted ? 'lobby.admit' : 'lobby.deny', `${roomId}/${w.displayName}`);
  }
}
