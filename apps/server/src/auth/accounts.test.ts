import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/store.js';
import { AccountError, Accounts, LOGIN_LIMITS, SETUP_LINK_TTL_MS, type Revocation } from './accounts.js';
import { memoryLoginLimits } from '../cluster/ephemeral-stores.js';
import { DeviceCookies } from './device-cookie.js';
import { HasherUnavailable, type PasswordHasher } from './password-hasher.js';

/** Stands in for the argon2id thread: counts every password it checks, answering on a later tick as the real one does. */
class CountingHasher {
  verifies = 0;
  unavailable = false;
  private async work(): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.unavailable) throw new HasherUnavailable('queue_full');
  }
  async hash(password: string): Promise<string> {
    await this.work();
    return `hash:${password}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    await this.work();
    this.verifies += 1;
    return hash === `hash:${password}`;
  }
  async verifyNobody(): Promise<false> {
    await this.work();
    this.verifies += 1;
    return false;
  }
}

const OWNER_PASSWORD = 'the-owner-password';
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function setup() {
  let now = 1_800_000_000_000;
  store = await openStore({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'conclave-accounts-')) });
  const hasher = new CountingHasher();
  const clock = () => now;
  const accounts = new Accounts(store, hasher as unknown as PasswordHasher, pino({ level: 'silent' }), 3600_000, {
    devices: new DeviceCookies(Buffer.alloc(32, 1), clock),
    limits: memoryLoginLimits(clock),
    now: clock,
  });
  await accounts.create('owner', OWNER_PASSWORD, 'admin');
  return { accounts, hasher, advance: (ms: number) => (now += ms), store };
}

describe('sign-in limits', () => {
  it('20 parallel wrong sign-ins for one account verify 5 guesses; the rest are refused unchecked', async () => {
    const { accounts, hasher } = await setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => accounts.login('owner', 'wrong-guess', '203.0.113.9')));
    expect(hasher.verifies).toBe(5);
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(15);
  });

  it('200 addresses at once verify 5 guesses against one account; the owner, from a known device, gets straight in', async () => {
    const { accounts, hasher } = await setup();
    const first = await accounts.login('owner', OWNER_PASSWORD, '198.51.100.1');
    if (!first.ok) throw new Error('owner could not sign in');
    hasher.verifies = 0;
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) => accounts.login('owner', `guess-${i}`, `10.1.${i >> 8}.${i & 255}`)),
    );
    expect(hasher.verifies).toBe(5);
    expect(burst.filter((r) => r.ok)).toHaveLength(0);
    for (const r of burst) if (!r.ok && r.reason === 'throttled') expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    const owner = await accounts.login('owner', OWNER_PASSWORD, '198.51.100.1', first.deviceCookie);
    expect(owner.ok).toBe(true);
  });

  it('strangers from ever new addresses get at most 100 guesses in any hour, never waiting over 60 s for the shared backoff', async () => {
    const { accounts, hasher, advance } = await setup();
    const verifiedAt: number[] = [];
    const waits = new Set<number>();
    for (let second = 0; second < 2 * 3600; second++) {
      const before = hasher.verifies;
      const r = await accounts.login('owner', `guess-${second}`, `10.${(second >> 16) & 255}.${(second >> 8) & 255}.${second & 255}`);
      if (hasher.verifies > before) verifiedAt.push(second);
      if (!r.ok && r.reason === 'throttled') waits.add(r.retryAfterMs);
      advance(1000);
    }
    // The hourly budget binds: exactly 100 in the first hour, and no 101 within any 60 minutes.
    expect(verifiedAt.filter((s) => s < 3600)).toHaveLength(LOGIN_LIMITS.accountBudget.limit);
    for (let i = 0; i + 100 < verifiedAt.length; i++) expect(verifiedAt[i + 100]! - verifiedAt[i]!).toBeGreaterThanOrEqual(3600);
    // Waits of the backoff stay under its cap; longer ones are the spent budget's 429.
    const backoffWaits = [...waits].filter((w) => w <= LOGIN_LIMITS.perAccount.maxDelayMs);
    expect(Math.max(...backoffWaits)).toBeLessThanOrEqual(60_000);
  });

  it("a stranger's failures never hold up the owner's known device; its own typos are limited per device", async () => {
    const { accounts, advance } = await setup();
    const first = await accounts.login('owner', OWNER_PASSWORD, '198.51.100.1');
    if (!first.ok) throw new Error('owner could not sign in');
    for (let i = 0; i < 300; i++) {
      await accounts.login('owner', 'guess', `10.2.${i >> 8}.${i & 255}`);
      advance(10_000);
    }
    // The budget is spent for strangers, even for the owner on a new browser...
    const stranger = await accounts.login('owner', OWNER_PASSWORD, '198.51.100.1');
    expect(stranger).toMatchObject({ ok: false, reason: 'throttled' });
    // ...but the known device goes straight in, from any address.
    const known = await accounts.login('owner', OWNER_PASSWORD, '192.0.2.77', first.deviceCookie);
    expect(known.ok).toBe(true);
    // Its own wrong passwords: 5, then it waits (the cookie is only good for this account).
    const cookie = known.ok ? known.deviceCookie : '';
    const typos = await Promise.all(Array.from({ length: 8 }, () => accounts.login('owner', 'typo', '192.0.2.77', cookie)));
    expect(typos.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(5);
    expect(typos.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(3);
  });

  it('a device cookie of another account counts for nothing; a right password is not charged to the budget', async () => {
    const { accounts, hasher } = await setup();
    await accounts.create('other', 'the-other-password', 'host');
    const other = await accounts.login('other', 'the-other-password', '198.51.100.2');
    if (!other.ok) throw new Error('other could not sign in');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => accounts.login('owner', 'guess', `10.3.0.${i}`, other.deviceCookie)),
    );
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(5);
    hasher.verifies = 0;
    for (let i = 0; i < 20; i++) {
      expect((await accounts.login('other', 'the-other-password', '198.51.100.2')).ok).toBe(true);
    }
    expect(hasher.verifies).toBe(20);
  });

  it('nothing is counted when the hasher cannot take the attempt', async () => {
    const { accounts, hasher } = await setup();
    hasher.unavailable = true;
    for (let i = 0; i < 10; i++) await expect(accounts.login('owner', 'guess', '203.0.113.5')).rejects.toBeInstanceOf(HasherUnavailable);
    hasher.unavailable = false;
    expect((await accounts.login('owner', OWNER_PASSWORD, '203.0.113.5')).ok).toBe(true);
  });

  it('IPv6 clients are one address per /64', async () => {
    const { accounts, hasher } = await setup();
    await accounts.create('second', 'second-password', 'host');
    // Different accounts, so only the per-address limit can bind.
    for (let i = 0; i < 10; i++) await accounts.login(i % 2 ? 'owner' : 'second', 'guess', `2001:db8:1:2::${i + 1}`);
    expect(hasher.verifies).toBe(5);
  });
});

describe('setup link', () => {
  it('expires after an hour', async () => {
    let now = 0;
    const s = (store = await openStore({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'conclave-setup-')) }));
    const accounts = new Accounts(s, new CountingHasher() as unknown as PasswordHasher, pino({ level: 'silent' }), 3600_000, {
      devices: new DeviceCookies(Buffer.alloc(32, 1)),
      limits: memoryLoginLimits(() => now),
      now: () => now,
    });
    const token = (await accounts.bootstrap(undefined))!;
    now += SETUP_LINK_TTL_MS;
    await expect(accounts.completeSetup(token, 'root', 'a-long-password')).rejects.toThrow(/expired/);
  });

  it('of two setups at once, one creates the admin; a failed hashing gives the link back', async () => {
    const s = (store = await openStore({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'conclave-setup-')) }));
    const hasher = new CountingHasher();
    const accounts = new Accounts(s, hasher as unknown as PasswordHasher, pino({ level: 'silent' }), 3600_000, {
      devices: new DeviceCookies(Buffer.alloc(32, 1)),
      limits: memoryLoginLimits(),
    });
    const token = (await accounts.bootstrap(undefined))!;
    hasher.unavailable = true;
    await expect(accounts.completeSetup(token, 'root', 'a-long-password')).rejects.toBeInstanceOf(HasherUnavailable);
    hasher.unavailable = false;
    const both = await Promise.allSettled([
      accounts.completeSetup(token, 'root', 'a-long-password'),
      accounts.completeSetup(token, 'mallory', 'a-long-password'),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await s.users.list()).map((u) => u.username)).toEqual(['root']);
  });
});

describe('revocation', () => {
  it('tells listeners when a user is deleted, demoted, reset or signed out', async () => {
    const { accounts, store: s } = await setup();
    const seen: Revocation[] = [];
    accounts.onRevoked((r) => seen.push(r));
    const hana = await accounts.create('hana', 'hana-password', 'admin');
    await accounts.update(hana.id, { role: 'admin' }); // no change: nothing to revoke
    await accounts.update(hana.id, { role: 'host' });
    await accounts.update(hana.id, { password: 'hana-password-2' });
    const session = await accounts.login('hana', 'hana-password-2', '198.51.100.3');
    if (!session.ok) throw new Error('no session');
    await accounts.logout(session.token);
    await accounts.logout('not-a-session');
    await accounts.delete(hana.id);
    expect(seen.map((r) => r.what)).toEqual(['demoted', 'password-reset', 'signed-out', 'deleted']);
    expect(seen.every((r) => r.userId === hana.id)).toBe(true);
    expect(await s.users.byId(hana.id)).toBeNull();
  });
});

describe('races between requests (the store is async: other requests run between a check and its act)', () => {
  const codes = (results: PromiseSettledResult<unknown>[]) =>
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof AccountError ? r.reason.code : String(r.reason))).sort();

  it('of accounts made at once with one name in different cases, one is made; the others are a conflict (409)', async () => {
    const { accounts, store: s } = await setup();
    const results = await Promise.allSettled(['hana', 'Hana', 'HANA'].map((n) => accounts.create(n, 'hana-password', 'host')));
    expect(codes(results)).toEqual(['conflict', 'conflict', 'ok']);
    expect((await s.users.list()).map((u) => u.username.toLowerCase())).toEqual(['hana', 'owner']);
  });

  it('two admins demoting each other at once, or deleted at once: one admin always stays', async () => {
    const { accounts, store: s } = await setup();
    const other = await accounts.create('second', 'second-password', 'admin');
    const owner = (await s.users.byUsername('owner'))!;
    const demoted = await Promise.allSettled([accounts.update(owner.id, { role: 'host' }), accounts.update(other.id, { role: 'host' })]);
    expect(codes(demoted)).toEqual(['last_admin', 'ok']);
    expect(await s.users.countAdmins()).toBe(1);
    const third = await accounts.create('third', 'third-password', 'admin');
    const admin = (await s.users.list()).find((u) => u.role === 'admin' && u.id !== third.id)!;
    const deleted = await Promise.allSettled([accounts.delete(admin.id), accounts.delete(third.id)]);
    expect(codes(deleted)).toEqual(['last_admin', 'ok']);
    expect(await s.users.countAdmins()).toBe(1);
  });
});
