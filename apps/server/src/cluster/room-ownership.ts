/**
 * Which node is a room's home (its control plane), with a lease and a
 * fencing epoch (design §3.3 "Room ownership", risk 4).
 *
 * - `claim`: SET cv:{room}:owner NX PX with a fresh epoch from INCR
 *   cv:{room}:epoch: the owner value is `node|epoch`, and every claim gets a
 *   higher epoch than any before it.
 * - renew (every `renewMs`, all held rooms): PEXPIRE only if the value is
 *   still ours. Not ours any more (another node claimed after our lease ran
 *   out: we were paused or cut off) → `lost` with `stolen`. Redis
 *   unreachable: we keep trying, and once the lease could have run out
 *   (`leaseMs` after the last renew we sent and Redis confirmed) → `lost`
 *   with `expired`, since another node may own the room by then.
 * - `release`: DEL only if still ours (an empty room).
 * - `fencedWrite`: a write to the room's keys that Redis applies only if we
 *   still own the room at that epoch; otherwise nothing is written, `lost`
 *   fires with `fenced` and the call throws FencedError. A stale owner can
 *   therefore never overwrite its successor's state.
 *
 * On `lost` the caller drops its local members with `roomClosed
 * {rejoin:true}`; the room is forgotten here, so it is reported once.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import { FENCED_WRITE, keys, LEASE_CLAIM, LEASE_RELEASE, LEASE_RENEW, type RedisClient } from './redis.js';

export interface Owner {
  node: string;
  epoch: number;
}

export type LostReason = 'stolen' | 'expired' | 'fenced';

export class FencedError extends Error {
  readonly code = 'FENCED';
  constructor(
    readonly roomId: string,
    readonly epoch: number,
  ) {
    super(`room ${roomId}: this node no longer owns it at epoch ${epoch} (FENCED)`);
    this.name = 'FencedError';
  }
}

/** One command of a fenced write, on a key of the room: `keys.room(roomId, key)`. */
export interface FencedOp {
  cmd: 'HSET' | 'HDEL' | 'DEL' | 'SET' | 'PEXPIRE' | 'HINCRBY' | 'SADD' | 'SREM';
  /** The room key's suffix: `state`, `members`, `nodes`, … */
  key: string;
  args?: Array<string | number>;
}

export interface RoomOwnershipOptions {
  redis: RedisClient;
  nodeId: string;
  /** Lease length (default 6000 ms). */
  leaseMs?: number;
  /** Renew period (default 2000 ms); must be well under the lease. */
  renewMs?: number;
  /** How long an epoch counter is kept after its room's last claim or renew (default one day). */
  epochTtlMs?: number;
  logger?: Logger;
  now?: () => number;
}

interface Held {
  epoch: number;
  token: string;
  /** When the last renew (or the claim) Redis confirmed was sent: the lease runs at least `leaseMs` from then. */
  confirmedAt: number;
}

export interface RoomOwnershipEvents {
  lost: [roomId: string, reason: LostReason];
}

export class RoomOwnership extends EventEmitter<RoomOwnershipEvents> {
  private readonly redis: RedisClient;
  readonly nodeId: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly epochTtlMs: number;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;

  constructor(o: RoomOwnershipOptions) {
    super();
    this.redis = o.redis;
    this.nodeId = o.nodeId;
    this.leaseMs = o.leaseMs ?? 6000;
    this.renewMs = o.renewMs ?? 2000;
    this.epochTtlMs = o.epochTtlMs ?? 24 * 3600_000;
    this.logger = o.logger;
    this.now = o.now ?? Date.now;
    if (this.renewMs * 2 > this.leaseMs) throw new Error('room lease: renew at most every half lease');
    keys.nodeAlive(o.nodeId); // validates the id
  }

  /** Starts renewing the held leases every `renewMs`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renewAll(), this.renewMs);
  }

  /** Stops renewing; with `release`, gives every held room back. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (options.release) await Promise.allSettled([...this.held.keys()].map((r) => this.release(r)));
  }

  /** The rooms this node holds, with their epochs. */
  rooms(): Map<string, number> {
    return new Map([...this.held].map(([r, h]) => [r, h.epoch]));
  }

  epochOf(roomId: string): number | null {
    return this.held.get(roomId)?.epoch ?? null;
  }

  /** Becomes the room's owner if nobody is; says who is otherwise. Claiming a room this node holds returns its lease. */
  async claim(roomId: string): Promise<{ claimed: true; epoch: number } | { claimed: false; owner: Owner | null }> {
    const mine = this.held.get(roomId);
    if (mine) return { claimed: true, epoch: mine.epoch };
    const sentAt = this.now();
    const r = (await LEASE_CLAIM.run(
      this.redis,
      [keys.roomOwner(roomId), keys.roomEpoch(roomId)],
      [this.nodeId, this.leaseMs, this.epochTtlMs],
    )) as [number, string];
    const owner = parseOwner(r[1]);
    // Claimed for this node by the node that placed a ticket here (claimFor): ours to renew from now on.
    const adopted = r[0] !== 1 && owner?.node === this.nodeId;
    if ((r[0] !== 1 && !adopted) || !owner) return { claimed: false, owner };
    this.held.set(roomId, { epoch: owner.epoch, token: r[1], confirmedAt: sentAt });
    if (adopted && !(await this.renew(roomId))) return { claimed: false, owner: await this.owner(roomId) };
    return { claimed: true, epoch: owner.epoch };
  }

  /**
   * Claims a room that has no owner for another node (`node`): what a node
   * placing the first ticket of a meeting does, so that every ticket placed
   * until that node's first join goes to the same node. That node adopts the
   * lease at its first `claim`; unadopted, it lapses after `leaseMs`.
   * Returns the owner now (the given node, or whoever was first).
   */
  async claimFor(roomId: string, node: string): Promise<Owner | null> {
    if (node === this.nodeId) {
      const r = await this.claim(roomId);
      return r.claimed ? { node, epoch: r.epoch } : r.owner;
    }
    const r = (await LEASE_CLAIM.run(
      this.redis,
      [keys.roomOwner(roomId), keys.roomEpoch(roomId)],
      [node, this.leaseMs, this.epochTtlMs],
    )) as [number, string];
    return parseOwner(r[1]);
  }

  /** Renews one held lease now: true if still ours (false also fires `lost`). Throws if Redis cannot be reached. */
  async renew(roomId: string): Promise<boolean> {
    const h = this.held.get(roomId);
    if (!h) return false;
    const sentAt = this.now();
    const ok = await LEASE_RENEW.run(
      this.redis,
      [keys.roomOwner(roomId), keys.roomEpoch(roomId)],
      [h.token, this.leaseMs, this.epochTtlMs],
    );
    if (this.held.get(roomId) !== h) return false;
    if (ok === 1) {
      h.confirmedAt = Math.max(h.confirmedAt, sentAt);
      return true;
    }
    // Nobody holds it (Redis restarted without its data, or our lease ran out unclaimed): nobody else can have
    // acted as the home meanwhile, so it is taken again (a fresh claim, from the epoch counter as Redis has it now)
    // rather than dropping the meeting.
    const again = (await LEASE_CLAIM.run(
      this.redis,
      [keys.roomOwner(roomId), keys.roomEpoch(roomId)],
      [this.nodeId, this.leaseMs, this.epochTtlMs],
    )) as [number, string];
    const owner = parseOwner(again[1]);
    if (this.held.get(roomId) !== h) return false;
    if (again[0] === 1 && owner) {
      this.held.set(roomId, { epoch: owner.epoch, token: again[1], confirmedAt: sentAt });
      this.logger?.warn({ roomId, epoch: owner.epoch }, 'room lease: found free and taken again');
      return true;
    }
    this.lose(roomId, 'stolen');
    return false;
  }

  /** Gives the room up (it is empty): true if it was ours. */
  async release(roomId: string): Promise<boolean> {
    const h = this.held.get(roomId);
    if (!h) return false;
    this.held.delete(roomId);
    return (await LEASE_RELEASE.run(this.redis, [keys.roomOwner(roomId)], [h.token])) === 1;
  }

  /** The room's current owner, per Redis. */
  async owner(roomId: string): Promise<Owner | null> {
    return parseOwner(await this.redis.get(keys.roomOwner(roomId)));
  }

  /** Applies `ops` to the room's keys in one step if this node still owns the room at its epoch; throws FencedError otherwise. */
  async fencedWrite(roomId: string, ops: FencedOp[]): Promise<void> {
    const h = this.held.get(roomId);
    if (!h) throw new FencedError(roomId, 0);
    const targets: string[] = [];
    const encoded = ops.map((op) => {
      const key = keys.room(roomId, op.key);
      let index = targets.indexOf(key);
      if (index < 0) index = targets.push(key) - 1;
      return [op.cmd, index + 1, ...(op.args ?? []).map(String)];
    });
    const r = await FENCED_WRITE.run(this.redis, [keys.roomOwner(roomId), ...targets], [h.token, JSON.stringify(encoded)]);
    if (r === 'OK') return;
    if (this.held.get(roomId) === h) this.lose(roomId, 'fenced');
    throw new FencedError(roomId, h.epoch);
  }

  /** One renew round (the timer's; callable by tests). */
  async renewAll(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await Promise.all(
        [...this.held.keys()].map(async (roomId) => {
          try {
            await this.renew(roomId);
          } catch (err) {
            this.logger?.warn({ roomId, err: (err as Error).message }, 'room lease: renew failed');
          }
        }),
      );
      // Whatever could not be renewed in time may belong to another node by now.
      const now = this.now();
      for (const [roomId, h] of this.held) if (now - h.confirmedAt >= this.leaseMs) this.lose(roomId, 'expired');
    } finally {
      this.renewing = false;
    }
  }

  private lose(roomId: string, reason: LostReason): void {
    if (!this.held.delete(roomId)) return;
    this.logger?.warn({ roomId, reason }, 'room lease lost');
    this.emit('lost', roomId, reason);
  }
}

export function parseOwner(value: string | null | undefined): Owner | null {
  if (!value) return null;
  const bar = value.lastIndexOf('|');
  const epoch = Number(value.slice(bar + 1));
  if (bar <= 0 || !Number.isSafeInteger(epoch)) return null;
  return { node: value.slice(0, bar), epoch };
}
