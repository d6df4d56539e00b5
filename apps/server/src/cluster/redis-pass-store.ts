/**
 * Rejoin passes in Redis (layout and scripts in redis.ts): the pass's
 * SHA-256 names its hash {peerId, roomId, expiresAt}; the holder's index
 * and the room's set make revoke/revokeRoom one script each; `redeem` is
 * one script (check room and expiry, delete, return the holder), so two
 * nodes redeeming the same pass at once cannot both succeed.
 *
 * Expiry is checked against the caller's clock, as in memory; Redis
 * removes a released pass after the grace period by itself. A pass whose
 * holder is in the meeting has no grace deadline, but a long safety TTL
 * (`heldTtlMs`, default 24 h): in memory a crashed process forgets them,
 * and a pass must not outlive its meeting forever because the node that
 * would have released it died.
 */
import { randomBytes } from 'node:crypto';
import { hashPass } from '../store/rejoin-pass-store.js';
import { REJOIN_GRACE_MS, type PassStore } from './pass-store.js';
import { keys, PASS_GIVE_BACK, PASS_ISSUE, PASS_REDEEM, PASS_RELEASE, PASS_REVOKE, PASS_REVOKE_ROOM, type RedisClient } from './redis.js';

export interface RedisPassStoreOptions {
  now?: () => number;
  graceMs?: number;
  heldTtlMs?: number;
}

/** Longest pass worth looking up: ours are 32 characters. */
const MAX_PASS_LENGTH = 200;

export class RedisPassStore implements PassStore {
  private readonly now: () => number;
  private readonly graceMs: number;
  private readonly heldTtlMs: number;

  constructor(
    private readonly redis: RedisClient,
    o: RedisPassStoreOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    this.graceMs = o.graceMs ?? REJOIN_GRACE_MS;
    this.heldTtlMs = o.heldTtlMs ?? 24 * 3600_000;
  }

  async issue(peerId: string, roomId: string): Promise<string> {
    keys.roomPasses(roomId); // validates the room id
    const pass = randomBytes(24).toString('base64url');
    await PASS_ISSUE.run(this.redis, [], [hashPass(pass), peerId, roomId, this.heldTtlMs]);
    return pass;
  }

  async release(peerId: string): Promise<void> {
    await PASS_RELEASE.run(this.redis, [], [peerId, this.now(), this.graceMs]);
  }

  async revoke(peerId: string): Promise<void> {
    await PASS_REVOKE.run(this.redis, [], [peerId]);
  }

  async revokeRoom(roomId: string): Promise<void> {
    keys.roomPasses(roomId);
    await PASS_REVOKE_ROOM.run(this.redis, [], [roomId]);
  }

  async holderOf(pass: string, roomId: string): Promise<string | null> {
    if (!pass || pass.length > MAX_PASS_LENGTH) return null;
    const [peerId, room, expiresAt] = await this.redis.hmGet(keys.pass(hashPass(pass)), ['p', 'r', 'e']);
    if (!peerId || room !== roomId) return null;
    return expiresAt === '' || Number(expiresAt) > this.now() ? peerId : null;
  }

  async redeem(pass: string, roomId: string): Promise<string | null> {
    if (!pass || pass.length > MAX_PASS_LENGTH) return null;
    const peerId = await PASS_REDEEM.run(this.redis, [], [hashPass(pass), roomId, this.now()]);
    return typeof peerId === 'string' ? peerId : null;
  }

  async giveBack(pass: string, roomId: string, peerId: string): Promise<void> {
    if (!pass || pass.length > MAX_PASS_LENGTH) return;
    keys.roomPasses(roomId);
    await PASS_GIVE_BACK.run(this.redis, [], [hashPass(pass), roomId, peerId, this.now(), this.graceMs]);
  }
}
