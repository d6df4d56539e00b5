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
 * shared backoff; it never counts against the hourly budget.
 *
 * Changes that take powers away (delete, demote, password reset, sign-out)
 * are told to `onRevoked` listeners, which close that user's open signaling
 * connections.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { publicUser, type StoredUser } from '../store/user-store.js';
import { addressKey } from '../http/address-key.js';
import { AttemptBudget } from './attempt-budget.js';
import { AttemptThrottle } from './attempt-throttle.js';
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

export interface AccountsOptions {
  devices: DeviceCookies;
  now?: () => number;
}

export class Accounts {
  private setupToken: string | null = null;
  private setupExpiresAt = 0;
  private readonly byAddress: AttemptThrottle;
  private readonly byDevice: AttemptThrottle;
  private readonly byAccount: AttemptThrottle;
  private readonly accountBudget: AttemptBudget;
  private readonly listeners = new Set<(r: Revocation) => void>();
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
    const now = this.now;
    this.byAddress = new AttemptThrottle({ ...LOGIN_LIMITS.perAddress, now });
    this.byDevice = new AttemptThrottle({ ...LOGIN_LIMITS.perDevice, now });
    this.byAccount = new AttemptThrottle({ ...LOGIN_LIMITS.perAccount, now });
    this.accountBudget = new AttemptBudget({ ...LOGIN_LIMITS.accountBudget, now });
  }

  /** Calls `listener` for each change that takes a user's powers away; returns an unsubscribe. */
  onRevoked(listener: (r: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private revoke(r: Revocation): void {
    for (const listener of this.listeners) {
      try {
        listener(r);
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
    if (this.store.users.count() > 0) return null;
    if (adminPassword) {
      this.store.users.create('admin', await this.hasher.hash(adminPassword), 'admin');
      this.store.audit.record({
        actor: 'system',
        action: 'user.create',
        target: 'admin',
        detail: 'first admin from CONCLAVE_ADMIN_PASSWORD',
      });
      this.logger.info('created user "admin" from CONCLAVE_ADMIN_PASSWORD');
      return null;
    }
    this.setupToken = randomBytes(18).toString('base64url');
    this.setupExpiresAt = this.now() + SETUP_LINK_TTL_MS;
    return this.setupToken;
  }

  get setupNeeded(): boolean {
    return this.setupToken !== null && this.store.users.count() === 0;
  }

  /**
   * Creates the first admin with the setup link's token. The token is claimed
   * before the (slow) hashing, so of two requests at once only one gets
   * through; it is given back if the hashing fails, unless a user exists by then.
   */
  async completeSetup(token: string, username: string, password: string): Promise<StoredUser> {
    const expected = this.setupToken;
    const ok =
      expected !== null &&
      token.length === expected.length &&
      timingSafeEqual(Buffer.from(token), Buffer.from(expected)) &&
      this.store.users.count() === 0;
    if (!ok) throw new AccountError('setup_not_available', 'setup link is not valid (already used, or the server restarted: see its log)');
    if (this.now() >= this.setupExpiresAt) {
      throw new AccountError('setup_not_available', 'setup link has expired (it is good for an hour): restart the server for a new one');
    }
    this.setupToken = null;
    let hash: string;
    try {
      hash = await this.hasher.hash(password);
    } catch (err) {
      if (this.store.users.count() === 0) this.setupToken = expected;
      throw err;
    }
    if (this.store.users.count() > 0) throw new AccountError('setup_not_available', 'setup link is not valid (already used)');
    return this.store.users.create(username, hash, 'admin');
  }

  /**
   * Checks a sign-in. `deviceCookie` is the browser's device cookie, if any.
   * Throws HasherUnavailable (nothing counted) when the hasher cannot take it now.
   */
  async login(username: string, password: string, ip: string, deviceCookie?: string): Promise<LoginResult> {
    const accountKey = username.trim().toLowerCase();
    const user = this.store.users.byUsername(username.trim());
    const device = this.devices.verify(deviceCookie);
    const known = device !== null && user !== null && device.userId === user.id;
    /** Each limit this attempt was charged to, to settle once the password is checked. */
    const charged: Array<{ refund(): void; succeed(): void; failed(): void }> = [];
    const throttled = (t: AttemptThrottle, key: string) => () => {
      const reservation = t.reserve(key);
      if (!reservation.ok) return reservation.retryAfterMs;
      charged.push({ refund: () => t.refund(key), succeed: () => t.succeed(key), failed: () => t.failed(key) });
      return 0;
    };
    const limits: Array<() => number> = known
      ? [throttled(this.byDevice, device.deviceId)]
      : [
          throttled(this.byAddress, addressKey(ip)),
          throttled(this.byAccount, accountKey),
          () => {
            const reservation = this.accountBudget.reserve(accountKey);
            if (!reservation.ok) return reservation.retryAfterMs;
            // The right password is not a guess: it gives its place in the hour back.
            const refund = () => this.accountBudget.refund(accountKey);
            charged.push({ refund, succeed: refund, failed: () => undefined });
            return 0;
          },
        ];
    for (const limit of limits) {
      const wait = limit();
      if (wait > 0) {
        for (const c of charged) c.refund();
        return { ok: false, reason: 'throttled', retryAfterMs: wait };
      }
    }
    let good: boolean;
    try {
      // A known device may use the hasher's kept places: strangers filling its queue do not keep the owner out.
      good = user ? await this.hasher.verify(user.passwordHash, password, known) : await this.hasher.verifyNobody(password);
    } catch (err) {
      for (const c of charged) c.refund();
      throw err;
    }
    if (!user || !good) {
      for (const c of charged) c.failed();
      return { ok: false, reason: 'invalid' };
    }
    for (const c of charged) c.succeed();
    const { token, expiresAt } = this.store.sessions.create(user.id, this.sessionTtlMs);
    const cookie = this.devices.issue(user.id, known ? device.deviceId : undefined);
    return { ok: true, user, token, expiresAt, deviceCookie: cookie };
  }

  startSession(user: StoredUser): { token: string; expiresAt: Date } {
    return this.store.sessions.create(user.id, this.sessionTtlMs);
  }

  /** A device cookie for `user` (after the setup link signed them in). */
  deviceCookieFor(user: StoredUser): string {
    return this.devices.issue(user.id);
  }

  userForSession(token: string | undefined): StoredUser | null {
    if (!token) return null;
    const id = this.store.sessions.userFor(token);
    return id === null ? null : this.store.users.byId(id);
  }

  logout(token: string | undefined): void {
    if (!token) return;
    const userId = this.store.sessions.userFor(token);
    this.store.sessions.delete(token);
    if (userId !== null) this.revoke({ userId, what: 'signed-out', sessionKey: sessionKeyOf(token) });
  }

  list() {
    return this.store.users.list().map(publicUser);
  }

  async create(username: string, password: string, role: Role): Promise<StoredUser> {
    if (this.store.users.byUsername(username)) throw new AccountError('conflict', `a user named "${username}" already exists`);
    return this.store.users.create(username, await this.hasher.hash(password), role);
  }

  async update(id: number, patch: { role?: Role; password?: string }): Promise<StoredUser> {
    const user = this.store.users.byId(id);
    if (!user) throw new AccountError('not_found', 'no such user');
    if (patch.role && patch.role !== 'admin' && user.role === 'admin' && this.store.users.countAdmins() === 1) {
      throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
    }
    const hash = patch.password ? await this.hasher.hash(patch.password) : null;
    // Checked again after the hashing: the user or the other admins may have changed meanwhile.
    const current = this.store.users.byId(id);
    if (!current) throw new AccountError('not_found', 'no such user');
    if (patch.role && patch.role !== 'admin' && current.role === 'admin' && this.store.users.countAdmins() === 1) {
      throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
    }
    this.store.db.transaction(() => {
      if (patch.role) this.store.users.setRole(id, patch.role);
      if (hash) {
        this.store.users.setPasswordHash(id, hash);
        this.store.sessions.deleteForUser(id); // a reset password signs the user out everywhere
      }
    })();
    const updated = this.store.users.byId(id)!;
    if (hash) this.revoke({ userId: id, what: 'password-reset' });
    else if (current.role === 'admin' && updated.role !== 'admin') this.revoke({ userId: id, what: 'demoted', user: updated });
    return updated;
  }

  delete(id: number): StoredUser {
    const user = this.store.users.byId(id);
    if (!user) throw new AccountError('not_found', 'no such user');
    if (user.role === 'admin' && this.store.users.countAdmins() === 1) {
      throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
    }
    this.store.users.delete(id);
    this.revoke({ userId: id, what: 'deleted' });
    return user;
  }
}
