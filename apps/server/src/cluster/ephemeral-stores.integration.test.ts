/**
 * The whole server with its join tickets, rejoin passes and password
 * throttles in Redis (redisEphemeralStores on a redis-server of its own),
 * over the real REST API and WebSocket: the assertions
 * rooms/rejoin.integration.test.ts and auth/accounts.integration.test.ts
 * make with the in-memory stores, plus a look at Redis to show that is
 * where the state went. Addresses are simulated with X-Forwarded-For
 * behind one trusted proxy hop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@conclave/protocol';
import { addressKey } from '../http/address-key.js';
import { hashPass } from '../store/rejoin-pass-store.js';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';
import { redisEphemeralStores } from './ephemeral-stores.js';
import { connectRedis, keys, sha256Hex, type RedisClient } from './redis.js';

const ADMIN_PASSWORD = 'redis-admin-password';
let redisServer: RedisServer;
let redis: RedisClient;
let app: TestApp;
let admin: string;

interface Reply {
  status: number;
  body: Record<string, any>;
}

async function post(route: string, body: unknown, cookie?: string, from?: string): Promise<Reply> {
  const res = await fetch(`${app.url}${route}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: app.url,
      ...(cookie ? { Cookie: cookie } : {}),
      ...(from ? { 'X-Forwarded-For': from } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const ticket = (roomId: string, body: { password?: string; rejoinPass?: string }, from?: string) =>
  post(`/api/rooms/${roomId}/ticket`, body, undefined, from);

async function joinAsGuest(roomId: string, name: string, body: { password?: string; rejoinPass?: string }) {
  const t = await ticket(roomId, body);
  if (t.status !== 200) return { refused: t.body['error']['code'] as string };
  const client = await TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.body['ticket'])}`);
  const joined = await client.request('join', { roomId, displayName: name });
  if (joined.status !== 'joined') throw new Error('guest did not join');
  return { client, joined };
}

async function hostIn(roomId: string) {
  const client = await TestClient.connect(app.wsUrl, { Cookie: admin, Origin: app.url });
  await client.request('join', { roomId, displayName: 'Hana' });
  return client;
}

async function newRoom(): Promise<string> {
  const created = await post('/api/rooms', { name: 'Standup', password: 'room-pass' }, admin);
  expect(created.status).toBe(201);
  return created.body['id'] as string;
}

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = await connectRedis({ url: redisServer.url });
  app = await startTestApp({ adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: false, trustProxyHops: 1 }, undefined, {
    ephemeral: () => redisEphemeralStores(redis),
  });
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '192.0.2.250' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  admin = res.headers.get('set-cookie')!.split(';')[0]!;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await redis?.close();
  await redisServer?.stop();
});

describe('the server with its ephemeral state in Redis', () => {
  it('keeps a join ticket in Redis (its hash only) and lets it open one socket, once', async () => {
    const roomId = await newRoom();
    const t = await ticket(roomId, { password: 'room-pass' });
    expect(t.status).toBe(200);
    const key = keys.ticket(sha256Hex(t.body['ticket']));
    expect(await redis.exists(key)).toBe(1);
    const url = `${app.wsUrl}?ticket=${encodeURIComponent(t.body['ticket'])}`;
    const client = await TestClient.connect(url);
    expect(await redis.exists(key)).toBe(0);
    await expect(TestClient.connect(url)).rejects.toThrow(/401/);
    expect((await client.request('join', { roomId, displayName: 'Grace' })).status).toBe('joined');
    client.close();
  });

  it('brings a dropped guest back into a meeting locked since with the pass kept in Redis, once, and only with the room password', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const guest = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!guest.joined) throw new Error('guest did not join');
    const pass = guest.joined.rejoinPass;
    expect(await redis.hGetAll(keys.pass(hashPass(pass)))).toEqual({ p: guest.joined.peerId, r: roomId, e: '' });
    await host.request('lockRoom', { locked: true });

    guest.client.ws.terminate(); // the connection drops: the pass's grace period starts
    await host.waitForNotification('peerLeft');
    await expect.poll(async () => (await redis.hGetAll(keys.pass(hashPass(pass))))['e']).not.toBe('');
    expect(await joinAsGuest(roomId, 'Someone new', { password: 'room-pass' })).toEqual({ refused: 'room_locked' });
    expect((await ticket(roomId, { password: 'wrong', rejoinPass: pass })).body['error']['code']).toBe('wrong_room_password');

    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: pass });
    expect(back.joined?.status).toBe('joined');
    // Used up by that join; the new join brought a new one.
    expect(await redis.exists(keys.pass(hashPass(pass)))).toBe(0);
    expect(await joinAsGuest(roomId, 'Grace again', { password: 'room-pass', rejoinPass: pass })).toEqual({ refused: 'room_locked' });
    expect(back.joined?.rejoinPass).not.toBe(pass);
    back.client?.close();
    host.close();
  });

  it('lets one of two joins racing with the same pass back in; the other meets the lock', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!first.joined) throw new Error('guest did not join');
    const pass = first.joined.rejoinPass;
    await host.request('lockRoom', { locked: true });
    first.client.ws.terminate();
    await host.waitForNotification('peerLeft');
    const tickets = await Promise.all([0, 1].map(() => ticket(roomId, { password: 'room-pass', rejoinPass: pass })));
    const clients = await Promise.all(
      tickets.map((t) => TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.body['ticket'])}`)),
    );
    const joins = await Promise.all(clients.map((c) => c.call('join', { roomId, displayName: 'Grace' })));
    expect(joins.map((j) => (j.ok ? (j.data as { status: string }).status : j.error.code)).sort()).toEqual(['joined', 'room_locked']);
    for (const c of clients) c.close();
    host.close();
  });

  it('replaces the old self of someone back with a pass before the server noticed the old connection die', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!first.joined) throw new Error('guest did not join');
    const firstPeerId = first.joined.peerId;
    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: first.joined.rejoinPass });
    expect(back.joined?.status).toBe('joined');
    expect(await first.client.waitForClose()).toBe(CloseCode.Removed);
    await host.waitForNotification('peerLeft', (d) => d.peerId === firstPeerId);
    expect([...app.registry.get(roomId)!.peers.values()].filter((p) => p.displayName === 'Grace')).toHaveLength(1);
    back.client?.close();
    host.close();
  });

  it('voids a pass in Redis when its holder leaves on purpose or is removed', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const leaver = await joinAsGuest(roomId, 'Leaver', { password: 'room-pass' });
    const removed = await joinAsGuest(roomId, 'Removed', { password: 'room-pass' });
    if (!leaver.joined || !removed.joined) throw new Error('guests did not join');
    await host.request('lockRoom', { locked: true });
    await leaver.client.request('leave', {});
    leaver.client.close();
    await host.request('removePeer', { peerId: removed.joined.peerId });
    for (const pass of [leaver.joined.rejoinPass, removed.joined.rejoinPass]) {
      expect(await redis.exists(keys.pass(hashPass(pass)))).toBe(0);
      expect((await ticket(roomId, { password: 'room-pass', rejoinPass: pass })).body['error']['code']).toBe('room_locked');
    }
    host.close();
  });

  it('throttles 20 parallel wrong room passwords to 5 checked guesses, counted in Redis', async () => {
    const roomId = await newRoom();
    // Twenty addresses of one /64: one client.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ticket(roomId, { password: 'not-the-password' }, `2001:db8:7:7::${(i + 1).toString(16)}`)),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(15);
    expect(await redis.exists(keys.throttle('room-password', `${addressKey('2001:db8:7:7::1')}|${roomId}`))).toBe(1);
    // Another address is not held up.
    expect((await ticket(roomId, { password: 'room-pass' }, '198.51.100.40')).status).toBe(200);
  });

  it('throttles 20 parallel wrong sign-ins to one account to 5 checked guesses, counted in Redis', async () => {
    const created = await post('/api/users', { username: 'owen', password: 'owen-password', role: 'host' }, admin);
    expect(created.status).toBe(201);
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post('/api/auth/login', { username: 'owen', password: `guess-${i}` }, undefined, `10.9.1.${i + 1}`),
      ),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(15);
    expect(await redis.exists(keys.throttle('login-account', 'owen'))).toBe(1);
    expect(await redis.exists(keys.budget('login-account', 'owen'))).toBe(1);
  });

  it('releases the passes of everyone still in a meeting when the server stops (their sockets close)', async () => {
    const roomId = await newRoom();
    const guest = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!guest.joined) throw new Error('guest did not join');
    const key = keys.pass(hashPass(guest.joined.rejoinPass));
    expect((await redis.hGetAll(key))['e']).toBe('');
    await app.close();
    expect(await guest.client.waitForClose()).toBe(CloseCode.ServiceRestart);
    expect(Number((await redis.hGetAll(key))['e'])).toBeGreaterThan(Date.now());
  });
});
