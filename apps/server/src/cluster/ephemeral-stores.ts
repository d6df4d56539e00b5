/**
 * The short-lived state that several nodes behind one domain must share
 * (design §1 rows 7–9, §3.3 "Tickets, passes, throttles"): join tickets,
 * rejoin passes, the first-start setup link, and the password-guessing limits of room passwords and
 * sign-ins. The app builds one EphemeralStores and hands its parts, as the
 * async interfaces, to what uses them (RoomDirectory, Accounts,
 * Moderation, the signaling upgrade and handlers); nothing else knows
 * which implementation it got.
 *
 * - `memoryEphemeralStores`: one node, in this process (today's classes).
 *   Rejoin passes are written through to the database by the RejoinPasses
 *   it is given, so they outlive a restart; `restore`, `sweep`,
 *   `releaseAll` and `close` are that write-through's lifecycle.
 * - `redisEphemeralStores`: shared by every node through one Redis. Redis
 *   keeps and expires everything itself, so the lifecycle does nothing; a
 *   node going away releases its members' passes one by one as their
 *   sockets close (signaling drain), not all at once.
 *
 * One Redis client for all of them: commands on one connection run in the
 * order they were sent, which the callers rely on where they start a pass
 * change before doing something that may trigger another (a leave revokes
 * the pass before the socket's close releases it).
 */
import { LOGIN_LIMITS, type LoginLimits } from '../auth/accounts.js';
import { RejoinPasses } from '../rooms/rejoin-passes.js';
import { ROOM_PASSWORD_LIMITS } from '../rooms/room-directory.js';
import { MemoryPassStore, type PassStore } from './pass-store.js';
import type { RedisClient } from './redis.js';
import { RedisPassStore } from './redis-pass-store.js';
import { RedisSetupLinkStore } from './redis-setup-link-store.js';
import { RedisBudgetStore, RedisThrottleStore } from './redis-throttle-store.js';
import { RedisTicketStore } from './redis-ticket-store.js';
import { MemorySetupLinkStore, type SetupLinkStore } from './setup-link-store.js';
import { MemoryBudgetStore, MemoryThrottleStore, type ThrottleStore } from './throttle-store.js';
import { MemoryTicketStore, type TicketStore } from './ticket-store.js';

/** What a restart left behind, as read back at start (for the start-up log line). */
export interface PassesRestored {
  passes: number;
  heldAtCrash: number;
  expired: number;
}

export interface EphemeralStores {
  readonly tickets: TicketStore;
  readonly passes: PassStore;
  /** Room-password guesses, per address and room (rooms/room-directory.ts). */
  readonly roomPasswordAttempts: ThrottleStore;
  /** Sign-in guesses (auth/accounts.ts). */
  readonly login: LoginLimits;
  /** The first-start setup link (auth/accounts.ts). */
  readonly setupLinks: SetupLinkStore;
  /** Once, before the server serves: reads back what this node kept from before a restart (null: nothing to read). */
  restore(): Promise<PassesRestored | null>;
  /** Hourly housekeeping. */
  sweep(): void;
  /** The server is going away: every pass whose holder is in a meeting here starts its grace period now; how many. */
  releaseAll(): number;
  /** After the last change (the database is about to close): waits for pending writes and stops writing. */
  close(): Promise<void>;
}

/** The sign-in limits, in memory (`now`: a test's clock). */
export function memoryLoginLimits(now: () => number = Date.now): LoginLimits {
  return {
    byAddress: new MemoryThrottleStore({ ...LOGIN_LIMITS.perAddress, now }),
    byDevice: new MemoryThrottleStore({ ...LOGIN_LIMITS.perDevice, now }),
    byAccount: new MemoryThrottleStore({ ...LOGIN_LIMITS.perAccount, now }),
    accountBudget: new MemoryBudgetStore({ ...LOGIN_LIMITS.accountBudget, now }),
  };
}

/**
 * One node's stores, in this process. `passes`: the RejoinPasses to use
 * (the app gives one that writes through to its database); default: one
 * in memory only.
 */
export function memoryEphemeralStores(o: { passes?: RejoinPasses; now?: () => number } = {}): EphemeralStores {
  const now = o.now ?? Date.now;
  const passes = o.passes ?? new RejoinPasses(now);
  return {
    setupLinks: new MemorySetupLinkStore(now),
    tickets: new MemoryTicketStore(now),
    passes: new MemoryPassStore(passes),
    roomPasswordAttempts: new MemoryThrottleStore({ ...ROOM_PASSWORD_LIMITS, now }),
    login: memoryLoginLimits(now),
    async restore() {
      await passes.restore();
      return { ...passes.restored };
    },
    sweep: () => passes.purgeExpired(),
    releaseAll: () => passes.releaseAll(),
    async close() {
      await passes.flush();
      passes.detach();
    },
  };
}

/** Every node's stores, in the Redis behind `redis` (which the caller connects and closes). */
export function redisEphemeralStores(redis: RedisClient, o: { now?: () => number } = {}): EphemeralStores {
  const now = o.now ?? Date.now;
  return {
    tickets: new RedisTicketStore(redis, now),
    setupLinks: new RedisSetupLinkStore(redis),
    passes: new RedisPassStore(redis, { now }),
    roomPasswordAttempts: new RedisThrottleStore(redis, 'room-password', { ...ROOM_PASSWORD_LIMITS, now }),
    login: {
      byAddress: new RedisThrottleStore(redis, 'login-address', { ...LOGIN_LIMITS.perAddress, now }),
      byDevice: new RedisThrottleStore(redis, 'login-device', { ...LOGIN_LIMITS.perDevice, now }),
      byAccount: new RedisThrottleStore(redis, 'login-account', { ...LOGIN_LIMITS.perAccount, now }),
      accountBudget: new RedisBudgetStore(redis, 'login-account', { ...LOGIN_LIMITS.accountBudget, now }),
    },
    restore: () => Promise.resolve(null),
    sweep: () => undefined,
    releaseAll: () => 0,
    close: () => Promise.resolve(),
  };
}
