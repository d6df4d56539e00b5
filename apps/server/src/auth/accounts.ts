/**
 * Accounts and sessions: first-start bootstrap (CONCLAVE_ADMIN_PASSWORD, or a
 * one-time setup link), login with throttling per IP and per account, and
 * user management. Errors never tell whether a username exists.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '@conclave/protocol';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { publicUser, type StoredUser } from '../store/user-store.js';
import { AttemptThrottle } from './attempt-throttle.js';
import type { PasswordHasher } from './password-hasher.js';

export type LoginResult =
  | { ok: true; user: StoredUser; token: string; expiresAt: Date }
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

const throttleOptions = { freeAttempts: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 30 * 60_000 };

export class Accounts {
  private setupToken: string | null = null;
  private readonly byIp = new AttemptThrottle(throttleOptions);
  private readonly byAccount = new AttemptThrottle(throttleOptions);

  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly logger: Logger,
    private readonly sessionTtlMs: number,
  ) {}

  /**
   * First start: with no users, create `admin` from CONCLAVE_ADMIN_PASSWORD if
   * given; otherwise make a one-time setup token. Returns the token, if any.
   */
  async bootstrap(adminPassword: string | undefined): Promise<string | null> {
    if (this.store.users.count() > 0) return null;
    if (adminPassword) {
      this.store.users.create('admin', await this.hasher.hash(adminPassword), 'admin');
      this.store.audit.record({ actor: 'system', action: 'user.create', target: 'admin', detail: 'first admin from CONCLAVE_ADMIN_PASSWORD' });
      this.logger.info('created user "admin" from CONCLAVE_ADMIN_PASSWORD');
      return null;
    }
    this.setupToken = randomBytes(18).toString('base64url');
    return this.setupToken;
  }

  get setupNeeded(): boolean {
    return this.setupToken !== null && this.store.users.count() === 0;
  }

  async completeSetup(token: string, username: string, password: string): Promise<StoredUser> {
    const expected = this.setupToken;
    const ok =
      expected !== null &&
      token.length === expected.length &&
      timingSafeEqual(Buffer.from(token), Buffer.from(expected)) &&
      this.store.users.count() === 0;
    if (!ok) throw new AccountError('setup_not_available', 'setup link is not valid (already used, or the server restarted: see its log)');
    const hash = await this.hasher.hash(password);
    this.setupToken = null;
    return this.store.users.create(username, hash, 'admin');
  }

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const accountKey = username.trim().toLowerCase();
    const wait = Math.max(this.byIp.waitMs(ip), this.byAccount.waitMs(accountKey));
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    const user = this.store.users.byUsername(username.trim());
    const good = user ? await this.hasher.verify(user.passwordHash, password) : await this.hasher.verifyNobody(password);
    if (!user || !good) {
      this.byIp.fail(ip);
      this.byAccount.fail(accountKey);
      return { ok: false, reason: 'invalid' };
    }
    this.byIp.succeed(ip);
    this.byAccount.succeed(accountKey);
    const { token, expiresAt } = this.store.sessions.create(user.id, this.sessionTtlMs);
    return { ok: true, user, token, expiresAt };
  }

  startSession(user: StoredUser): { token: string; expiresAt: Date } {
    return this.store.sessions.create(user.id, this.sessionTtlMs);
  }

  userForSession(token: string | undefined): StoredUser | null {
    if (!token) return null;
    const id = this.store.sessions.userFor(token);
    return id === null ? null : this.store.users.byId(id);
  }

  logout(token: string | undefined): void {
    if (token) this.store.sessions.delete(token);
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
    this.store.db.transaction(() => {
      if (patch.role) this.store.users.setRole(id, patch.role);
      if (hash) {
        this.store.users.setPasswordHash(id, hash);
        this.store.sessions.deleteForUser(id); // a reset password signs the user out everywhere
      }
    })();
    return this.store.users.byId(id)!;
  }

  delete(id: number): StoredUser {
    const user = this.store.users.byId(id);
    if (!user) throw new AccountError('not_found', 'no such user');
    if (user.role === 'admin' && this.store.users.countAdmins() === 1) {
      throw new AccountError('last_admin', 'this is the last admin; make someone else admin first');
    }
    this.store.users.delete(id);
    return user;
  }
}
