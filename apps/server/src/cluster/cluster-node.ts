/**
 * This server as one node of a cluster (CONCLAVE_REDIS_URL set): its
 * heartbeat in Redis, the meetings it is the home of, and the two decisions
 * the other parts ask of it: which node a join ticket goes to, and where a
 * WebSocket that landed here but belongs elsewhere should be passed on.
 *
 * Each meeting has one home node, which holds it whole (its members,
 * sender indexes, MLS messages, lobby and media), so every ordering the key
 * exchange relies on holds as in one process. A meeting's home is a lease
 * in Redis with a fencing epoch (room-ownership.ts): claimed for a node when
 * the meeting's first ticket is placed there, adopted by that node at the
 * first join, renewed every 2 s, released when the meeting empties. A node
 * that loses a lease (Redis says another node has it) closes the meeting
 * here, telling its members to rejoin: they are placed on the new home.
 */
import { version as mediasoupVersion } from 'mediasoup';
import type { ClusterConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { PROTOCOL_VERSION } from './bus-protocol.js';
import { chooseNode, type NodeChoice } from './node-placement.js';
import { NodeRegistry, type NodeInfo, type NodeStats } from './node-registry.js';
import type { MediaNode } from './remote-media.js';
import { connectRedis, type RedisClient } from './redis.js';
import { RoomOwnership, type LostReason } from './room-ownership.js';

/** What nodes must share to hold one meeting between them: the bus protocol and the media server. */
export const NODE_VERSION = `bus${PROTOCOL_VERSION}-mediasoup${mediasoupVersion}`;

export interface ClusterNodeOptions {
  config: ClusterConfig;
  /** Read on each heartbeat: cpu (percent, averaged over workers) and peers count for placement. */
  stats: () => NodeStats;
  logger: Logger;
  heartbeatMs?: number;
  leaseMs?: number;
}

export class ClusterNode {
  /** The directory as last read (every heartbeat), for decisions that cannot wait for Redis: placing a peer's media. */
  private known: NodeInfo[] = [];
  private watching: NodeJS.Timeout | null = null;
  private readonly goneListeners: Array<(nodeId: string) => void> = [];

  private constructor(
    readonly config: ClusterConfig,
    readonly redis: RedisClient,
    readonly registry: NodeRegistry,
    readonly ownership: RoomOwnership,
    private readonly logger: Logger,
  ) {}

  /** Connects to Redis, takes this node's id lease (waiting out a crashed predecessor's) and starts its heartbeat. */
  static async start(o: ClusterNodeOptions): Promise<ClusterNode> {
    const { config, logger } = o;
    const redis = await connectRedis({ url: config.redisUrl, name: `node-${config.nodeId}`, logger });
    try {
      const registry = new NodeRegistry({
        redis,
        nodeId: config.nodeId,
        internalUrl: config.internalUrl,
        version: NODE_VERSION,
        stats: o.stats,
        logger,
        ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}),
        ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}),
      });
      await registry.start();
      const ownership = new RoomOwnership({ redis, nodeId: config.nodeId, logger });
      ownership.start();
      registry.on('nodeDown', (id) => logger.warn({ node: id }, 'cluster: a node stopped answering'));
      logger.info({ node: config.nodeId, internalUrl: config.internalUrl, version: NODE_VERSION }, 'cluster: node up');
      return new ClusterNode(config, redis, registry, ownership, logger);
    } catch (err) {
      await redis.close().catch(() => undefined);
      throw err;
    }
  }

  get nodeId(): string {
    return this.config.nodeId;
  }

  /**
   * The node a join ticket for `roomId` goes to: the meeting's home while it
   * has one; otherwise the least-loaded serving node, claimed as its home
   * at once so that every ticket placed until its first join goes there too.
   */
  async placeTicket(roomId: string): Promise<NodeChoice> {
    const [owner, nodes] = await Promise.all([this.ownership.owner(roomId), this.registry.liveNodes()]);
    const candidates = nodes.map((n) => ({
      id: n.id,
      alive: true,
      state: n.state,
      version: n.version,
      cpu: Number(n.stats['cpu'] ?? 0) || 0,
      peers: Number(n.stats['peers'] ?? 0) || 0,
      placed: n.placed,
    }));
    const choice = chooseNode({ nodes: candidates, version: NODE_VERSION, owner: owner?.node ?? null });
    if (!choice.ok || owner) return choice;
    const home = await this.ownership.claimFor(roomId, choice.node);
    if (!home || home.node === choice.node) {
      // Until its heartbeat shows this meeting, the next placements (from any node) see it.
      this.registry
        .notePlacement(choice.node)
        .catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'cluster: could not note a placement'));
      return choice;
    }
    // Another node placed the meeting's first ticket a moment before us: its choice stands.
    return chooseNode({ nodes: candidates, version: NODE_VERSION, owner: home.node });
  }

  /** Becomes (or stays) the home of `roomId` at a join here; false if another node is its home. */
  async holdRoom(roomId: string): Promise<boolean> {
    const r = await this.ownership.claim(roomId);
    if (!r.claimed) this.logger.warn({ roomId, owner: r.owner }, 'cluster: a join for a meeting whose home is another node');
    return r.claimed;
  }

  /** The meeting emptied here: its home is free for the next first join, anywhere. */
  releaseRoom(roomId: string): void {
    this.ownership.release(roomId).catch((err: unknown) => this.logger.warn({ err, roomId }, 'cluster: could not release a meeting'));
  }

  /** Told when this node is no longer the home of a meeting it holds. */
  onRoomLost(listener: (roomId: string, reason: LostReason) => void): void {
    this.ownership.on('lost', listener);
  }

  /** Where the other node `nodeId` takes WebSockets, while it is alive; null otherwise. */
  async internalUrlOf(nodeId: string): Promise<URL | null> {
    const node = (await this.registry.liveNodes()).find((n) => n.id === nodeId);
    if (!node) return null;
    try {
      return new URL(node.internalUrl);
    } catch {
      return null;
    }
  }

  /**
   * Reads the directory now and then every `everyMs`: other nodes' load for
   * placing media on them, and which nodes left it (died), told to
   * `onNodeGone` listeners.
   */
  async watchDirectory(everyMs = 2000): Promise<void> {
    await this.refreshDirectory();
    this.watching ??= setInterval(() => void this.refreshDirectory(), everyMs);
    this.watching.unref();
  }

  async refreshDirectory(): Promise<void> {
    let nodes: NodeInfo[];
    try {
      nodes = await this.registry.liveNodes();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cluster: could not read the node directory');
      return;
    }
    const now = new Set(nodes.map((n) => n.id));
    const gone = this.known.filter((n) => !now.has(n.id) || nodes.find((m) => m.id === n.id)!.startedAt !== n.startedAt);
    this.known = nodes;
    for (const node of gone) for (const listener of this.goneListeners) listener(node.id);
  }

  /** Told when a node leaves the directory (it died or stopped) or comes back as a new process. */
  onNodeGone(listener: (nodeId: string) => void): void {
    this.goneListeners.push(listener);
  }

  /** Other nodes that take media for meetings homed here: alive, serving, of this version, with workers. */
  mediaNodes(): MediaNode[] {
    return this.known
      .filter((n) => n.id !== this.nodeId && n.state === 'serving' && n.version === NODE_VERSION && Number(n.stats['workers'] ?? 0) > 0)
      .map((n) => ({ id: n.id, cpu: Number(n.stats['cpu'] ?? 0) || 0 }));
  }

  /** When node `nodeId`'s current process started, if the directory as last read lists it. */
  nodeStartedAt(nodeId: string): number | null {
    return this.known.find((n) => n.id === nodeId)?.startedAt ?? null;
  }

  /** Stops placing here (a graceful stop begins). */
  drain(): Promise<void> {
    return this.registry.drain();
  }

  /** Gives every meeting's home back, leaves the directory and disconnects. */
  async stop(): Promise<void> {
    if (this.watching) clearInterval(this.watching);
    this.watching = null;
    await this.ownership.stop({ release: true }).catch(() => undefined);
    await this.registry.stop().catch(() => undefined);
    await this.redis.close().catch(() => undefined);
  }
}
