/**
 * The cluster's node directory (design §3.3 "Heartbeats and leases").
 *
 * Every `heartbeatMs` a node writes its hash `cv:node:<id>` (internal URL,
 * version, state serving|draining, and whatever its stats callback gives:
 * workers, cpu, peers, …), renews its liveness lease `cv:node:<id>:alive`
 * (PX `leaseMs`) and adds itself to `cv:nodes`. A node is alive while its
 * lease exists. The lease holds the process's incarnation: a second process
 * started with the same node id is refused at start (`NodeIdInUseError`)
 * and, if it ever meets a live twin later, reports `conflict`.
 *
 * Death watch: on each heartbeat the registry looks at every node in
 * `cv:nodes`; one it had seen alive whose lease is gone is reported once
 * with `nodeDown` (within `leaseMs + heartbeatMs` of its last renewal) and
 * removed from the set (it adds itself back if it was only slow, and is
 * then reported with `nodeUp`).
 *
 * Placements: a node that sends a new meeting to a node notes it
 * (`notePlacement`) in `cv:node:<id>:placed`, and `liveNodes` counts those of
 * the last PLACEMENT_WINDOW_MS, which its heartbeat may not show yet.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import { PLACEMENT_WINDOW_MS } from './node-placement.js';
import { ALIVE_RENEW, keys, type RedisClient } from './redis.js';

export type NodeState = 'serving' | 'draining';

export type NodeStats = Record<string, string | number | boolean>;

export interface NodeInfo {
  id: string;
  internalUrl: string;
  version: string;
  state: NodeState;
  startedAt: number;
  updatedAt: number;
  /** The stats callback's fields, as strings (Redis hash values). */
  stats: Record<string, string>;
  /** Meetings placed on it in the last PLACEMENT_WINDOW_MS. */
  placed: number;
}

export class NodeIdInUseError extends Error {
  constructor(readonly nodeId: string) {
    super(`node id ${nodeId} is in use by another live process: give each node its own CONCLAVE_NODE_ID`);
    this.name = 'NodeIdInUseError';
  }
}

export interface NodeRegistryOptions {
  redis: RedisClient;
  nodeId: string;
  internalUrl: string;
  version: string;
  /** Extra fields for the node's hash, read on every heartbeat (workers, cpu, peers, consumers, mediaHash, …). */
  stats?: () => NodeStats | Promise<NodeStats>;
  heartbeatMs?: number;
  leaseMs?: number;
  logger?: Logger;
  now?: () => number;
}

export interface NodeRegistryEvents {
  nodeDown: [id: string];
  nodeUp: [id: string];
  /** Another live process holds this node id's lease. */
  conflict: [holder: string];
}

const RESERVED = new Set(['internalUrl', 'version', 'state', 'startedAt', 'updatedAt', 'inc']);

export class NodeRegistry extends EventEmitter<NodeRegistryEvents> {
  readonly nodeId: string;
  private readonly redis: RedisClient;
  private readonly o: NodeRegistryOptions;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly inc = randomBytes(8).toString('base64url');
  private state: NodeState = 'serving';
  private startedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  /** Nodes last seen alive (this one excluded). */
  private readonly alive = new Set<string>();
  private stopped = false;

  constructor(o: NodeRegistryOptions) {
    super();
    this.o = o;
    this.redis = o.redis;
    this.nodeId = o.nodeId;
    this.heartbeatMs = o.heartbeatMs ?? 2000;
    this.leaseMs = o.leaseMs ?? 6000;
    this.now = o.now ?? Date.now;
    if (this.heartbeatMs * 2 > this.leaseMs) throw new Error('node lease: heartbeat at most every half lease');
    keys.node(o.nodeId); // validates the id
  }

  get currentState(): NodeState {
    return this.state;
  }

  /**
   * Takes the node's lease, writes its hash, and starts the heartbeat and
   * death watch. A lease still held under this id is waited out (a crashed
   * predecessor's runs out within `leaseMs`); one that stays held belongs
   * to a live twin: NodeIdInUseError.
   */
  async start(): Promise<void> {
    this.startedAt = this.now();
    const giveUpAt = Date.now() + this.leaseMs + this.heartbeatMs;
    for (;;) {
      const set = await this.redis.set(keys.nodeAlive(this.nodeId), this.inc, {
        condition: 'NX',
        expiration: { type: 'PX', value: this.leaseMs },
      });
      if (set === 'OK') break;
      if (Date.now() >= giveUpAt) throw new NodeIdInUseError(this.nodeId);
      await new Promise((r) => setTimeout(r, Math.min(this.heartbeatMs, 250)));
    }
    await this.beat();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
  }

  /** No new placements here from now on (written at once). */
  async drain(): Promise<void> {
    this.state = 'draining';
    // A heartbeat under way may have read the old state: write once more after it.
    while (this.beating) await this.beating;
    await this.tick();
  }

  /** Stops the heartbeat and removes this node from the directory. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating?.catch(() => undefined);
    const alive = keys.nodeAlive(this.nodeId);
    // Only our own lease: a twin's is not ours to delete.
    if ((await this.redis.get(alive)) === this.inc) await this.redis.del(alive);
    await this.redis.del([keys.node(this.nodeId), keys.nodePlaced(this.nodeId)]);
    await this.redis.sRem(keys.nodes, this.nodeId);
  }

  /** A new meeting was just sent to node `id`: it counts against that node for PLACEMENT_WINDOW_MS. */
  async notePlacement(id: string): Promise<void> {
    const key = keys.nodePlaced(id);
    const now = this.now();
    await this.redis
      .multi()
      .zAdd(key, { score: now, value: `${now}:${randomBytes(6).toString('base64url')}` })
      .zRemRangeByScore(key, '-inf', now - PLACEMENT_WINDOW_MS)
      .pExpire(key, 2 * PLACEMENT_WINDOW_MS)
      .exec();
  }

  /** Stops the heartbeat without cleaning up, as a crash would (tests). */
  halt(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The nodes whose lease is alive, with what their hash says. */
  async liveNodes(): Promise<NodeInfo[]> {
    const ids = await this.redis.sMembers(keys.nodes);
    if (ids.length === 0) return [];
    const valid = ids.filter((id) => /^[a-z0-9-]{1,40}$/.test(id));
    const since = this.now() - PLACEMENT_WINDOW_MS;
    const [leases, hashes, placed] = await Promise.all([
      this.redis.mGet(valid.map((id) => keys.nodeAlive(id))),
      Promise.all(valid.map((id) => this.redis.hGetAll(keys.node(id)))),
      Promise.all(valid.map((id) => this.redis.zCount(keys.nodePlaced(id), since, '+inf'))),
    ]);
    const nodes: NodeInfo[] = [];
    valid.forEach((id, i) => {
      const h = hashes[i] as Record<string, string>;
      if (leases[i] === null || !h['internalUrl']) return;
      const stats: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) if (!RESERVED.has(k)) stats[k] = v;
      nodes.push({
        id,
        internalUrl: h['internalUrl'],
        version: h['version'] ?? '',
        state: h['state'] === 'draining' ? 'draining' : 'serving',
        startedAt: Number(h['startedAt'] ?? 0),
        updatedAt: Number(h['updatedAt'] ?? 0),
        stats,
        placed: placed[i] ?? 0,
      });
    });
    return nodes.sort((a, b) => a.id.localeCompare(b.id));
  }

  private tick(): Promise<void> {
    if (this.stopped && !this.beating) return Promise.resolve();
    // One heartbeat at a time: a slow Redis must not pile them up.
    this.beating ??= this.beat()
      .then(() => this.watch())
      .catch((err: unknown) => this.o.logger?.warn({ err: (err as Error).message }, 'node heartbeat failed'))
      .finally(() => (this.beating = null));
    return this.beating;
  }

  private async beat(): Promise<void> {
    const stats = (await this.o.stats?.()) ?? {};
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(stats)) if (!RESERVED.has(k)) fields[k] = String(v);
    Object.assign(fields, {
      internalUrl: this.o.internalUrl,
      version: this.o.version,
      state: this.state,
      startedAt: String(this.startedAt),
      updatedAt: String(this.now()),
      inc: this.inc,
    });
    const holder = (await ALIVE_RENEW.run(this.redis, [keys.nodeAlive(this.nodeId)], [this.inc, this.leaseMs])) as string;
    if (holder !== 'OK') {
      this.o.logger?.error({ nodeId: this.nodeId }, 'another process holds this node id');
      this.emit('conflict', holder);
      return;
    }
    const key = keys.node(this.nodeId);
    await Promise.all([
      this.redis.hSet(key, fields),
      // The hash outlives the lease a while, for the admin page; a dead node's goes eventually.
      this.redis.pExpire(key, Math.max(60_000, this.leaseMs * 10)),
      this.redis.sAdd(keys.nodes, this.nodeId),
    ]);
  }

  private async watch(): Promise<void> {
    const ids = (await this.redis.sMembers(keys.nodes)).filter((id) => id !== this.nodeId && /^[a-z0-9-]{1,40}$/.test(id));
    const leases = ids.length ? await this.redis.mGet(ids.map((id) => keys.nodeAlive(id))) : [];
    const now = new Set(ids.filter((_, i) => leases[i] !== null));
    for (const id of now) {
      if (this.alive.has(id)) continue;
      this.alive.add(id);
      this.emit('nodeUp', id);
    }
    for (const id of [...this.alive]) {
      if (now.has(id)) continue;
      this.alive.delete(id);
      await this.redis.sRem(keys.nodes, id);
      this.emit('nodeDown', id);
    }
    // A node we never saw alive whose lease is gone (it died before we started): tidy the set.
    for (const [i, id] of ids.entries()) if (leases[i] === null && !this.alive.has(id)) await this.redis.sRem(keys.nodes, id);
  }
}
