/**
 * Two Conclave nodes behind one "domain" (any node's URL), sharing a Redis
 * and a PostgreSQL that this test starts on loopback. A meeting lives whole
 * on its home node: a ticket from either node's REST API names that home,
 * and a WebSocket opened at the other node is passed on to it, so both
 * people meet in one room with distinct sender indexes. A meeting's home is
 * free again once it empties (the next one may start elsewhere), and when
 * the home node stops, its members come back on the other node with their
 * rejoin passes (kept in Redis).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '@conclave/protocol';
import type { Config } from '../config.js';
import { startPostgres, type PostgresServer } from '../test-support/postgres-server.js';
import { startRedisServer, type RedisServer } from '../test-support/redis-server.js';
import { freePort } from '../hostile/server-process.js';
import { poll } from '../test-support/poll.js';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

const SECRET = 'cluster-test-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'correct-horse-battery';

describe('two nodes behind one domain', () => {
  let redis: RedisServer;
  let pg: PostgresServer;
  let database: Config['database'];
  const nodes: Record<string, TestApp> = {};

  async function startNode(id: string): Promise<TestApp> {
    const port = await freePort();
    const app = await startTestApp({
      port,
      database,
      cluster: { redisUrl: redis.url, nodeId: id, internalUrl: `http://127.0.0.1:${port}`, secret: SECRET },
      adminPassword: ADMIN_PASSWORD,
    });
    nodes[id] = app;
    return app;
  }

  /** Where a meeting lives now: the node whose registry has it. */
  const homeOf = (roomId: string) => Object.entries(nodes).find(([, app]) => app.registry.get(roomId))?.[0];

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedisServer(), startPostgres()]);
    database = { url: await pg.createDatabase(), pool: 4 };
    await startNode('node-a');
    await startNode('node-b');
  }, 60_000);
  afterAll(async () => {
    for (const app of Object.values(nodes)) await app.close().catch(() => undefined);
    await Promise.all([redis?.stop(), pg?.stop()]);
  });

  it('meets people who came through different nodes in one room on its home node', async () => {
    const a = nodes['node-a']!;
    const b = nodes['node-b']!;
    expect((await a.cluster!.registry.liveNodes()).map((n) => n.id).sort()).toEqual(['node-a', 'node-b']);
    const roomId = `cluster-${process.pid}-1`;
    // Ada's ticket comes from node A, and her socket goes to node B: wherever the ticket put her, she lands there.
    const adaTicket = new URL(await a.ticketUrl(roomId)).search;
    // Both send the Origin a browser on the page of the node they reached would: same-origin there, and at the home
    // after the hop too (the home checks it against the Host the browser used, which the forwarder vouches for).
    const ada = await TestClient.connect(`${b.wsUrl}${adaTicket}`, { Origin: b.url });
    const adaJoin = await ada.request('join', { roomId, displayName: 'Ada' });
    if (adaJoin.status !== 'joined') throw new Error('Ada did not join');
    const home = homeOf(roomId)!;
    expect(home).toBeDefined();
    expect((await a.cluster!.ownership.owner(roomId))?.node).toBe(home);
    // Grace asks the other node for her ticket and opens her socket there too.
    const other = home === 'node-a' ? b : a;
    const grace = await TestClient.connect(await other.ticketUrl(roomId), { Origin: other.url });
    const graceJoin = await grace.request('join', { roomId, displayName: 'Grace' });
    if (graceJoin.status !== 'joined') throw new Error('Grace did not join');
    expect(graceJoin.peers.map((p) => p.displayName)).toEqual(['Ada']);
    expect(graceJoin.senderIndex).not.toBe(adaJoin.senderIndex);
    await ada.waitForNotification('peerJoined', (p) => p.displayName === 'Grace');
    // One meeting, on one node only: the other never made a room.
    expect(
      Object.entries(nodes)
        .filter(([, app]) => app.registry.get(roomId))
        .map(([id]) => id),
    ).toEqual([home]);
    // Signaling crosses the forwarder both ways (a chat relay needs a member on each end).
    expect(await grace.call('chatSend', { message: 'AQID_-' })).toMatchObject({ ok: true });
    await ada.waitForNotification('chatMessage');

    // The admin page, on either node, lists both nodes; the meeting and its two people count on its home.
    const login = await fetch(`${other.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const report = await poll(
      async () => {
        const r = (await (await fetch(`${other.url}/api/health`, { headers: { Cookie: cookie } })).json()) as HealthReport;
        return r.nodes?.find((n) => n.id === home)?.peers === 2 ? r : null;
      },
      10_000,
      'the home node reporting its two people',
    );
    expect(report.nodes!.map((n) => [n.id, n.self, n.state]).sort()).toEqual(
      [
        ['node-a', other === a, 'serving'],
        ['node-b', other === b, 'serving'],
      ].sort(),
    );
    expect(report.nodes!.find((n) => n.id === home)!.rooms).toBe(1);

    // Empty again: the home is free.
    ada.close();
    grace.close();
    await poll(async () => (await a.cluster!.ownership.owner(roomId)) === null, 5000, 'home released');
  });

  it('orders 20 joins at once through both nodes into one meeting on one home', async () => {
    const a = nodes['node-a']!;
    const b = nodes['node-b']!;
    const roomId = `cluster-${process.pid}-burst`;
    const names = Array.from({ length: 20 }, (_, i) => `P${i}`);
    // Tickets from alternating nodes, sockets opened at the other one: every join is placed and forwarded.
    const tickets = await Promise.all(names.map((_, i) => (i % 2 ? a : b).ticketUrl(roomId)));
    const clients = await Promise.all(tickets.map((t, i) => TestClient.connect(`${(i % 2 ? b : a).wsUrl}${new URL(t).search}`)));
    try {
      const answers = await Promise.all(clients.map((c, i) => c.request('join', { roomId, displayName: names[i]! })));
      const joined = answers.map((r, i) => {
        if (r.status !== 'joined') throw new Error(`${names[i]} did not join: ${r.status}`);
        return r;
      });
      // One home, one room: the other node never made one.
      const home = homeOf(roomId)!;
      expect(Object.values(nodes).filter((app) => app.registry.get(roomId))).toHaveLength(1);
      expect((await a.cluster!.ownership.owner(roomId))?.node).toBe(home);
      // Distinct sender indexes (they key each member's frames).
      expect(new Set(joined.map((r) => r.senderIndex)).size).toBe(20);
      // One order for all: the k-th to join was told of exactly the k-1 before it.
      const seenBefore = joined.map((r) => new Set(r.peers.map((p) => p.displayName)));
      const byOrder = names.map((n, i) => ({ n, k: seenBefore[i]!.size })).sort((x, y) => x.k - y.k);
      expect(byOrder.map((x) => x.k)).toEqual(names.map((_, i) => i));
      for (const [k, { n }] of byOrder.entries()) {
        expect([...seenBefore[names.indexOf(n)]!].sort(), `${n} was told of those before it`).toEqual(
          byOrder
            .slice(0, k)
            .map((x) => x.n)
            .sort(),
        );
      }
      // And everyone hears of everyone who came after them.
      for (const [i, c] of clients.entries()) {
        const later = byOrder.slice(seenBefore[i]!.size + 1).map((x) => x.n);
        await c.waitFor(
          () =>
            later.every((n) =>
              c.notifications.some((m) => m.method === 'peerJoined' && (m.data as { displayName: string }).displayName === n),
            ),
          10_000,
          `${names[i]} told of everyone after them`,
        );
      }
    } finally {
      for (const c of clients) c.close();
    }
    await poll(async () => (await a.cluster!.ownership.owner(roomId)) === null, 10_000, 'home released');
  });

  it('offers one setup link for a fresh cluster, usable once on any node', async () => {
    // Two more nodes on a database of their own, with no admin password: the first start of a new cluster.
    const fresh = { url: await pg.createDatabase(), pool: 2 };
    const started: TestApp[] = [];
    try {
      for (const id of ['node-c', 'node-d']) {
        const port = await freePort();
        started.push(
          await startTestApp({
            port,
            database: fresh,
            cluster: { redisUrl: redis.url, nodeId: id, internalUrl: `http://127.0.0.1:${port}`, secret: SECRET },
          }),
        );
      }
      const [c, d] = started as [TestApp, TestApp];
      // Only the first to start offers (and prints) a link; both know setup is needed.
      expect(c.setupToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(d.setupToken).toBeNull();
      for (const app of started) expect(await (await fetch(`${app.url}/api/setup`)).json()).toEqual({ needed: true });
      const setUp = (app: TestApp, username: string) =>
        fetch(`${app.url}/api/setup`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: app.url },
          body: JSON.stringify({ token: c.setupToken, username, password: 'a-long-enough-password' }),
        });
      // Used through the other node, at once with a second try through the first: one admin.
      const [viaD, viaC] = await Promise.all([setUp(d, 'root'), setUp(c, 'mallory')]);
      expect([viaD.status, viaC.status].sort()).toEqual([201, 403]);
      for (const app of started) expect(await (await fetch(`${app.url}/api/setup`)).json()).toEqual({ needed: false });
      expect((await setUp(d, 'again')).status).toBe(403);
    } finally {
      for (const app of started) await app.close().catch(() => undefined);
    }
  });

  it('lets the admin page on any node see and act on a meeting whose home is another node', async () => {
    const a = nodes['node-a']!;
    const b = nodes['node-b']!;
    const login = async (app: TestApp) => {
      const res = await fetch(`${app.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(res.status).toBe(200);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    };
    const api = async (app: TestApp, cookie: string, method: string, route: string, body?: unknown) => {
      const res = await fetch(`${app.url}${route}`, {
        method,
        headers: { Cookie: cookie, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
    };
    const created = await api(a, await login(a), 'POST', '/api/rooms', { name: 'Board meeting' });
    expect(created.status).toBe(201);
    const roomId = created.body!['id'] as string;
    const ada = await TestClient.connect(await a.ticketUrl(roomId));
    const grace = await TestClient.connect(await b.ticketUrl(roomId));
    expect((await ada.request('join', { roomId, displayName: 'Ada' })).status).toBe('joined');
    const graceJoin = await grace.request('join', { roomId, displayName: 'Grace' });
    if (graceJoin.status !== 'joined') throw new Error('Grace did not join');
    const home = homeOf(roomId)!;
    const away = home === 'node-a' ? b : a;
    const cookie = await login(away);

    const summary = await api(away, cookie, 'GET', `/api/rooms/${roomId}`);
    expect(summary.status).toBe(200);
    expect((summary.body!['live']['participants'] as Array<{ displayName: string }>).map((p) => p.displayName).sort()).toEqual([
      'Ada',
      'Grace',
    ]);
    expect((await api(away, cookie, 'PATCH', `/api/rooms/${roomId}`, { locked: true })).status).toBe(200);
    await ada.waitForNotification('roomUpdated', (d) => d.locked);
    expect((await api(away, cookie, 'POST', `/api/rooms/${roomId}/kick`, { peerId: 'nobody-here' })).status).toBe(404);
    expect((await api(away, cookie, 'POST', `/api/rooms/${roomId}/kick`, { peerId: graceJoin.peerId })).status).toBe(204);
    expect(await grace.waitForNotification('roomClosed')).toMatchObject({ reason: 'removed', rejoin: false });
    await ada.waitForNotification('peerLeft', (d) => d.peerId === graceJoin.peerId);
    expect((await api(away, cookie, 'POST', `/api/rooms/${roomId}/end`)).status).toBe(204);
    expect(await ada.waitForNotification('roomClosed')).toMatchObject({ reason: 'ended-by-host', rejoin: false });
    // Each action is in the audit log once (written where it happened).
    const audit = await api(away, cookie, 'GET', '/api/audit?limit=50');
    const actions = (audit.body!['entries'] as Array<{ action: string; target: string | null }>).filter((e) =>
      e.target?.startsWith(roomId),
    );
    expect(actions.map((e) => e.action).sort()).toEqual(['meeting.end', 'participant.remove', 'room.create', 'room.lock']);
    ada.close();
    grace.close();

    // A meeting held only for its lobby is nobody's home once its last guest goes.
    const lobbyRoom = await api(away, cookie, 'POST', '/api/rooms', { name: 'Office hours', lobby: true });
    const lobbyId = lobbyRoom.body!['id'] as string;
    const guest = await TestClient.connect(await away.ticketUrl(lobbyId));
    expect((await guest.request('join', { roomId: lobbyId, displayName: 'Guest' })).status).toBe('waiting');
    expect(await a.cluster!.ownership.owner(lobbyId)).not.toBeNull();
    guest.close();
    await poll(async () => (await a.cluster!.ownership.owner(lobbyId)) === null, 5000, 'the lobby-only meeting released');

    // A room deleted through a node other than its meeting's home: the meeting closes there, for everyone.
    const retro = await api(a, await login(a), 'POST', '/api/rooms', { name: 'Retro' });
    const retroId = retro.body!['id'] as string;
    const linus = await TestClient.connect(await a.ticketUrl(retroId));
    expect((await linus.request('join', { roomId: retroId, displayName: 'Linus' })).status).toBe('joined');
    const elsewhere = homeOf(retroId) === 'node-a' ? b : a;
    expect((await api(elsewhere, await login(elsewhere), 'DELETE', `/api/rooms/${retroId}`)).status).toBe(204);
    expect(await linus.waitForNotification('roomClosed')).toMatchObject({ reason: 'deleted', rejoin: false, by: 'admin' });
    await poll(async () => !homeOf(retroId), 5000, 'the deleted room’s meeting gone from its home');
    linus.close();
  });

  it('keeps a meeting on while Redis restarts (losing its data): new tickets get 503 meanwhile, then go to the same home', async () => {
    const roomId = `cluster-${process.pid}-redis`;
    const a = nodes['node-a']!;
    const b = nodes['node-b']!;
    const ada = await TestClient.connect(await a.ticketUrl(roomId));
    const grace = await TestClient.connect(await b.ticketUrl(roomId));
    for (const [c, name] of [
      [ada, 'Ada'],
      [grace, 'Grace'],
    ] as const) {
      expect((await c.request('join', { roomId, displayName: name })).status).toBe('joined');
    }
    const home = homeOf(roomId)!;
    const restarting = redis.restart({ signal: 'SIGKILL', downMs: 1500 });
    await new Promise((r) => setTimeout(r, 300));
    const refused = await fetch(`${a.url}/api/rooms/${roomId}/ticket`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    // The meeting needs no Redis to go on.
    expect(await grace.call('chatSend', { message: 'AQID_-' })).toMatchObject({ ok: true });
    await ada.waitForNotification('chatMessage');
    await restarting;
    const backAt = Date.now();
    // Back: the home took its lease again (Redis forgot it) and new tickets find it there.
    await poll(
      async () => (await nodes[home]!.cluster!.ownership.owner(roomId).catch(() => null))?.node === home,
      10_000,
      'lease taken again',
    );
    // Each node's Redis client reconnects with a short backoff; a browser retries its ticket the same way.
    const ticket = await poll(() => b.ticketUrl(roomId).catch(() => null), 10_000, 'a ticket from node B again');
    console.log(`[cluster] tickets served again ${Date.now() - backAt} ms after Redis was back`);
    await poll(() => a.ticketUrl(roomId).catch(() => null), 10_000, 'a ticket from node A again');
    const late = await TestClient.connect(ticket);
    const lateJoin = await late.request('join', { roomId, displayName: 'Late' });
    if (lateJoin.status !== 'joined') throw new Error('Late did not join');
    expect(lateJoin.peers.map((p) => p.displayName).sort()).toEqual(['Ada', 'Grace']);
    for (const c of [ada, grace]) expect(c.notifications.some((n) => n.method === 'roomClosed')).toBe(false);
    // Both nodes list themselves again at their next heartbeat (Redis forgot the directory too).
    await poll(async () => (await a.cluster!.registry.liveNodes()).length === 2, 10_000, 'both nodes listed again');
    for (const c of [ada, grace, late]) c.close();
  });

  it('brings a meeting back on the other node when its home stops; members return with their rejoin passes', async () => {
    const roomId = `cluster-${process.pid}-2`;
    const a = nodes['node-a']!;
    const first = await TestClient.connect(await a.ticketUrl(roomId));
    const joined = await first.request('join', { roomId, displayName: 'Linus' });
    if (joined.status !== 'joined') throw new Error('Linus did not join');
    const home = homeOf(roomId)!;
    const survivor = Object.keys(nodes).find((id) => id !== home)!;
    const stoppedAt = Date.now();
    await nodes[home]!.close();
    delete nodes[home];
    // Told to rejoin (the server is restarting); his pass lets him back, now on the survivor.
    expect(await first.waitForNotification('roomClosed')).toMatchObject({ rejoin: true });
    const back = await TestClient.connect(await nodes[survivor]!.ticketUrl(roomId, undefined, undefined, joined.rejoinPass));
    const rejoined = await back.request('join', { roomId, displayName: 'Linus' });
    expect(rejoined.status).toBe('joined');
    expect(homeOf(roomId)).toBe(survivor);
    console.log(`[cluster] home node stopped; the meeting was back on ${survivor} ${Date.now() - stoppedAt} ms later`);
    first.close();
    back.close();
  });
});
