/**
 * Accounts and sessions: first-start bootstrap (CONCLAVE_ADMIN_PASSWORD, or a
 * one-time setup link valid for an hour), sign-in with password-guessing
 * limits, and user management. Errors never tell whether a username exists.
 *
 * Sign-in limits (see LOGIN_LIMITS; every attempt is reserved before the
 * argon2id check, so parallel requests are counted as they arrive):
 *  - a browser with a valid device cookie for the account (set at each of
 *    its successful sign-ins) is limited per device only: 5 attempts back to
 *    back, then a wait doubling from 1 s up to 15 min;
 *  - everyone else is limited per address (IPv6 by /64), with the same
 *    backoff, AND per account: a shared backoff of 5 attempts back to back,
 *    then a wait doubling from 1 s but never over 30 s, and a hard budget of
 *    100 attempts in any hour, past which they get 429 until the hour frees
 *    one.
 * A success clears its address's and device's backoff and the account's
 * shared backoff; it never counts against the hourly budget. The limits are
 * kept in the stores given (LoginLimits: in memory, or in Redis shared by
 * every node); each reservation is atomic in its store, so parallel
 * attempts are counted as they arrive even though reserving is awaited.
 *
 * Changes that take powers away (delete, demote, password reset, sign-out)
 * are told to `onRevoked` listeners, which close that user's open signaling
 * connections.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import { StoreConflict } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { publicUser, type StoredUser } from '../store/user-store.js';
import { addressKey } from '../http/address-key.js';
import { MemorySetupLinkStore, type SetupLinkStore } from '../cluster/setup-link-store.js';
import type { BudgetStore, ThrottleStore } from '../cluster/throttle-store.js';
import type { DeviceCookies } from './device-cookie.js';
import type { PasswordHasher } from './password-hasher.js';

export type LoginResult =
  | { ok: true; user: StoredUser; token: string; expiresAt: Date; deviceCookie: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

export class AccountError extends Error {
  constructor(
    readonly code: 'conflict' | 'not_found' | 'last_admin' | 'setup_not_available',
    message: string,
  ) {
    super(message);
  }
}

/** What took a user's powers away. `sessionKey` names the one session a sign-out ended. */
export type Revocation =
  | { userId: number; what: 'deleted' | 'password-reset' }
  | { userId: number; what: 'demoted'; user: StoredUser }
  | { userId: number; what: 'signed-out'; sessionKey: string };

/** The key a session is known by outside the store (the SHA-256 of its token, as the store keeps it). */
export const sessionKeyOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The numbers of the sign-in limits (documented in SECURITY.md). */
export const LOGIN_LIMITS = {
  perAddress: { freeAttempts: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 30 * 60_000 },
  perDevice: { freeAttempts: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 30 * 60_000 },
  /**
   * Shared by every stranger (no device cookie for the account): never a wait over 30 s (the brief's
   * ceiling is 60 s), which alone would allow 120 an hour, so the hourly budget below is what binds.
   */
  perAccount: { freeAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, forgetAfterMs: 30 * 60_000 },
  accountBudget: { limit: 100, windowMs: 3600_000 },
} as const;

export const SETUP_LINK_TTL_MS = 3600_000;

/** Where the sign-in limits are counted (cluster/ephemeral-stores.ts builds them from LOGIN_LIMITS). */
export interface LoginLimits {
  byAddress: ThrottleStore;
  byDevice: ThrottleStore;
  byAccount: ThrottleStore;
  accountBudget: BudgetStore;
}

export interface AccountsOptions {
  devices: DeviceCookies;
  limits: LoginLimits;
  /** Where the setup link lives (default: this process; Redis in cluster mode). */
  setupLinks?: SetupLinkStore;
  now?: () => number;
}

/** Longest setup token worth hashing: ours are 24 characters. */
const MAX_SETUP_TOKEN_LENGTH = 200;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** One limit an attempt was charged to, settled once the password is checked. */
interface Charge {
  refund(): Promise<void>;
  succeed(): Promise<void>;
  failed(): Promise<void>;
}

export class Accounts {
  private readonly setupLinks: SetupLinkStore;
  private readonly limits: LoginLimits;
  private readonly listeners = new Set<(r: Revocation) => unknown>();
  private readonly devices: DeviceCookies;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly logger: Logger,
    private readonly sessionTtlMs: number,
    options: AccountsOptions,
  ) {
    this.devices = options.devices;
    this.now = options.now ?? Date.now;
    this.limits = options.limits;
    this.setupLinks = options.setupLinks ?? new MemorySetupLinkStore(this.now);
  }

  /**
   * Calls `listener` for each change that takes a user's powers away; returns an unsubscribe.
   * The change's caller waits for the listeners (so the user's connections are closed before it answers).
   */
  onRevoked(listener: (r: Revocation) => unknown): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async revoke(r: Revocation): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(r);
      } catch (err) {
        this.logger.error({ err, userId: r.userId, what: r.what }, 'revocation listener failed');
      }
    }
  }

  /**
   * First start: with no users, create `admin` from CONCLAVE_ADMIN_PASSWORD if
   * given; otherwise make a one-time setup token, good for an hour. Returns the token, if any.
   */
  async bootstrap(adminPassword: string | undefined): Promise<string | null> {
    if ((await this.store.users.count()) > 0) return null;
    if (adminPassword) {
      // createFirst: another node sharing the database may be doing the same right now; one of them makes it.
      const admin = await this.store.users.createFirst('admin', await this.hasher.hash(adminPassword), 'admin');
      if (!admin) return null;
      await this.store.audit.record({
        actor: 'system',
        action: 'user.create',
        target: 'admin',
        detail: 'first admin from CONCLAVE_ADMIN_PASSWORD',
      });
      this.logger.info('created user "admin" from CONCLAVE_ADMIN_PASSWORD');
      return null;
    }
    const token = randomBytes(18).toString('base64url');
    if (await this.setupLinks.offer(tokenHash(token), SETUP_LINK_TTL_MS)) return token;
    // Cluster mode: another node (or this one, before a restart) made the link, and it is still good.
    this.logger.info('no users yet: the setup link printed earlier (by this node or another) is still good for up to an hour');
    return null;
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.setupLinks.live()) && (await this.store.users.count()) === 0;
  }

  /**
   * Creates the first admin with the setup link's token. The token is claimed
   * first (atomically in its store, which in cluster mode every node shares),
   * before the user count and the slow hashing, so of two requests at once
   * only one gets through; it is given back if the hashing
   * fails, unless a user exists by then. The user is made only if there is
   * still none (createFirst, atomic in the database: another node's setup
   * link may be used at the same moment).
   */
  async completeSetup(token: string, username: string, password: string): Promise<StoredUser> {
    const invalid = () =>
      new AccountError('setup_not_available', 'setup link is not valid (already used, or the server restarted: see its log)');
    if (token.length === 0 || token.length > MAX_SETUP_TOKEN_LENGTH) throw invalid();
    const linkHash = tokenHash(token);
    const claimed = await this.setupLinks.claim(linkHash);
    if (claimed === 'expired') {
      throw new AccountError('setup_not_available', 'setup link has expired (it is good for an hour): restart the server for a new one');
    }
    if (claimed === 'invalid') throw invalid();
    let hash: string;
    try {
      if ((await this.store.users.count()) > 0) throw invalid(); // someone has made an account meanwhile: the link is spent
      hash = await this.hasher.hash(password);
    } catch (err) {
      if (!(err instanceof AccountError) && (await this.store.users.count().catch(() => 1)) === 0) {
        await this.setupLinks.giveBack(linkHash, claimed.leftMs);
      }
      throw err;
    }
    const user = await this.store.users.createFirst(username, hash, 'admin');
    if (!user) throw new AccountError('setup_not_available', 'setup link is not valid (already used)');
    return user;
  }

  /**
   * Checks a sign-in. `deviceCookie` is the browser's device cookie, if any.
   * Throws HasherUnavailable (nothing counted) when the hasher cannot take it now.
   */
  async login(username: string, password: string, ip: string, deviceCookie?: string): Promise<LoginResult> {
    const accountKey = username.trim().toLowerCase();
    const user = await this.store.users.byUsername(username.trim());
    const device = this.devices.verify(deviceCookie);
    const known = device !== null && user !== null && device.userId === user.id;
    const { byAddress, byDevice, byAccount, accountBudget } = this.limits;
    /** Each limit this attempt was charged to, to settle once the password is checked. */
    const charged: Charge[] = [];
    const throttled = (t: ThrottleStore, key: string) => async () => {
      const reservation = await t.reserve(key);
      if (!reservation.ok) return reservation.retryAfterMs;
      charged.push({ refund: () => t.refund(key), succeed: () => t.succeed(key), failed: () => t.failed(key) });
      return 0;
    };
    // One after another, in this order (a limit that refuses leaves the later ones uncharged, as their waits
    // would otherwise move): each reservation is atomic in its store, so parallel attempts are counted as they
    // arrive, before any of them is checked.
    const limits: Array<() => Promise<number>> = known
      ? [throttled(byDevice, device.deviceId)]
      : [
          throttled(byAddress, addressKey(ip)),
          throttled(byAccount, accountKey),
          async () => {
            const reservation = await accountBudget.reserve(accountKey);
            if (!reservation.ok) return reservation.retryAfterMs;
            // The right password is not a guess: it gives its place in the hour back.
            const refund = () => accountBudget.refund(accountKey);
            charged.push({ refund, succeed: refund, failed: () => Promise.resolve() });
            return 0;
          },
        ];
    let good: boolean;
    try {
      for (const limit of limits) {
        const wait = await limit();
        if (wait > 0) {
          await Promise.all(charged.splice(0).map((c) => c.refund()));
          return { ok: false, reason: 'throttled', retryAfterMs: wait };
        }
      }
      // A known device may use the hasher's kept places: strangers filling its queue do not keep the owner out.
      good = user ? await this.hasher.verify(user.passwordHash, password, known) : await this.hasher.verifyNobody(password);
    } catch (err) {
      // Nothing was checked (the hasher was busy, a limit's store failed): nothing counts. The error is what matters.
      await Promise.allSettled(charged.splice(0).map((c) => c.refund()));
      throw err;
    }
    if (!user || !good) {
      await Promise.all(charged.map((c) => c.failed()));
      return { ok: false, reason: 'invalid' };
    }
    await Promise.all(charged.map((c) => c.succeed()));
    const { token, expiresAt } = await this.store.sessions.create(user.id, this.sessionTtlMs);
    const cookie = this.devices.issue(user.id, known ? device.deviceId : undefined);
    return { ok: true, user, token, expiresAt, deviceCookie: cookie };
  }

  startSession(user: StoredUser): Promise<{ token: string; expiresAt: Date }> {
    return this.store.sessions.create(user.id, this.sessionTtlMs);
  }

  /** A device cookie for `user` (after the setup link signed them in). */
  deviceCookieFor(user: StoredUser): string {
    return this.devices.issue(user.id);
  }

  async userForSession(token: string | undefined): Promise<StoredUser | null> {
    if (!token) return null;
    const id = await this.store.sessions.userFor(token);
    return id === null ? null : this.store.users.byId(id);
  }

  async logout(token: string | undefined): Promise<void> {
    if (!token) return;
    const userId = await this.store.sessions.userFor(token);
    await this.store.sessions.delete(token);
    if (userId !== null) await this.revoke({ userId, what: 'signed-out', sessionKey: sessionKeyOf(token) });
  }

  async list() {
    return (await this.store.users.list()).map(publicUser);
  }

  async create(username: string, password: string, role: Role): Promise<StoredUser> {
    const taken = () => new AccountError('conflict', `a user named "${username}" already exists`);
    // Checked first to spare the hashing; the unique username (case-insensitive) in the database decides
    // between two requests for the same name that both got past this check.
    if (await this.store.users.byUsername(username)) throw taken();
    const hash = await this.hasher.hash(password);
    try {
      return await this.store.users.create(username, hash, role);
    } catch (err) {
      if (err instanceof StoreConflict) throw taken();
      throw err;
    }
  }

  async update(id: number, patch: { role?: Role; password?: string }): Promise<StoredUser> {
    const user = await this.store.users.byId(id);
    if (!user) throw new AccountError('not_found', 'no such user');
    if (patch.role && patch.role !== 'admin' && user.role === 'admin' && (await this.store.users.countAdmins()) === 1) {
      throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
    }
    const hash = patch.password ? await this.hasher.hash(patch.password) : null;
    // Checked again after the hashing, in the transaction that makes the change: the user or the other
    // admins may have changed meanwhile, and transactions run one at a time (two admins demoting each
    // other at once cannot both pass the last-admin check).
    const { current, updated } = await this.store.transaction(async (tx) => {
      const current = await tx.users.byId(id);
      if (!current) throw new AccountError('not_found', 'no such user');
      if (patch.role && patch.role !== 'admin' && current.role === 'admin' && (await tx.users.countAdmins()) === 1) {
        throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
      }
      if (patch.role) await tx.users.setRole(id, patch.role);
      if (hash) {
        await tx.users.setPasswordHash(id, hash);
        await tx.sessions.deleteForUser(id); // a reset password signs the user out everywhere
      }
      return { current, updated: (await tx.users.byId(id))! };
    });
    if (hash) await this.revoke({ userId: id, what: 'password-reset' });
    else if (current.role === 'admin' && updated.role !== 'admin') await this.revoke({ userId: id, what: 'demoted', user: updated });
    return updated;
  }

  async delete(id: number): Promise<StoredUser> {
    // One transaction: the last-admin check still holds when the user goes.
    const user = await this.store.transaction(async (tx) => {
      const user = await tx.users.byId(id);
      if (!user) throw new AccountError('not_found', 'no such user');
      if (user.role === 'admin' && (await tx.users.countAdmins()) === 1) {
        throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
      }
      await tx.users.delete(id);
      return user;
    });
    await this.revoke({ userId: id, what: 'deleted' });
    return user;
  }
}
