/**
 * Coming back after a dropped connection, over the real REST API and
 * WebSocket: a guest in a meeting that was locked (or has a lobby) since
 * they joined gets back in with the pass their join gave, once, still
 * needing the room password; leaving on purpose, being removed, or the
 * meeting ending void the pass. Passes outlive a graceful restart of the
 * server (a new app on the same data directory honours them).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@conclave/protocol';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

const ADMIN_PASSWORD = 'correct-horse-battery';
let app: TestApp;
let admin: string;

async function post(route: string, body: unknown, cookie?: string) {
  const res = await fetch(`${app.url}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: app.url, ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function ticket(roomId: string, body: { password?: string; rejoinPass?: string }) {
  return post(`/api/rooms/${roomId}/ticket`, body);
}

async function joinAsGuest(roomId: string, name: string, body: { password?: string; rejoinPass?: string }) {
  const t = await ticket(roomId, body);
  if (t.status !== 200) return { refused: t.body['error']['code'] as string };
  const client = await TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.body['ticket'])}`);
  const joined = await client.request('join', { roomId, displayName: name });
  return { client, joined };
}

async function hostIn(roomId: string) {
  const client = await TestClient.connect(app.wsUrl, { Cookie: admin, Origin: app.url });
  await client.request('join', { roomId, displayName: 'Hana' });
  return client;
}

async function newRoom(options: { lobby?: boolean } = {}) {
  const created = await post('/api/rooms', { name: 'Standup', password: 'room-pass', ...options }, admin);
  expect(created.status).toBe(201);
  return created.body['id'] as string;
}

/** Kept across the restart test's two server processes (as a volume would be). */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-rejoin-'));

beforeAll(async () => {
  app = await startTestApp({ adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: false, dataDir });
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  admin = res.headers.get('set-cookie')!.split(';')[0]!;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('rejoin passes', () => {
  it('bring a dropped guest back into a meeting locked since, once, and only with the room password', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const guest = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!guest.joined || guest.joined.status !== 'joined') throw new Error('guest did not join');
    const pass = guest.joined.rejoinPass;
    await host.request('lockRoom', { locked: true });

    guest.client.ws.terminate(); // the connection drops
    await host.waitForNotification('peerLeft');
    expect(await joinAsGuest(roomId, 'Someone new', { password: 'room-pass' })).toEqual({ refused: 'room_locked' });
    expect((await ticket(roomId, { password: 'wrong', rejoinPass: pass })).body['error']['code']).toBe('wrong_room_password');

    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: pass });
    expect(back.joined?.status).toBe('joined');
    // The pass was used up by that join; the new join brought a new one.
    expect(await joinAsGuest(roomId, 'Grace again', { password: 'room-pass', rejoinPass: pass })).toEqual({ refused: 'room_locked' });
    expect(back.joined?.status === 'joined' && back.joined.rejoinPass).not.toBe(pass);
    back.client?.close();
    host.close();
  });

  it('skip the lobby for someone already let in', async () => {
    const roomId = await newRoom({ lobby: true });
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    expect(first.joined?.status).toBe('waiting');
    const { requestId } = await host.waitForNotification('lobbyEntered');
    await host.request('lobbyAdmit', { requestId });
    await first.client!.waitForNotification('lobbyDecision');
    const joined = await first.client!.request('join', { roomId, displayName: 'Grace' });
    if (joined.status !== 'joined') throw new Error('not admitted');
    first.client!.ws.terminate();
    await host.waitForNotification('peerLeft');

    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: joined.rejoinPass });
    expect(back.joined?.status).toBe('joined');
    back.client?.close();
    host.close();
  });

  it('are void after leaving on purpose, being removed, or the meeting ending', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const joinOnce = async (name: string) => {
      const g = await joinAsGuest(roomId, name, { password: 'room-pass' });
      if (!g.joined || g.joined.status !== 'joined') throw new Error('guest did not join');
      return { client: g.client, pass: g.joined.rejoinPass, peerId: g.joined.peerId };
    };
    const leaver = await joinOnce('Leaver');
    const removed = await joinOnce('Removed');
    const ended = await joinOnce('Ended');
    await host.request('lockRoom', { locked: true });

    await leaver.client.request('leave', {});
    leaver.client.close();
    await host.request('removePeer', { peerId: removed.peerId });
    for (const who of [leaver, removed]) {
      expect((await ticket(roomId, { password: 'room-pass', rejoinPass: who.pass })).body['error']['code']).toBe('room_locked');
    }

    await host.request('endMeeting', {});
    await ended.client.waitFor(() => ended.client.closeCode !== null || ended.client.notifications.some((n) => n.method === 'roomClosed'));
    expect((await ticket(roomId, { password: 'room-pass', rejoinPass: ended.pass })).body['error']['code']).toBe('room_locked');
    expect((await ticket(roomId, { password: 'room-pass', rejoinPass: 'made-up-pass' })).body['error']['code']).toBe('room_locked');
    host.close();
  });

  it('let one of two joins racing with the same pass back in; the other meets the lock', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!first.joined || first.joined.status !== 'joined') throw new Error('guest did not join');
    const pass = first.joined.rejoinPass;
    await host.request('lockRoom', { locked: true });
    first.client.ws.terminate();
    await host.waitForNotification('peerLeft');
    // Two tabs come back with one pass: both get a ticket (asking only looks at the pass), one join uses it up.
    const tickets = await Promise.all([0, 1].map(() => ticket(roomId, { password: 'room-pass', rejoinPass: pass })));
    const clients = await Promise.all(
      tickets.map((t) => TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.body['ticket'])}`)),
    );
    const joins = await Promise.all(clients.map((c) => c.call('join', { roomId, displayName: 'Grace' })));
    expect(joins.map((j) => (j.ok ? (j.data as { status: string }).status : j.error.code)).sort()).toEqual(['joined', 'room_locked']);
    for (const c of clients) c.close();
    host.close();
  });

  it('replace their old self when the server has not yet noticed the old connection die', async () => {
    const roomId = await newRoom();
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!first.joined || first.joined.status !== 'joined') throw new Error('guest did not join');
    const firstPeerId = first.joined.peerId;
    // The old socket still looks open to the server (a silent network failure); the browser rejoins.
    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: first.joined.rejoinPass });
    expect(back.joined?.status).toBe('joined');
    expect(await first.client.waitForClose()).toBe(CloseCode.Removed);
    await host.waitForNotification('peerLeft', (d) => d.peerId === firstPeerId);
    const room = app.registry.get(roomId)!;
    expect([...room.peers.values()].filter((p) => p.displayName === 'Grace')).toHaveLength(1);
    back.client?.close();
    host.close();
  });

  it('let someone back into a full meeting when their old self still holds the seat', async () => {
    const created = await post('/api/rooms', { name: 'Two seats', password: 'room-pass', maxParticipants: 2 }, admin);
    expect(created.status).toBe(201);
    const roomId = created.body['id'] as string;
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!first.joined || first.joined.status !== 'joined') throw new Error('guest did not join');
    expect(await joinAsGuest(roomId, 'Linus', { password: 'room-pass' })).toEqual({ refused: 'room_full' });
    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: first.joined.rejoinPass });
    expect(back.joined?.status).toBe('joined');
    expect(app.registry.get(roomId)!.peers.size).toBe(2);
    back.client?.close();
    host.close();
  });

  it('survive a rejoin that fails after using them (the meeting filled meanwhile): the next try gets in', async () => {
    const created = await post('/api/rooms', { name: 'Two seats, locked', password: 'room-pass', maxParticipants: 2 }, admin);
    const roomId = created.body['id'] as string;
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    if (!first.joined || first.joined.status !== 'joined') throw new Error('guest did not join');
    const pass = first.joined.rejoinPass;
    await host.request('lockRoom', { locked: true });
    first.client.ws.terminate();
    await host.waitForNotification('peerLeft');
    // Her ticket is issued while there is room; the seat is taken before her socket joins.
    const t = await ticket(roomId, { password: 'room-pass', rejoinPass: pass });
    expect(t.status).toBe(200);
    const secondHost = await hostIn(roomId);
    const late = await TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.body['ticket'])}`);
    const refused = await late.call('join', { roomId, displayName: 'Grace' });
    expect(refused.ok ? null : refused.error.code).toBe('room_full');
    late.close();
    // The seat frees up: her pass still lets her past the lock.
    secondHost.close();
    await host.waitForNotification('peerLeft');
    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: pass });
    expect(back.joined?.status).toBe('joined');
    back.client?.close();
    host.close();
  });

  it('refuses an oversized pass as bad input', async () => {
    const roomId = await newRoom();
    const res = await ticket(roomId, { password: 'room-pass', rejoinPass: 'x'.repeat(500) });
    expect(res.status).toBe(400);
    expect(res.body['error']['code']).toBe('bad_request');
  });

  it('outlive a graceful restart: everyone is told to rejoin, and the new server lets them back past lock and lobby', async () => {
    const roomId = await newRoom({ lobby: true });
    const host = await hostIn(roomId);
    const first = await joinAsGuest(roomId, 'Grace', { password: 'room-pass' });
    const { requestId } = await host.waitForNotification('lobbyEntered');
    await host.request('lobbyAdmit', { requestId });
    await first.client!.waitForNotification('lobbyDecision');
    const joined = await first.client!.request('join', { roomId, displayName: 'Grace' });
    if (joined.status !== 'joined') throw new Error('not admitted');
    await host.request('lockRoom', { locked: true });

    const stopping = app.close(); // what SIGTERM does
    for (const client of [host, first.client!]) {
      expect(await client.waitForClose()).toBe(CloseCode.ServiceRestart);
      expect(client.notifications.find((n) => n.method === 'roomClosed')?.data).toEqual({ reason: 'server-restart', rejoin: true });
    }
    await stopping;

    app = await startTestApp({ adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: false, dataDir });
    // Released at the stop (the earlier tests' passes too, within their grace): none was held at a crash.
    expect(app.passesRestored?.heldAtCrash).toBe(0);
    expect(app.passesRestored?.passes).toBeGreaterThanOrEqual(2);
    // The host comes back with their session; the guest with their pass, past the lock and the lobby.
    const hostAgain = await hostIn(roomId);
    expect(await joinAsGuest(roomId, 'Someone new', { password: 'room-pass' })).toEqual({ refused: 'room_locked' });
    expect((await ticket(roomId, { password: 'wrong', rejoinPass: joined.rejoinPass })).body['error']['code']).toBe('wrong_room_password');
    const back = await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: joined.rejoinPass });
    expect(back.joined?.status).toBe('joined');
    expect(app.registry.get(roomId)!.peers.size).toBe(2);
    // Once.
    expect(await joinAsGuest(roomId, 'Grace', { password: 'room-pass', rejoinPass: joined.rejoinPass })).toEqual({
      refused: 'room_locked',
    });
    back.client?.close();
    hostAgain.close();
  });
});
