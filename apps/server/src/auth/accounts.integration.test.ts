/**
 * Accounts over the real HTTP API and signaling: sign-in limits with device
 * cookies (addresses simulated with X-Forwarded-For behind one trusted
 * proxy hop), 503 when the hasher is busy, room password length, hosts of
 * anonymous rooms, the setup link claimed once, and account changes
 * reaching open sockets at once.
 */
import { CloseCode } from '@conclave/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';
import { HasherUnavailable, type PasswordHasher } from './password-hasher.js';

const ADMIN_PASSWORD = 'integration-admin-pw';
let app: TestApp;
let admin: string;

interface Reply {
  status: number;
  body: Record<string, any> | null;
  headers: Headers;
}

async function api(method: string, route: string, body?: unknown, cookie?: string, from?: string): Promise<Reply> {
  const res = await fetch(`${app.url}${route}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
      ...(from ? { 'X-Forwarded-For': from } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Signs in; returns the session cookie and the device cookie, as `name=value`. */
async function login(username: string, password: string, from?: string, device?: string) {
  const r = await api('POST', '/api/auth/login', { username, password }, device, from);
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  const cookies = r.headers.getSetCookie();
  const pick = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!;
  return { session: pick('conclave_session').split(';')[0]!, device: pick('conclave_device').split(';')[0]!, raw: pick('conclave_device') };
}

async function ticketFor(roomId: string, cookie?: string, password?: string) {
  const r = await api('POST', `/api/rooms/${roomId}/ticket`, password === undefined ? {} : { password }, cookie);
  if (r.status !== 200) throw new Error(`ticket: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { ticket: string; role: 'host' | 'guest' };
}

async function joinWithTicket(roomId: string, cookie?: string) {
  const t = await ticketFor(roomId, cookie);
  const client = await TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.ticket)}`);
  const joined = await client.request('join', { roomId, displayName: 'Someone' });
  if (joined.status !== 'joined') throw new Error('not joined');
  return { client, role: joined.role };
}

async function newUser(username: string, role: 'admin' | 'host'): Promise<number> {
  const r = await api('POST', '/api/users', { username, password: `${username}-password`, role }, admin);
  expect(r.status).toBe(201);
  return r.body!['user']['id'] as number;
}

async function newRoom(cookie: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api('POST', '/api/rooms', { name: 'Planning', ...extra }, cookie);
  expect(r.status).toBe(201);
  return r.body!['id'] as string;
}

const hasherOf = (a: TestApp) => (a.accounts as unknown as { hasher: PasswordHasher }).hasher;

beforeAll(async () => {
  // One trusted proxy hop (CONCLAVE_TRUST_PROXY=1): the rightmost X-Forwarded-For entry names the client.
  app = await startTestApp({ adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: true, trustProxyHops: 1 });
  admin = (await login('admin', ADMIN_PASSWORD, '192.0.2.250')).session;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('sign-in limits', () => {
  it("sets a device cookie; strangers' failures from other addresses never hold that device up", async () => {
    await newUser('owen', 'host');
    const owner = await login('owen', 'owen-password', '198.51.100.10');
    expect(owner.raw).toMatch(/HttpOnly/i);
    expect(owner.raw).toMatch(/SameSite=Strict/i);
    expect(owner.raw).toMatch(/Path=\/api\/auth/);
    expect(owner.raw).toMatch(/Max-Age=\d{7,}/);

    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api('POST', '/api/auth/login', { username: 'owen', password: `guess-${i}` }, undefined, `10.9.0.${i + 1}`),
      ),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(5);
    const refused = burst.filter((r) => r.status === 429);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    // The known browser gets in at once, from wherever it is now (a new browser would share the strangers' limits:
    // auth/accounts.test.ts shows that with a simulated clock, where a second's delay cannot make it flaky).
    const back = await login('owen', 'owen-password', '192.0.2.1', owner.device);
    expect(back.device).toMatch(/^conclave_device=v1\./);
  });

  it('answers 503 with Retry-After when the password hasher is full, and counts nothing', async () => {
    const hasher = hasherOf(app);
    const roomId = await newRoom(admin, { password: 'room-password-1' });
    const verify = vi.spyOn(hasher, 'verify').mockImplementation(() => Promise.reject(new HasherUnavailable('queue_full')));
    try {
      for (let i = 0; i < 8; i++) {
        const r = await api('POST', '/api/auth/login', { username: 'admin', password: 'whatever' }, undefined, '198.51.100.77');
        expect(r.status).toBe(503);
        expect(r.body!['error']['code']).toBe('unavailable');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const ticket = await api('POST', `/api/rooms/${roomId}/ticket`, { password: 'a-guess-here' }, undefined, '198.51.100.77');
      expect(ticket.status).toBe(503);
    } finally {
      verify.mockRestore();
    }
    // Eight refused attempts were not counted against the address.
    expect((await api('POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, undefined, '198.51.100.77')).status).toBe(
      200,
    );
  });

  it('20 parallel wrong room passwords are 5 checked guesses; the rest wait', async () => {
    const roomId = await newRoom(admin, { password: 'room-password-2' });
    // Twenty addresses of one /64: one client.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api('POST', `/api/rooms/${roomId}/ticket`, { password: 'not-the-password' }, undefined, `2001:db8:5:5::${(i + 1).toString(16)}`),
      ),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(15);
  });
});

describe('room passwords', () => {
  it('are at least 8 characters, said plainly', async () => {
    const short = await api('POST', '/api/rooms', { name: 'Short', password: 'seven77' }, admin);
    expect(short.status).toBe(400);
    expect(short.body!['error']['message']).toContain('room password: at least 8 characters');
    const roomId = await newRoom(admin);
    const patch = await api('PATCH', `/api/rooms/${roomId}`, { password: 'abc' }, admin);
    expect(patch.status).toBe(400);
    expect(patch.body!['error']['message']).toContain('room password: at least 8 characters');
    expect((await api('PATCH', `/api/rooms/${roomId}`, { password: 'eight888' }, admin)).status).toBe(200);
  });
});

describe('anonymous rooms (CONCLAVE_ALLOW_ANONYMOUS_ROOMS=1)', () => {
  it('make nobody host, not even a signed-in admin; stored rooms keep their hosts', async () => {
    const anonymous = 'nobodys-room-1';
    const bySession = await TestClient.connect(app.wsUrl, { Cookie: admin });
    const joined = await bySession.request('join', { roomId: anonymous, displayName: 'Admin' });
    expect(joined.status === 'joined' && joined.role).toBe('guest');
    const lock = await bySession.call('lockRoom', { locked: true });
    expect(lock.ok).toBe(false);
    const byTicket = await joinWithTicket(anonymous, admin);
    expect(byTicket.role).toBe('guest');
    const own = await newRoom(admin);
    const host = await TestClient.connect(app.wsUrl, { Cookie: admin });
    const ownJoin = await host.request('join', { roomId: own, displayName: 'Admin' });
    expect(ownJoin.status === 'joined' && ownJoin.role).toBe('host');
    for (const c of [bySession, byTicket.client, host]) c.close();
  });
});

describe('account changes reach open sockets', () => {
  it('a deleted host is out at once, and comes back as a guest without powers', async () => {
    const id = await newUser('dora', 'host');
    const dora = await login('dora', 'dora-password');
    const roomId = await newRoom(dora.session);
    const { client, role } = await joinWithTicket(roomId, dora.session);
    expect(role).toBe('host');
    expect((await client.call('lockRoom', { locked: false })).ok).toBe(true);
    const started = performance.now();
    expect((await api('DELETE', `/api/users/${id}`, undefined, admin)).status).toBe(204);
    expect(await client.waitForClose(1000)).toBe(CloseCode.AccountChanged);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(1);
    // What the client does next: a fresh ticket with the cookie it still has.
    const again = await joinWithTicket(roomId, dora.session);
    expect(again.role).toBe('guest');
    expect((await again.client.call('lockRoom', { locked: true })).ok).toBe(false);
    again.client.close();
  });

  it('a demoted admin keeps host only of their own rooms', async () => {
    const id = await newUser('ada', 'admin');
    const ada = await login('ada', 'ada-password');
    const othersRoom = await newRoom(admin);
    const ownRoom = await newRoom(ada.session);
    const inOthers = await joinWithTicket(othersRoom, ada.session);
    const inOwn = await joinWithTicket(ownRoom, ada.session);
    expect([inOthers.role, inOwn.role]).toEqual(['host', 'host']);
    expect((await api('PATCH', `/api/users/${id}`, { role: 'host' }, admin)).status).toBe(200);
    expect(await inOthers.client.waitForClose(1000)).toBe(CloseCode.AccountChanged);
    expect((await inOwn.client.call('lockRoom', { locked: false })).ok).toBe(true);
    expect(inOwn.client.closeCode).toBeNull();
    expect((await joinWithTicket(othersRoom, ada.session)).role).toBe('guest');
    inOwn.client.close();
  });

  it('signing out closes that session’s sockets only; a password reset closes them all', async () => {
    const id = await newUser('sam', 'host');
    const laptop = await login('sam', 'sam-password');
    const phone = await login('sam', 'sam-password');
    const roomId = await newRoom(laptop.session);
    const onLaptop = await joinWithTicket(roomId, laptop.session);
    const onLaptopBySession = await TestClient.connect(app.wsUrl, { Cookie: laptop.session });
    const onPhone = await joinWithTicket(roomId, phone.session);
    expect((await api('POST', '/api/auth/logout', undefined, laptop.session)).status).toBe(204);
    expect(await onLaptop.client.waitForClose(1000)).toBe(CloseCode.AccountChanged);
    expect(await onLaptopBySession.waitForClose(1000)).toBe(CloseCode.AccountChanged);
    expect((await onPhone.client.call('lockRoom', { locked: false })).ok).toBe(true);
    expect((await api('PATCH', `/api/users/${id}`, { password: 'sam-new-password' }, admin)).status).toBe(200);
    expect(await onPhone.client.waitForClose(1000)).toBe(CloseCode.AccountChanged);
  });
});

describe('setup link', () => {
  it('two setups at once create one admin', async () => {
    const fresh = await startTestApp({ adminPassword: undefined });
    try {
      expect(fresh.setupToken).toBeTruthy();
      const post = (username: string) =>
        fetch(`${fresh.url}/api/setup`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ token: fresh.setupToken, username, password: 'a-long-password' }),
        });
      const [a, b] = await Promise.all([post('root'), post('mallory')]);
      expect([a.status, b.status].sort()).toEqual([201, 403]);
      expect(await fresh.store.users.list()).toHaveLength(1);
      const created = a.status === 201 ? a : b;
      expect(created.headers.getSetCookie().some((c) => c.startsWith('conclave_device='))).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
