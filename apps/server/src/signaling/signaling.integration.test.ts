/**
 * The signaling server against real sockets and real mediasoup workers:
 * the join/produce/consume flow, and every kind of bad client (malformed,
 * unknown, oversized, flooding, wrong origin) handled without the room
 * noticing.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, MAX_MESSAGE_BYTES, CloseCode } from '@conclave/protocol';
import { useTestApp } from '../test-support/test-app.js';
import { TestClient, opusRtpParameters } from '../test-support/ws-client.js';

const suite = useTestApp('room');
const { newRoom, joined } = suite;

describe('HTTP', () => {
  it('answers /healthz with 200 once workers are up', async () => {
    const res = await fetch(`${suite.app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('sends security headers', async () => {
    const res = await fetch(`${suite.app.url}/healthz`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses WebSockets from another origin, on other paths, and without a ticket or session', async () => {
    await expect(TestClient.connect(await suite.app.ticketUrl(newRoom()), { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(TestClient.connect(suite.app.wsUrl.replace('/ws', '/other'))).rejects.toThrow(/404/);
    await expect(TestClient.connect(suite.app.wsUrl)).rejects.toThrow(/401/);
    await expect(TestClient.connect(`${suite.app.wsUrl}?ticket=forged`)).rejects.toThrow(/401/);
    const ticketed = await suite.app.ticketUrl(newRoom());
    const sameOrigin = await TestClient.connect(ticketed, { Origin: suite.app.url });
    sameOrigin.close();
    // A ticket is single-use.
    await expect(TestClient.connect(ticketed)).rejects.toThrow(/401/);
  });
});

describe('joining and media', () => {
  it('tells members about joins, producers, pauses and leaves, and cleans up', async () => {
    const roomId = newRoom();
    const a = await joined(roomId, 'Alice');
    expect(a.info.peers).toEqual([]);
    expect(a.info.routerRtpCapabilities).toHaveProperty('codecs');
    expect(a.info.senderIndex).toBe(0);

    const b = await joined(roomId, 'Bob');
    expect(b.info.senderIndex).toBe(1);
    expect(b.info.peers.map((p) => p.displayName)).toEqual(['Alice']);
    await a.client.waitForNotification('peerJoined', (p) => p.displayName === 'Bob');

    const { transportId } = await a.client.request('createTransport', { direction: 'send' });
    const { producerId } = await a.client.request('produce', {
      transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusRtpParameters(1234),
    });
    const added = await b.client.waitForNotification('producerAdded');
    expect(added).toMatchObject({ peerId: a.info.peerId, producerId, kind: 'audio', source: 'mic' });

    // Consuming needs a receive transport first.
    const noTransport = await b.client.call('consume', { producerId, rtpCapabilities: b.info.routerRtpCapabilities });
    expect(noTransport).toMatchObject({ ok: false, error: { code: ErrorCode.NotFound } });

    await b.client.request('createTransport', { direction: 'recv' });
    const consumer = await b.client.request('consume', { producerId, rtpCapabilities: b.info.routerRtpCapabilities });
    expect(consumer).toMatchObject({ producerId, peerId: a.info.peerId, kind: 'audio', source: 'mic' });
    const room = suite.app.registry.get(roomId)!;
    const serverConsumer = room.peers.get(b.info.peerId)!.consumers.get(consumer.consumerId)!;
    expect(serverConsumer.paused).toBe(true); // consumers start paused
    await b.client.request('resumeConsumer', { consumerId: consumer.consumerId });
    expect(serverConsumer.paused).toBe(false);

    await a.client.request('pauseProducer', { producerId });
    await b.client.waitForNotification('producerPaused', (d) => d.producerId === producerId);
    await a.client.request('resumeProducer', { producerId });
    await b.client.waitForNotification('producerResumed', (d) => d.producerId === producerId);

    await a.client.request('closeProducer', { producerId });
    await b.client.waitForNotification('consumerClosed', (d) => d.consumerId === consumer.consumerId);

    // A closed socket removes its peer within 1 s and the others are told.
    const closedAt = Date.now();
    a.client.ws.terminate();
    await b.client.waitForNotification('peerLeft', (d) => d.peerId === a.info.peerId, 1000);
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(room.peers.has(a.info.peerId)).toBe(false);

    // The last one out closes the room and its router.
    const router = room.peers.get(b.info.peerId)!.home!.router;
    await b.client.request('leave', {});
    await b.client.waitFor(() => router.closed, 1000, 'router closed');
    expect(suite.app.registry.get(roomId)).toBeUndefined();
    b.client.close();
  });

  it('refuses media requests before joining and for objects that are not yours', async () => {
    const roomId = newRoom();
    const client = await TestClient.connect(await suite.app.ticketUrl(roomId));
    expect(await client.call('createTransport', { direction: 'send' })).toMatchObject({ ok: false, error: { code: ErrorCode.NotJoined } });
    expect(await client.call('join', { roomId: newRoom(), displayName: 'Eve' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.Forbidden }, // the ticket was for another room
    });
    await client.request('join', { roomId, displayName: 'Eve' });
    expect(await client.call('join', { roomId, displayName: 'Eve' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.AlreadyJoined },
    });
    expect(await client.call('connectTransport', { transportId: 'nope', dtlsParameters: {} })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.NotFound },
    });
    const { transportId } = await client.request('createTransport', { direction: 'send' });
    expect(await client.call('produce', { transportId, kind: 'audio', source: 'mic', rtpParameters: { codecs: 'garbage' } })).toMatchObject(
      { ok: false, error: { code: ErrorCode.MediaRejected } },
    );
    expect(
      await client.call('produce', { transportId, kind: 'audio', source: 'camera', rtpParameters: opusRtpParameters(9) }),
    ).toMatchObject({ ok: false, error: { code: ErrorCode.MediaRejected } });
    client.close();
  });
});

describe('bad clients', () => {
  it('answers malformed, unknown and oversized messages with errors and keeps the connection', async () => {
    const roomId = newRoom();
    const { client } = await joined(roomId, 'Mallory');

    client.sendRaw('{this is not json');
    await client.waitForNotification('protocolError', (e) => e.code === ErrorCode.BadJson);

    client.sendRaw(JSON.stringify({ type: 'request', id: 900, method: 'formatDisk', data: {} }));
    await client.waitFor(() => client.responses.get(900), 2000, 'unknown method error');
    expect(client.responses.get(900)).toMatchObject({ ok: false, error: { code: ErrorCode.UnknownMethod } });

    client.sendRaw(JSON.stringify({ type: 'request', id: 901, method: 'join', data: { roomId: 5 } }));
    await client.waitFor(() => client.responses.get(901), 2000, 'bad data error');
    expect(client.responses.get(901)).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage } });

    client.sendRaw(JSON.stringify({ type: 'request', id: 902, method: 'leave', data: {}, pad: 'x'.repeat(MAX_MESSAGE_BYTES + 10) }));
    await client.waitForNotification('protocolError', (e) => e.code === ErrorCode.TooLarge);

    client.sendRaw(Buffer.from([1, 2, 3]));
    await client.waitForNotification('protocolError', (e) => e.code === ErrorCode.BadMessage);

    // Still in the room and still served.
    const { transportId } = await client.request('createTransport', { direction: 'recv' });
    expect(transportId).toBeTruthy();
    expect(suite.app.registry.get(roomId)?.peers.size).toBe(1);
    client.close();
  });

  it('cuts off a flooding client while the others carry on unaffected', async () => {
    const roomId = newRoom();
    const calm = await joined(roomId, 'Calm');
    const flood = await joined(roomId, 'Flood');

    const payload = JSON.stringify({ type: 'request', id: 1, method: 'leave-not', data: {} });
    for (let i = 0; i < 2000 && flood.client.ws.readyState === flood.client.ws.OPEN; i++) flood.client.sendRaw(payload);
    expect(await flood.client.waitForClose()).toBe(CloseCode.Flooding);
    await calm.client.waitForNotification('peerLeft', (d) => d.peerId === flood.info.peerId, 1000);

    const t0 = performance.now();
    await calm.client.request('createTransport', { direction: 'send' });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(calm.client.closeCode).toBeNull();
    calm.client.close();
  });

  it('relays MLS handshakes only to peers in the group or waiting to join it, and a Welcome only to its addressee', async () => {
    const roomId = newRoom();
    const a = await joined(roomId, 'A');
    const b = await joined(roomId, 'B');
    const c = await joined(roomId, 'C'); // in the room, but never asks to join the group
    expect(await a.client.request('groupJoin', { keyPackage: 'a2V5LWE', pake: 'cHJvb2Y' })).toEqual({
      found: true,
      epoch: 0,
      waiting: [],
    });
    await b.client.request('groupJoin', { keyPackage: 'a2V5LWI', pake: 'cHJvb2Y' });
    expect(await a.client.waitForNotification('groupJoinRequest')).toEqual({
      peerId: b.info.peerId,
      keyPackage: 'a2V5LWI',
      pake: 'cHJvb2Y',
    });
    await a.client.request('groupCommit', { epoch: 0, commit: 'Y29tbWl0', welcome: 'd2VsY29tZQ', added: [b.info.peerId, c.info.peerId] });
    expect(await b.client.waitForNotification('groupWelcome')).toEqual({ from: a.info.peerId, epoch: 1, welcome: 'd2VsY29tZQ' });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.client.notifications.filter((n) => n.method.startsWith('group'))).toEqual([]);
    // C, named in `added` without having asked, is not in the group: it may not commit.
    expect(await c.client.call('groupCommit', { epoch: 1, commit: 'Yw' })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.NotGroupMember },
    });
    for (const x of [a, b, c]) x.client.close();
  });
});
