/**
 * The signaling protocol's limits against real sockets and real mediasoup
 * workers: what a frame may cost (size, depth, bytes per second), one join
 * per connection, one consumer per producer, one MLS group join request per
 * join and the largest commit with its Welcome in one frame, the lobby's
 * cap and its deltas to hosts, and TURN
 * credentials within an address's budget, fresh on every ICE restart.
 */
import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  ErrorCode,
  HARD_MAX_FRAME_BYTES,
  MAX_GROUP_CHANGES,
  MAX_GROUP_COMMIT_CHARS,
  MAX_GROUP_WELCOME_CHARS,
  MAX_MESSAGE_BYTES,
  RATE_LIMIT_BURST,
  RATE_LIMIT_BYTES_BURST,
} from '@conclave/protocol';
import { useTestApp } from '../test-support/test-app.js';
import { TestClient, opusRtpParameters } from '../test-support/ws-client.js';

const TURN = {
  urls: ['turn:turn.example.org:3478?transport=udp'],
  secret: 'limits-test-secret-0123',
  ttlSeconds: 600,
  credentialsPerMinute: 6,
};

const suite = useTestApp('limits');
const { newRoom, joined } = suite;

describe('what one frame may cost', () => {
  it('leaves room for the busiest honest moment: joining a full room of 100', async () => {
    const { client, info } = await joined(newRoom(), 'Counting');
    // A browser's receive capabilities are a subset of the router's: the router's are an upper bound.
    const consume = JSON.stringify({
      type: 'request',
      id: 123_456,
      method: 'consume',
      data: { producerId: '3f2c2a5e-7d7a-4c55-9d4c-4a3b2f1e0d9c', rtpCapabilities: info.routerRtpCapabilities },
    });
    // 99 others with a microphone and a camera, one of them sharing a screen: a consume and a resume for each.
    const producers = 99 * 2 + 1;
    const joinItself = 30; // join, transports, connects, produces, keys, views, status
    console.log(
      `a consume frame with the router's capabilities: ${consume.length} bytes; a full room's join: ${producers * 2 + joinItself} messages, ${producers * consume.length} bytes of consumes`,
    );
    expect(producers * 2 + joinItself).toBeLessThanOrEqual(RATE_LIMIT_BURST);
    expect(producers * consume.length).toBeLessThan(RATE_LIMIT_BYTES_BURST);
    client.close();
  });

  it('refuses deep nesting (too_deep) and oversized frames (too_large) without parsing them, and keeps the connection', async () => {
    const { client } = await joined(newRoom(), 'Mallory');
    client.sendRaw(`{"type":"request","id":5,"method":"consume","data":${'['.repeat(50_000)}`);
    await client.waitForNotification('protocolError', (e) => e.code === ErrorCode.TooDeep);
    client.sendRaw(JSON.stringify({ type: 'request', id: 6, method: 'leave', data: {}, pad: 'x'.repeat(MAX_MESSAGE_BYTES) }));
    await client.waitForNotification('protocolError', (e) => e.code === ErrorCode.TooLarge);
    // An opaque field wider than its cap is refused by its schema, naming the field.
    const wide = await client.call('consume', { producerId: 'p', rtpCapabilities: { codecs: Array.from({ length: 500 }, () => 0) } });
    expect(wide).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage } });
    expect(!wide.ok && wide.error.message).toMatch(/rtpCapabilities/);
    expect(await client.call('ping', {})).toMatchObject({ ok: true });
    expect(client.closeCode).toBeNull();
    client.close();
  });

  it('closes the socket on a frame over the hard limit, before it is buffered whole', async () => {
    const { client } = await joined(newRoom(), 'Mallory');
    client.sendRaw('x'.repeat(HARD_MAX_FRAME_BYTES + 1));
    expect(await client.waitForClose()).toBe(1009);
  });

  it('counts bytes as well as messages: a stream of large frames is cut off, small ones pass', async () => {
    const { client } = await joined(newRoom(), 'Heavy');
    // 60 KB frames, far under the message rate: the byte budget runs out after about 2 MiB.
    const frame = JSON.stringify({ type: 'request', id: 1, method: 'ping', data: {}, pad: 'x'.repeat(60_000) });
    const fits = Math.floor(RATE_LIMIT_BYTES_BURST / frame.length);
    for (let i = 0; i < fits + 5; i++) client.sendRaw(frame);
    await client.waitForNotification('protocolError', (e) => e.code === ErrorCode.RateLimited);
    // Flooding on with bytes ends the connection like flooding with messages.
    for (let i = 0; i < 200 && client.ws.readyState === client.ws.OPEN; i++) client.sendRaw(frame);
    expect(await client.waitForClose()).toBe(CloseCode.Flooding);
  });
});

describe('one of each', () => {
  it('admits exactly one join per connection: after leave, join again is join_used', async () => {
    const roomId = newRoom();
    const { client } = await joined(roomId, 'Once');
    await client.request('leave', {});
    expect(await client.call('join', { roomId, displayName: 'Twice' })).toMatchObject({ ok: false, error: { code: ErrorCode.JoinUsed } });
    expect(suite.app.registry.get(roomId)).toBeUndefined();
    client.close();
  });

  it('gives a second consume of the same producer the consumer it already has', async () => {
    const roomId = newRoom();
    const a = await joined(roomId, 'Sender');
    const b = await joined(roomId, 'Receiver');
    const { transportId } = await a.client.request('createTransport', { direction: 'send' });
    const { producerId } = await a.client.request('produce', {
      transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(77),
    });
    await b.client.request('createTransport', { direction: 'recv' });
    const first = await b.client.request('consume', { producerId, rtpCapabilities: b.info.routerRtpCapabilities });
    const again = await b.client.request('consume', { producerId, rtpCapabilities: b.info.routerRtpCapabilities });
    expect(again).toEqual(first);
    const peer = suite.app.registry.get(roomId)!.peers.get(b.info.peerId)!;
    expect(peer.consumers.size).toBe(1);
    // A new receive transport (the client replaced its own) gets the only consumer of it.
    await b.client.request('createTransport', { direction: 'recv' });
    const moved = await b.client.request('consume', { producerId, rtpCapabilities: b.info.routerRtpCapabilities });
    expect(moved.consumerId).not.toBe(first.consumerId);
    await b.client.waitFor(() => peer.consumers.size === 1 && peer.consumers.has(moved.consumerId), 2000, 'one consumer');
    a.client.close();
    b.client.close();
  });

  it('accepts groupJoin once per join; a rejoin on a new connection may ask again', async () => {
    const roomId = newRoom();
    const a = await joined(roomId, 'A');
    const b = await joined(roomId, 'B');
    expect(await a.client.request('groupJoin', { keyPackage: 'QQ', pake: 'UA' })).toMatchObject({ found: true });
    expect(await a.client.call('groupJoin', { keyPackage: 'QUE', pake: 'UA' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.GroupJoinRepeated },
    });
    await b.client.request('groupJoin', { keyPackage: 'Qg', pake: 'UA' });
    expect(await b.client.call('groupJoin', { keyPackage: 'QmI', pake: 'UA' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.GroupJoinRepeated },
    });
    // The founder heard B's request exactly once.
    await a.client.waitForNotification('groupJoinRequest', (d) => d.peerId === b.info.peerId);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.client.notifications.filter((n) => n.method === 'groupJoinRequest').length).toBe(1);
    // B comes back as a new peer on a new connection: a new join, so a new request.
    await b.client.request('leave', {});
    b.client.close();
    const b2 = await joined(roomId, 'B');
    expect(await b2.client.request('groupJoin', { keyPackage: 'QmI', pake: 'UA' })).toMatchObject({ found: false, epoch: 0, waiting: [] });
    await a.client.waitForNotification('groupJoinRequest', (d) => d.peerId === b2.info.peerId);
    for (const x of [a, b2]) x.client.close();
  });

  it('takes the largest commit with the largest Welcome, adding the most peers, in one frame', async () => {
    const roomId = newRoom();
    const a = await joined(roomId, 'A');
    await a.client.request('groupJoin', { keyPackage: 'QQ', pake: 'UA' });
    // Peer ids are UUIDs: 100 of them, as long as real ones (nobody by these ids is waiting, so nobody gets the Welcome).
    const added = Array.from({ length: MAX_GROUP_CHANGES }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const data = { epoch: 0, commit: 'C'.repeat(MAX_GROUP_COMMIT_CHARS), welcome: 'W'.repeat(MAX_GROUP_WELCOME_CHARS), added, removed: [] };
    const frame = JSON.stringify({ type: 'request', id: 99_999, method: 'groupCommit', data });
    expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(await a.client.request('groupCommit', data)).toEqual({ epoch: 1 });
    a.client.close();
  });
});

describe('the lobby', () => {
  it('takes 50 guests, refuses the 51st with lobby_full, and tells hosts each change, not the list', async () => {
    const cookie = await suite.app.accounts
      .create(`host${process.pid}`, 'host-password-1', 'host')
      .then(() =>
        fetch(`${suite.app.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: `host${process.pid}`, password: 'host-password-1' }),
        }),
      )
      .then((r) => (r.headers.get('set-cookie') ?? '').split(';')[0]!);
    const created = await fetch(`${suite.app.url}/api/rooms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: JSON.stringify({ name: 'Busy lobby', lobby: true }),
    });
    const roomId = ((await created.json()) as { id: string }).id;
    const host = await TestClient.connect(await suite.app.ticketUrl(roomId, undefined, cookie));
    expect(await host.request('join', { roomId, displayName: 'Host' })).toMatchObject({ status: 'joined', role: 'host' });
    expect(await host.waitForNotification('lobbyWaiting')).toEqual({ waiting: [] });

    const guests: TestClient[] = [];
    for (let i = 0; i < 50; i++) {
      const g = await TestClient.connect(await suite.app.ticketUrl(roomId));
      expect(await g.request('join', { roomId, displayName: `Guest ${i}` })).toEqual({ status: 'waiting' });
      guests.push(g);
    }
    const extra = await TestClient.connect(await suite.app.ticketUrl(roomId));
    expect(await extra.call('join', { roomId, displayName: 'Guest 51' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.LobbyFull },
    });
    await host.waitFor(() => host.notifications.filter((n) => n.method === 'lobbyEntered').length === 50, 5000, '50 entries');
    // One small notice per change; the whole list went out only once (at the host's join).
    expect(host.notifications.filter((n) => n.method === 'lobbyWaiting').length).toBe(1);

    guests[0]!.close();
    const left = await host.waitForNotification('lobbyLeft');
    expect(left.requestId).toBeTruthy();
    // A place came free: the next guest gets in line.
    expect(await extra.call('join', { roomId, displayName: 'Guest 51' })).toMatchObject({ ok: true, data: { status: 'waiting' } });

    // A second host joining gets the whole list once.
    const host2 = await TestClient.connect(await suite.app.ticketUrl(roomId, undefined, cookie));
    await host2.request('join', { roomId, displayName: 'Cohost' });
    expect((await host2.waitForNotification('lobbyWaiting')).waiting).toHaveLength(50);
    for (const c of [host, host2, extra, ...guests]) c.close();
  });
});

describe('TURN credentials', () => {
  const turn = useTestApp('limits-turn', { turn: TURN });

  it('are fresh at each join and ICE restart, and live ten minutes', async () => {
    const roomId = turn.newRoom();
    const { client, info } = await turn.joined(roomId, 'Relay');
    const [server] = info.iceServers;
    expect(server).toMatchObject({ urls: TURN.urls });
    const expiry = Number(server!.username!.split(':')[0]);
    expect(expiry - Date.now() / 1000).toBeGreaterThan(TURN.ttlSeconds - 10);
    expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(TURN.ttlSeconds + 1);
    const { transportId } = await client.request('createTransport', { direction: 'send' });
    await new Promise((r) => setTimeout(r, 1100)); // a new second: a new username
    const restarted = await client.request('restartIce', { transportId });
    expect(restarted.iceServers?.[0]?.username).toMatch(new RegExp(`:${info.peerId}$`));
    expect(restarted.iceServers?.[0]?.username).not.toBe(server!.username);
    expect(restarted.iceServers?.[0]?.credential).toBeTruthy();

    // The budget (6 a minute per address, joins and restarts together) runs out: joins go on without credentials.
    const given: boolean[] = [];
    const clients: TestClient[] = [client];
    for (let i = 0; i < 8; i++) {
      const c = await TestClient.connect(await turn.app.ticketUrl(roomId));
      const r = await c.request('join', { roomId, displayName: `T${i}` });
      clients.push(c);
      given.push(r.status === 'joined' && r.iceServers.length > 0);
    }
    expect(given.filter(Boolean).length).toBe(TURN.credentialsPerMinute - 2);
    expect(given.at(-1)).toBe(false);
    expect(turn.app.registry.get(roomId)!.peers.size).toBe(9);
    // And an ICE restart past the budget still restarts, only without new credentials.
    const late = await client.request('restartIce', { transportId });
    expect(late.iceParameters).toHaveProperty('usernameFragment');
    expect(late.iceServers).toBeUndefined();
    for (const c of clients) c.close();
  });
});
