/**
 * The state of one signaling connection, and what handlers are given to work
 * with. Kept apart from the handlers so host controls and ordinary requests
 * share it without importing each other.
 */
import type { ClusterNode } from '../cluster/cluster-node.js';
import { ErrorCode, type ServerMessage } from '@conclave/protocol';
import type { PassStore } from '../cluster/pass-store.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Lobby } from '../rooms/lobby.js';
import type { Moderation } from '../rooms/moderation.js';
import type { AuditLog } from '../store/audit-log.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { RoomDirectory } from '../rooms/room-directory.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { TurnCredentialBudget } from '../turn/turn-budget.js';
import type { ConnectionGrant } from './connection-grant.js';
import type { TokenBucket } from './rate-limiter.js';
import { RequestError } from './request-error.js';

export interface SignalingContext {
  registry: RoomRegistry;
  directory: RoomDirectory;
  lobby: Lobby;
  moderation: Moderation;
  /** Passes back into a meeting for those whose connection drops. */
  passes: PassStore;
  /** For participants' own notable acts (starting and stopping a recording). */
  audit: AuditLog;
  metrics: Metrics;
  config: Config;
  logger: Logger;
  /** TURN credentials per address per minute (null without TURN). */
  turnBudget: TurnCredentialBudget | null;
  /** This node of a cluster (CONCLAVE_REDIS_URL); null on a single node. */
  cluster?: ClusterNode | null;
}

/** The state of one signaling connection. */
export interface Session {
  grant: ConnectionGrant;
  peer: Peer | null;
  room: Room | null;
  /** Set while this connection's guest waits in a room's lobby. */
  waiting: { roomId: string; requestId: string } | null;
  /** Rooms a host has admitted this connection to. */
  admitted: Set<string>;
  /** This connection has joined a room once: a join ticket (or socket) admits exactly one join. */
  joinedOnce: boolean;
  /**
   * This connection's own allowances for requests limited beyond the
   * connection-wide message limit: chat messages (CHAT_RATE_*), group
   * messages (GROUP_MESSAGE_RATE_*) and recording switches (RECORDING_RATE_*).
   * They go with the connection.
   */
  buckets: { chat: TokenBucket; group: TokenBucket; recording: TokenBucket };
  send(message: ServerMessage): void;
  /** The socket is still open (a handler that awaited something checks before it seats anyone). */
  isOpen(): boolean;
  /** Gives the connection JOIN_DEADLINE_MS from now to join (a guest just admitted from the lobby). */
  restartJoinDeadline(): void;
  /** Closes the socket (after the peer was told why). */
  disconnect(): void;
}

export function joined(session: Session): { peer: Peer; room: Room } {
  if (!session.peer || !session.room || session.peer.isClosed) {
    throw new RequestError(ErrorCode.NotJoined, 'join a room first');
  }
  return { peer: session.peer, room: session.room };
}
