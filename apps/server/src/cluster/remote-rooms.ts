/**
 * Cluster mode: what the admin page asks of a meeting that lives on another
 * node (its home), as requests over the bus to that node: who is in it, and
 * ending it, removing someone from it, telling it it was locked or that its
 * room was deleted. The home
 * answers from its own memory and acts with its own Moderation, so the
 * audit log records each action once, where it happened.
 */
import { z } from 'zod';
import { LiveParticipant } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import type { Actor } from '../rooms/moderation.js';
import { BusRemoteError, type Bus } from './bus.js';
import { BusRegistry, defineKind } from './bus-protocol.js';
import type { ClusterNode } from './cluster-node.js';

const RoomId = z.string().min(1).max(200);
const ActorBody = z.object({ name: z.string().max(200), audit: z.string().max(300), ip: z.string().max(64).nullable() });
const Done = z.object({ done: z.literal(true) });
const LiveView = z.object({ participants: z.array(LiveParticipant).max(1000), waiting: z.number().int().nonnegative() });

export const roomLive = defineKind('room.live', z.object({ roomId: RoomId }), LiveView.nullable());
export const roomEnd = defineKind('room.end', z.object({ roomId: RoomId, actor: ActorBody }), Done);
export const roomRemove = defineKind('room.remove', z.object({ roomId: RoomId, peerId: z.string().max(100), actor: ActorBody }), Done);
export const roomLocked = defineKind('room.locked', z.object({ roomId: RoomId, locked: z.boolean(), actor: ActorBody }), Done);
export const roomDeleted = defineKind('room.deleted', z.object({ roomId: RoomId, by: z.string().max(200) }), Done);

/** The message kinds this module sends and answers, for the node's BusRegistry. */
export function registerRoomCalls(registry: BusRegistry): BusRegistry {
  return registry.register(roomLive, roomEnd, roomRemove, roomLocked, roomDeleted);
}

/** What the home node does for a request (its own directory and moderation). */
export interface RoomCallTargets {
  live(roomId: string): Promise<z.input<typeof LiveView> | null>;
  end(roomId: string, actor: Actor): Promise<void>;
  remove(roomId: string, peerId: string, actor: Actor): Promise<void>;
  announceLock(roomId: string, locked: boolean, actor: Actor): void;
  /** The room was deleted (from the database, by another node): its meeting here closes, its lobby empties. */
  closeDeleted(roomId: string, by: string): void;
}

/** A refusal from the home node (e.g. `not_found`: that person is not in the meeting), to show as the local one would. */
export class RemoteRoomError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long the admin page waits for another node's view of a meeting before showing it without. */
const LIVE_TIMEOUT_MS = 1000;

export class RemoteRooms {
  constructor(
    private readonly bus: Bus,
    private readonly cluster: ClusterNode,
    private readonly logger: Logger,
  ) {}

  /** Answers other nodes' requests about meetings that live here. */
  serve(targets: RoomCallTargets): void {
    this.bus.onMessage(roomLive, ({ roomId }) => targets.live(roomId));
    this.bus.onMessage(roomEnd, async ({ roomId, actor }) => {
      await targets.end(roomId, actor);
      return { done: true as const };
    });
    this.bus.onMessage(roomRemove, async ({ roomId, peerId, actor }) => {
      await targets.remove(roomId, peerId, actor);
      return { done: true as const };
    });
    this.bus.onMessage(roomLocked, ({ roomId, locked, actor }) => {
      targets.announceLock(roomId, locked, actor);
      return { done: true as const };
    });
    this.bus.onMessage(roomDeleted, ({ roomId, by }) => {
      targets.closeDeleted(roomId, by);
      return { done: true as const };
    });
  }

  /** The node a meeting not held here lives on, or null (none, or this one). */
  async homeElsewhere(roomId: string): Promise<string | null> {
    const owner = await this.cluster.ownership.owner(roomId);
    return owner && owner.node !== this.cluster.nodeId ? owner.node : null;
  }

  /** Who is in a meeting that lives on another node; null when it lives nowhere else or its home does not answer in time. */
  async live(roomId: string): Promise<z.output<typeof LiveView> | null> {
    try {
      const home = await this.homeElsewhere(roomId);
      if (!home) return null;
      return await this.bus.request(home, roomLive, { roomId }, { timeoutMs: LIVE_TIMEOUT_MS });
    } catch (err) {
      this.logger.warn({ err, roomId }, 'cluster: no view of a meeting on another node');
      return null;
    }
  }

  /** Ends a meeting on its home elsewhere; false if it lives nowhere else. */
  end(roomId: string, actor: Actor): Promise<boolean> {
    return this.call(roomId, (home) => this.bus.request(home, roomEnd, { roomId, actor }));
  }

  /** Removes someone from a meeting on its home elsewhere; false if it lives nowhere else. */
  remove(roomId: string, peerId: string, actor: Actor): Promise<boolean> {
    return this.call(roomId, (home) => this.bus.request(home, roomRemove, { roomId, peerId, actor }));
  }

  /** Tells the meeting's home elsewhere that it was locked or unlocked (the database already says so). */
  announceLock(roomId: string, locked: boolean, actor: Actor): Promise<boolean> {
    return this.call(roomId, (home) => this.bus.request(home, roomLocked, { roomId, locked, actor }));
  }

  /** Tells the meeting's home elsewhere that its room was deleted; false if it lives nowhere else. */
  closeDeleted(roomId: string, by: string): Promise<boolean> {
    return this.call(roomId, (home) => this.bus.request(home, roomDeleted, { roomId, by }));
  }

  private async call(roomId: string, request: (home: string) => Promise<unknown>): Promise<boolean> {
    const home = await this.homeElsewhere(roomId);
    if (!home) return false;
    try {
      await request(home);
      return true;
    } catch (err) {
      if (err instanceof BusRemoteError) throw new RemoteRoomError(err.remoteCode, err.remoteMessage);
      throw err;
    }
  }
}
