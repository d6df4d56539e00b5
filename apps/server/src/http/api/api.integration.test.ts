/**
 * The REST API and the WebSocket's host operations, as an attacker and as
 * each role would use them: every admin and host call refused for a guest
 * (and admin-only ones for a host), sign-in lockout, room-password
 * throttling, bad input always a 4xx, the setup link, /metrics behind its
 * token, and everything persisting across a restart. Run on each store:
 * SQLite, and PostgreSQL (started for this file; skipped, saying why, only
 * where its binaries are absent).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@conclave/protocol';
import type { Config } from '../../config.js';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../../test-support/postgres-server.js';
import { startTestApp, type TestApp } from '../../test-support/test-app.js';
import { TestClient } from '../../test-support/ws-client.js';

const ADMIN_PASSWORD = 'correct-horse-battery';

const BACKENDS: Array<{ name: string; skip: string | null }> = [
  { name: 'SQLite', skip: null },
  { name: 'PostgreSQL', skip: postgresSkipReason },
];

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`REST API on ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`, () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-api-'));
    let app: TestApp;
    let pg: PostgresServer | undefined;
    /** The store settings of a fresh install: SQLite in its data directory, or a new PostgreSQL database. */
    async function freshDatabase(): Promise<Config['database']> {
      return { url: pg ? await pg.createDatabase() : null, pool: 4 };
    }
    let database: Config['database'];

    async function api(method: string, route: string, body?: unknown, cookie?: string, extra: Record<string, string> = {}) {
      const res = await fetch(`${app.url}${route}`, {
        method,
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(cookie ? { Cookie: cookie } : {}), ...extra },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
    }

    async function login(username: string, password: string): Promise<string> {
      const res = await fetch(`${app.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      return cookie.split(';')[0]!;
    }

    let admin: string;
    let host: string;
    let hostRoom: string;

    beforeAll(async () => {
      if (backend.name === 'PostgreSQL') pg = await startPostgres();
      database = await freshDatabase();
      app = await startTestApp({
        database,
        dataDir,
        adminPassword: ADMIN_PASSWORD,
        allowAnonymousRooms: false,
        metrics: { token: 'metrics-token-0123456789', port: undefined, host: '127.0.0.1' },
      });
      expect(app.store.dialect).toBe(backend.name === 'PostgreSQL' ? 'postgres' : 'sqlite');
      admin = await login('admin', ADMIN_PASSWORD);
      expect((await api('POST', '/api/users', { username: 'hana', password: 'host-password-1', role: 'host' }, admin)).status).toBe(201);
      host = await login('hana', 'host-password-1');
      const created = await api('POST', '/api/rooms', { name: 'Hana standup', password: 'room-pass', lobby: false }, host);
      expect(created.status).toBe(201);
      hostRoom = created.body!['id'];
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await pg?.stop();
    });

    describe('access control', () => {
      const adminOnly: Array<[string, string, unknown?]> = [
        ['GET', '/api/users'],
        ['POST', '/api/users', { username: 'eve', password: 'eve-password-1', role: 'admin' }],
        ['PATCH', '/api/users/1', { role: 'host' }],
        ['DELETE', '/api/users/1'],
        ['GET', '/api/audit'],
        ['GET', '/api/health'],
      ];
      const hostOrAdmin: Array<[string, string, unknown?]> = [
        ['GET', '/api/rooms'],
        ['POST', '/api/rooms', { name: 'x' }],
        ['GET', '/api/rooms/ROOM'],
        ['PATCH', '/api/rooms/ROOM', { name: 'renamed' }],
        ['DELETE', '/api/rooms/ROOM'],
        ['POST', '/api/rooms/ROOM/end', {}],
        ['POST', '/api/rooms/ROOM/kick', { peerId: 'p' }],
        ['GET', '/api/auth/me'],
      ];

      it('refuses every admin and host call for a guest (401), and admin-only calls for a host (403)', async () => {
        for (const [method, route, body] of [...adminOnly, ...hostOrAdmin]) {
          const r = await api(method, route.replace('ROOM', hostRoom), body);
          expect(r.status, `${method} ${route} as guest`).toBe(401);
          expect(r.body?.['error']?.['code']).toBe('unauthenticated');
        }
        for (const [method, route, body] of adminOnly) {
          const r = await api(method, route, body, host);
          expect(r.status, `${method} ${route} as host`).toBe(403);
        }
      });

      it("hides other people's rooms from a host", async () => {
        const mine = await api('POST', '/api/rooms', { name: 'Admin room' }, admin);
        const id = mine.body!['id'];
        expect((await api('GET', `/api/rooms/${id}`, undefined, host)).status).toBe(404);
        expect((await api('PATCH', `/api/rooms/${id}`, { locked: true }, host)).status).toBe(404);
        expect((await api('GET', '/api/rooms', undefined, host)).body!['rooms'].map((r: { id: string }) => r.id)).toEqual([hostRoom]);
        expect((await api('GET', '/api/rooms', undefined, admin)).body!['rooms'].length).toBeGreaterThanOrEqual(2);
      });

      it('refuses host operations on the WebSocket for a guest', async () => {
        const ticket = (await api('POST', `/api/rooms/${hostRoom}/ticket`, { password: 'room-pass' })).body!;
        expect(ticket['role']).toBe('guest');
        const guest = await TestClient.connect(`${app.wsUrl}?ticket=${ticket['ticket']}`);
        const joined = await guest.request('join', { roomId: hostRoom, displayName: 'Guest' });
        expect(joined.status).toBe('joined');
        const calls: Array<[string, Record<string, unknown>]> = [
          ['mutePeer', { peerId: 'x' }],
          ['removePeer', { peerId: 'x' }],
          ['lockRoom', { locked: true }],
          ['endMeeting', {}],
          ['lobbyAdmit', { requestId: 'x' }],
          ['lobbyDeny', { requestId: 'x' }],
        ];
        for (const [method, data] of calls) {
          expect(await guest.call(method as 'mutePeer', data)).toMatchObject({ ok: false, error: { code: ErrorCode.Forbidden } });
        }
        // A host's own ticket skips the password and makes them host.
        const hostTicket = await fetch(`${app.url}/api/rooms/${hostRoom}/ticket`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: host },
          body: '{}',
        });
        expect(((await hostTicket.json()) as { role: string }).role).toBe('host');
        guest.close();
      });

      it('refuses the WebSocket without a ticket or session, and state-changing calls from another site', async () => {
        await expect(TestClient.connect(app.wsUrl)).rejects.toThrow(/401/);
        const r = await api('POST', '/api/rooms', { name: 'csrf' }, admin, { Origin: 'https://evil.example' });
        expect(r.status).toBe(403);
      });
    });

    describe('passwords and throttling', () => {
      it('locks out repeated wrong sign-ins, the same way for real and unknown users', async () => {
        const wrong = await api('POST', '/api/auth/login', { username: 'hana', password: 'nope-nope-nope' });
        const unknown = await api('POST', '/api/auth/login', { username: 'nobody-here', password: 'nope-nope-nope' });
        expect(wrong.status).toBe(401);
        expect(unknown.status).toBe(401);
        expect(wrong.body).toEqual(unknown.body); // nothing tells whether the user exists
        for (let i = 0; i < 4; i++) await api('POST', '/api/auth/login', { username: 'hana', password: 'nope-nope-nope' });
        const locked = await api('POST', '/api/auth/login', { username: 'hana', password: 'host-password-1' });
        expect(locked.status).toBe(429);
        expect(locked.body!['error']['code']).toBe('too_many_attempts');
        expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      });

      it('refuses a wrong room password with a clear error, then throttles', async () => {
        const wrong = await api('POST', `/api/rooms/${hostRoom}/ticket`, { password: 'guess' });
        expect(wrong.status).toBe(401);
        expect(wrong.body!['error']).toEqual({ code: 'wrong_room_password', message: 'that room password is not right' });
        expect((await api('POST', `/api/rooms/${hostRoom}/ticket`, {})).body!['error']['code']).toBe('wrong_room_password');
        for (let i = 0; i < 4; i++) await api('POST', `/api/rooms/${hostRoom}/ticket`, { password: 'guess' });
        expect((await api('POST', `/api/rooms/${hostRoom}/ticket`, { password: 'room-pass' })).status).toBe(429);
      });

      it('answers bad input with 4xx JSON, never 500', async () => {
        const cases = [
          await api('POST', '/api/rooms', '{not json', admin),
          await api('POST', '/api/rooms', { name: '' }, admin),
          await api('POST', '/api/rooms', { name: 'x', extra: 1 }, admin),
          await api('POST', '/api/rooms', { name: 'x', maxParticipants: 10_000 }, admin),
          await api('POST', '/api/users', { username: 'a b', password: 'short', role: 'king' }, admin),
          await api('POST', '/api/rooms', 'x'.repeat(20_000), admin),
          await api('POST', '/api/auth/login', 'username=a&password=b', undefined, { 'Content-Type': 'application/x-www-form-urlencoded' }),
          await api('PATCH', '/api/users/not-a-number', { role: 'host' }, admin),
          await api('GET', '/api/audit?limit=100000', undefined, admin),
          await api('GET', '/api/no-such-route'),
          await api('PUT', '/api/rooms'),
        ];
        for (const r of cases) {
          expect(r.status).toBeGreaterThanOrEqual(400);
          expect(r.status).toBeLessThan(500);
          expect(r.body!['error']).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        }
      });
    });

    describe('metrics', () => {
      it('serves Prometheus metrics only with the token', async () => {
        expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
        const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: 'Bearer metrics-token-0123456789' } });
        expect(res.status).toBe(200);
        const text = await res.text();
        for (const name of [
          'conclave_rooms',
          'conclave_peers',
          'conclave_transports',
          'conclave_producers',
          'conclave_consumers',
          'conclave_signaling_messages_total',
          'conclave_login_failures_total',
          'conclave_worker_cpu_percent',
        ]) {
          expect(text).toContain(name);
        }
      });
    });

    describe('persistence', () => {
      it('keeps users, rooms and the audit log across a restart', async () => {
        await api('PATCH', `/api/rooms/${hostRoom}`, { lobby: true }, admin);
        await app.close();
        app = await startTestApp({ database, dataDir, adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: false });
        const cookie = await login('admin', ADMIN_PASSWORD);
        const rooms = (await api('GET', '/api/rooms', undefined, cookie)).body!['rooms'] as Array<{
          id: string;
          lobby: boolean;
          hasPassword: boolean;
        }>;
        expect(rooms.find((r) => r.id === hostRoom)).toMatchObject({ lobby: true, hasPassword: true });
        const users = (await api('GET', '/api/users', undefined, cookie)).body!['users'] as Array<{ username: string }>;
        expect(users.map((u) => u.username).sort()).toEqual(['admin', 'hana']);
        const audit = (await api('GET', '/api/audit', undefined, cookie)).body!['entries'] as Array<{
          action: string;
          actor: string;
          ip: string;
        }>;
        expect(audit.find((e) => e.action === 'room.create' && e.actor === 'hana')?.ip).toBeTruthy();
        expect(audit.some((e) => e.action === 'user.create')).toBe(true);
        expect(audit.some((e) => e.action === 'auth.login-failed')).toBe(true);
      });
    });

    describe('first start', () => {
      it('prints a one-time setup link when there is no admin password, and it works once', async () => {
        const fresh = await startTestApp({
          database: await freshDatabase(),
          dataDir: mkdtempSync(path.join(os.tmpdir(), 'conclave-setup-')),
          adminPassword: undefined,
          allowAnonymousRooms: false,
        });
        try {
          expect(fresh.setupToken).toBeTruthy();
          const status = await fetch(`${fresh.url}/api/setup`);
          expect(await status.json()).toEqual({ needed: true });
          const post = (body: unknown) =>
            fetch(`${fresh.url}/api/setup`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(body),
            });
          expect((await post({ token: 'wrong', username: 'root', password: 'a-long-password' })).status).toBe(403);
          const ok = await post({ token: fresh.setupToken, username: 'root', password: 'a-long-password' });
          expect(ok.status).toBe(201);
          expect(ok.headers.get('set-cookie')).toMatch(/conclave_session=/);
          expect((await post({ token: fresh.setupToken, username: 'root2', password: 'a-long-password' })).status).toBe(403);
        } finally {
          await fresh.close();
        }
      });
    });

    // Last: it stops the database under the running server (PostgreSQL only: SQLite is a file in the process).
    if (backend.name === 'PostgreSQL')
      describe('when PostgreSQL goes away', () => {
        it('answers 503 with Retry-After to what needs it (REST and a signed-in socket), and meetings already on go on', async () => {
          const anonymousRoom = await startTestApp({ database: await freshDatabase(), allowAnonymousRooms: true });
          try {
            const guest = await TestClient.connect(await anonymousRoom.ticketUrl('still-on'));
            expect((await guest.request('join', { roomId: 'still-on', displayName: 'Guest' })).status).toBe('joined');
            await pg!.stop();
            const rooms = await api('GET', '/api/rooms', undefined, admin);
            expect(rooms.status).toBe(503);
            expect(rooms.body!['error']['code']).toBe('unavailable');
            expect(rooms.headers.get('retry-after')).toBe('2');
            await expect(TestClient.connect(app.wsUrl, { Cookie: admin, Origin: app.url })).rejects.toThrow(/503/);
            // The meeting that was on needs no database: its guest can still ask things of the room.
            expect(await guest.call('chatSend', { message: 'AQID_-' })).toMatchObject({ ok: true });
            guest.close();
          } finally {
            await anonymousRoom.close();
          }
        });
      });
  });
}
