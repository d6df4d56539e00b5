/**
 * Per-client ceilings of the signaling server, measured as an attacker would
 * meet them, against real sockets and real mediasoup workers (in-process:
 * the measurements read the server's own view, e.g. a connection's peak
 * unsent output):
 *
 * - joins per join ticket (one; a second join on the socket is join_used);
 * - TURN credentials one address is given per minute;
 * - lobby entries per room (the 51st guest gets lobby_full);
 * - peak buffered bytes for a member that stops reading while others fan
 *   messages out to it (it is dropped past MAX_BUFFERED_BYTES);
 * - seconds until a socket that never joins is closed;
 * - the amplification of every request that fans out in a room of 10:
 *   bytes the server sends (to everyone, the answer included) ÷ bytes of
 *   the one frame that caused it; the worst is named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloseCode,
  JOIN_DEADLINE_MS,
  MAX_BUFFERED_BYTES,
  MAX_GROUP_COMMIT_CHARS,
  MAX_LOBBY_WAITING,
  MAX_MESSAGE_BYTES,
  type MethodName,
  type NotificationName,
} from '@conclave/protocol';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';
import { recordFigure } from './figures.js';

const TURN = {
  urls: ['turn:turn.example.org:3478?transport=udp'],
  secret: 'ceilings-test-secret-01',
  ttlSeconds: 600,
  credentialsPerMinute: 6,
};

let app: TestApp;
let hostCookie = '';
/** Opened before anything else, never joins: closed by the join deadline while the other tests run. */
let idle: { client: TestClient; openedAt: number; closedAt: number | null } | null = null;

beforeAll(async () => {
  app = await startTestApp({ turn: TURN });
  idle = { client: await TestClient.connect(await app.ticketUrl('idle-room')), openedAt: Date.now(), closedAt: null };
  // When the close arrives, not when the test gets round to looking (other tests run meanwhile).
  idle.client.ws.once('close', () => (idle!.closedAt = Date.now()));
  await app.accounts.create('ceiling-host', 'ceiling-host-password', 'host');
  const login = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'ceiling-host', password: 'ceiling-host-password' }),
  });
  hostCookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  await app?.close();
});

/** A room owned by the host account (so its holder joins as host). */
async function ownedRoom(name: string, lobby: boolean): Promise<string> {
  const res = await fetch(`${app.url}/api/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: hostCookie },
    body: JSON.stringify({ name, lobby }),
  });
  if (res.status !== 201) throw new Error(`room not created: ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

/** A TestClient that also counts the bytes the server sends it. */
class Member {
  received = 0;
  peerId = '';
  rtpCapabilities: Record<string, unknown> = {};
  constructor(readonly client: TestClient) {
    client.ws.on('message', (data) => {
      this.received += (data as Buffer).length;
    });
  }

  static async join(roomId: string, name: string, host = false): Promise<Member> {
    const m = new Member(await TestClient.connect(await app.ticketUrl(roomId, undefined, host ? hostCookie : undefined)));
    const r = await m.client.request('join', { roomId, displayName: name });
    if (r.status !== 'joined') throw new Error('expected to join');
    m.peerId = r.peerId;
    m.rtpCapabilities = r.routerRtpCapabilities;
    return m;
  }

  count(method: NotificationName): number {
    return this.client.notifications.filter((n) => n.method === method).length;
  }
}

const opus = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `ceil-${ssrc}`, reducedSize: true },
});
const vp8 = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack', parameter: '' }] }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `ceil-${ssrc}`, reducedSize: true },
});

describe('per-client ceilings', () => {
  it('a join ticket admits exactly one join', async () => {
    const roomId = await ownedRoom('One join', false);
    const client = await TestClient.connect(await app.ticketUrl(roomId));
    let joins = 0;
    for (let i = 0; i < 5; i++) {
      const r = await client.call('join', { roomId, displayName: `Again ${i}` });
      if (r.ok && (r.data as { status: string }).status === 'joined') joins += 1;
      if (r.ok) await client.request('leave', {});
    }
    recordFigure({
      name: 'joins admitted per join ticket (5 tries on its socket, leaving in between)',
      value: joins,
      unit: 'joins',
      target: '1',
    });
    expect(joins).toBe(1);
    client.close();
  });

  it('TURN credentials per address per minute', async () => {
    const roomId = await ownedRoom('TURN budget', false);
    let given = 0;
    const clients: TestClient[] = [];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const client = await TestClient.connect(await app.ticketUrl(roomId));
      clients.push(client);
      const r = await client.request('join', { roomId, displayName: `Turn ${i}` });
      if (r.status === 'joined' && r.iceServers.length > 0) given += 1;
    }
    const seconds = (Date.now() - started) / 1000;
    recordFigure({
      name: 'TURN credentials given to one address in a minute (20 joins)',
      value: given,
      unit: 'credentials',
      target: `≤ ${TURN.credentialsPerMinute} (CONCLAVE_TURN_CREDENTIALS_PER_MINUTE)`,
      detail: `20 joins in ${seconds.toFixed(1)} s; the rest joined without TURN credentials`,
    });
    expect(seconds).toBeLessThan(60);
    expect(given).toBeLessThanOrEqual(TURN.credentialsPerMinute);
    for (const c of clients) c.close();
  });

  it('lobby entries per room', async () => {
    const roomId = await ownedRoom('Full lobby', true);
    const guests: TestClient[] = [];
    let waiting = 0;
    let refused = 0;
    for (let i = 0; i < MAX_LOBBY_WAITING + 10; i++) {
      const g = await TestClient.connect(await app.ticketUrl(roomId));
      guests.push(g);
      const r = await g.call('join', { roomId, displayName: `Guest ${i}` });
      if (r.ok) waiting += 1;
      else if (r.error.code === 'lobby_full') refused += 1;
    }
    recordFigure({
      name: `lobby entries per room (${MAX_LOBBY_WAITING + 10} guests try)`,
      value: waiting,
      unit: 'guests',
      target: `${MAX_LOBBY_WAITING} (MAX_LOBBY_WAITING)`,
      detail: `${refused} refused with lobby_full`,
    });
    expect(waiting).toBe(MAX_LOBBY_WAITING);
    expect(refused).toBe(10);
    for (const g of guests) g.close();
  });

  it('peak buffered bytes for a member that stops reading', async () => {
    const roomId = await ownedRoom('Slow reader', false);
    const slow = await Member.join(roomId, 'Slow');
    const senders: Member[] = [];
    for (let i = 0; i < 9; i++) senders.push(await Member.join(roomId, `Sender ${i}`));
    const connection = [...app.signaling.connections].find((c) => c.session.peer?.id === slow.peerId)!;
    expect(connection).toBeTruthy();

    // The senders make up the MLS group; it waits to be added, so every commit they make is relayed to it.
    const keyPackage = 'K'.repeat(470);
    const pake = 'P'.repeat(43);
    expect(await senders[0]!.client.request('groupJoin', { keyPackage, pake })).toMatchObject({ found: true });
    await slow.client.request('groupJoin', { keyPackage, pake });
    for (const s of senders.slice(1)) await s.client.request('groupJoin', { keyPackage, pake });
    const founded = await senders[0]!.client.request('groupCommit', {
      epoch: 0,
      commit: 'C'.repeat(1000),
      added: senders.slice(1).map((s) => s.peerId),
      removed: [],
    });
    let epoch = founded.epoch;
    // It stops reading: nothing more is taken from its socket, so the kernel's buffers fill, then the server's.
    (slow.client.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    // The others commit in turn as fast as the server answers, each commit as large as allowed (16 KiB).
    const commit = 'A'.repeat(MAX_GROUP_COMMIT_CHARS);
    let sentToIt = 0;
    const started = Date.now();
    for (let round = 0; round < 100 && app.registry.get(roomId)?.peers.has(slow.peerId); round++) {
      for (const s of senders) {
        const r = await s.client.request('groupCommit', { epoch, commit, added: [], removed: [] });
        epoch = r.epoch;
        sentToIt += commit.length;
      }
    }
    await senders[0]!.client.waitForNotification('peerLeft', (d) => d.peerId === slow.peerId, 20_000);
    const peak = connection.peakBufferedBytes;
    recordFigure({
      name: 'peak buffered bytes for a non-reading client',
      value: peak,
      unit: 'bytes',
      target: `≤ ${MAX_BUFFERED_BYTES} + one message (MAX_BUFFERED_BYTES, then disconnected)`,
      detail: `disconnected ${((Date.now() - started) / 1000).toFixed(1)} s after about ${(sentToIt / 1e6).toFixed(1)} MB was addressed to it (the rest sat in kernel socket buffers)`,
    });
    expect(peak).toBeGreaterThan(MAX_BUFFERED_BYTES);
    expect(peak).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + MAX_MESSAGE_BYTES);
    // The others carry on.
    expect(await senders[1]!.client.call('ping', {})).toMatchObject({ ok: true });
    for (const s of senders) s.client.close();
    slow.client.ws.terminate();
  });

  it('the worst amplification over every request that fans out, in a room of 10', async () => {
    const roomId = await ownedRoom('Amplification', false);
    const host = await Member.join(roomId, 'Host', true);
    const members: Member[] = [host];
    // The MLS group as the client makes it, with realistic sizes: the host founds it, and each member
    // who comes in offers its KeyPackage (about 470 characters) and is added by a commit (about 1 KB)
    // with a Welcome (about 3 KB, the ratchet tree of 10).
    const keyPackage = 'K'.repeat(470);
    const pake = 'P'.repeat(43);
    const commit = 'C'.repeat(1000);
    const welcome = 'W'.repeat(3000);
    expect(await host.client.request('groupJoin', { keyPackage, pake })).toMatchObject({ found: true, epoch: 0 });
    let epoch = 0;
    for (let i = 1; i < 10; i++) {
      const m = await Member.join(roomId, `Member ${i}`);
      await m.client.request('groupJoin', { keyPackage, pake });
      await host.client.waitForNotification('groupJoinRequest', (d) => d.peerId === m.peerId);
      ({ epoch } = await host.client.request('groupCommit', { epoch, commit, welcome, added: [m.peerId], removed: [] }));
      await m.client.waitForNotification('groupWelcome');
      members.push(m);
    }
    const guest = members[1]!;
    const others = members.filter((m) => m !== guest);
    const { transportId } = await guest.client.request('createTransport', { direction: 'send' });
    const { producerId: micId } = await guest.client.request('produce', {
      transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opus(11),
    });
    const { producerId: camId } = await guest.client.request('produce', {
      transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8(21),
    });
    const camConsumers = new Map<Member, string>();
    for (const m of others) {
      await m.client.request('createTransport', { direction: 'recv' });
      await m.client.request('consume', { producerId: micId, rtpCapabilities: m.rtpCapabilities });
      camConsumers.set(m, (await m.client.request('consume', { producerId: camId, rtpCapabilities: m.rtpCapabilities })).consumerId);
    }

    const results: Array<{ what: string; ratio: number; sent: number; out: number; byGuest: boolean }> = [];
    let nextId = 10_000;
    /**
     * Sends one request frame from `from`, waits for its answer and for each
     * expected notification at each member, and relates all bytes the server
     * sent meanwhile to the frame's size.
     */
    const measure = async (
      what: string,
      from: Member,
      method: MethodName,
      data: Record<string, unknown>,
      expected: Array<[Member, NotificationName, number]>,
      byGuest = true,
    ): Promise<unknown> => {
      const everyone = [...members];
      const before = new Map(everyone.map((m) => [m, m.received] as const));
      const counts = new Map(expected.map(([m, n]) => [`${m.peerId}/${n}`, m.count(n)] as const));
      const id = nextId++;
      const frame = JSON.stringify({ type: 'request', id, method, data });
      from.client.sendRaw(frame);
      await from.client.waitFor(() => from.client.responses.get(id), 5000, `answer to ${what}`);
      const answer = from.client.responses.get(id)!;
      if (!answer.ok) throw new Error(`${what}: ${answer.error.code} ${answer.error.message}`);
      for (const [m, n, k] of expected) {
        await m.client.waitFor(() => m.count(n) >= counts.get(`${m.peerId}/${n}`)! + k, 5000, `${k} ${n} for ${what}`);
      }
      const out = everyone.reduce((sum, m) => sum + m.received - before.get(m)!, 0);
      results.push({ what, ratio: out / Buffer.byteLength(frame), sent: Buffer.byteLength(frame), out, byGuest });
      return answer.data;
    };
    /** A commit on the group's epoch now, measured; the epoch moves on. */
    const measureCommit = async (
      what: string,
      from: Member,
      data: { commit: string; welcome?: string; added?: string[] },
      expected: Array<[Member, NotificationName, number]>,
    ) => {
      ({ epoch } = (await measure(what, from, 'groupCommit', { epoch, ...data }, expected)) as { epoch: number });
    };
    const toOthers = (n: NotificationName, k = 1): Array<[Member, NotificationName, number]> => others.map((m) => [m, n, k]);

    await measure('chatSend (100-character message)', guest, 'chatSend', { message: 'Q'.repeat(100) }, toOthers('chatMessage'));
    await measure('chatSend (largest message)', guest, 'chatSend', { message: 'Q'.repeat(8192) }, toOthers('chatMessage'));
    await measure('setRecording', guest, 'setRecording', { recording: true }, toOthers('peerRecording'));
    await measure('pauseProducer', guest, 'pauseProducer', { producerId: micId }, toOthers('producerPaused'));
    await measure('resumeProducer', guest, 'resumeProducer', { producerId: micId }, toOthers('producerResumed'));
    await measure(
      'produce',
      guest,
      'produce',
      { transportId, kind: 'audio', source: 'screen-audio', rtpParameters: opus(31) },
      toOthers('producerAdded'),
    );
    await measureCommit('groupCommit (1 KB, relayed to 9)', guest, { commit }, toOthers('groupCommit'));
    // The smallest commit the protocol lets through, for the worst case a member can repeat at will.
    await measureCommit('groupCommit (1 character, relayed to 9)', guest, { commit: 'Q' }, toOthers('groupCommit'));
    const viewer = others[1]!;
    await measure(
      'setViews',
      viewer,
      'setViews',
      { views: [{ consumerId: camConsumers.get(viewer)!, width: 1280, height: 720, visible: true }] },
      [],
    );
    await measure('closeProducer (consumed by 9)', guest, 'closeProducer', { producerId: camId }, toOthers('consumerClosed'));
    // Keep the room at 10: one member leaves, a newcomer takes its place.
    const leaving = members.pop()!;
    await leaving.client.request('leave', {});
    leaving.client.close();
    const newcomer = await Member.join(roomId, 'Newcomer');
    members.push(newcomer);
    const all = (except: Member[], n: NotificationName) =>
      members.filter((m) => !except.includes(m)).map((m) => [m, n, 1] as [Member, NotificationName, number]);
    // A newcomer offers its KeyPackage once per join, relayed to the 9 in the group: the smallest it may send, for the worst case.
    await measure(
      'groupJoin by a newcomer (1-character KeyPackage and PAKE message, relayed to 9)',
      newcomer,
      'groupJoin',
      { keyPackage: 'Q', pake: 'Q' },
      all([newcomer], 'groupJoinRequest'),
    );
    // Adding it: the commit goes to everyone else (the newcomer too, as it waits), the Welcome to the newcomer only.
    await measureCommit(
      'groupCommit adding the newcomer (1 KB commit, 3 KB Welcome)',
      guest,
      { commit, welcome, added: [newcomer.peerId] },
      [...all([guest], 'groupCommit'), [newcomer, 'groupWelcome', 1]],
    );
    // Host controls fan out too (hosts only).
    await measure('removePeer', host, 'removePeer', { peerId: newcomer.peerId }, all([host, newcomer], 'peerLeft'), false);
    members.pop();

    // A join fans out too (peerJoined to everyone), but is once per ticket; its answer carries the router's capabilities.
    const joinBefore = new Map(members.map((m) => [m, { bytes: m.received, joined: m.count('peerJoined') }] as const));
    const joiner = new Member(await TestClient.connect(await app.ticketUrl(roomId)));
    const joinFrame = JSON.stringify({ type: 'request', id: 1, method: 'join', data: { roomId, displayName: 'Late' } });
    joiner.client.sendRaw(joinFrame);
    await joiner.client.waitFor(() => joiner.client.responses.get(1), 5000, 'join answer');
    for (const m of members) await m.client.waitFor(() => m.count('peerJoined') > joinBefore.get(m)!.joined, 5000, 'peerJoined');
    const joinOut = joiner.received + members.reduce((sum, m) => sum + m.received - joinBefore.get(m)!.bytes, 0);
    results.push({
      what: 'join (once per ticket; the answer carries the router capabilities)',
      ratio: joinOut / joinFrame.length,
      sent: joinFrame.length,
      out: joinOut,
      byGuest: true,
    });
    members.push(joiner);
    expect(app.registry.get(roomId)!.peers.size).toBe(10);

    await measure('lockRoom', host, 'lockRoom', { locked: true }, all([host], 'roomUpdated'), false);
    await measure(
      'mutePeer',
      host,
      'mutePeer',
      { peerId: guest.peerId },
      [[guest, 'youWereMuted', 1], ...all([host], 'hostAction')],
      false,
    );

    results.sort((a, b) => b.ratio - a.ratio);
    const worst = results[0]!;
    const worstRepeatable = results.find((r) => r.byGuest && !r.what.startsWith('join') && !r.what.includes('newcomer'))!;
    const table = results.map((r) => `${r.what}: ${r.ratio.toFixed(1)}× (${r.sent} B in, ${r.out} B out)`).join('; ');
    console.log(
      `amplification in a room of 10:\n  ${results.map((r) => `${r.ratio.toFixed(1).padStart(6)}×  ${r.what} (${r.sent} B in, ${r.out} B out)`).join('\n  ')}`,
    );
    recordFigure({
      name: 'worst amplification ratio (bytes the server sends ÷ bytes one client sends) over fan-out requests, room of 10',
      value: Number(worst.ratio.toFixed(1)),
      unit: '×',
      detail: `worst: ${worst.what}; worst a guest can repeat at will: ${worstRepeatable.what} ${worstRepeatable.ratio.toFixed(1)}×; all: ${table}`,
    });
    // Bounded by the room: nothing a member sends costs more than a few hundred times its size, and what a guest
    // can repeat stays within what ten members' worth of notifications of that size cost.
    expect(worst.ratio).toBeLessThan(500);
    expect(worstRepeatable.ratio).toBeLessThan(40);
    for (const m of members) m.client.close();
  });

  it('a guest admitted from the lobby who never joins is closed by the join deadline too', async () => {
    const roomId = await ownedRoom('Admitted idler', true);
    const host = await Member.join(roomId, 'Host', true);
    const guest = await TestClient.connect(await app.ticketUrl(roomId));
    const entered = await guest.request('join', { roomId, displayName: 'Idler' });
    expect(entered.status).toBe('waiting');
    const { requestId } = await host.client.waitForNotification('lobbyEntered', (d) => d.displayName === 'Idler');
    // It waits past the deadline first: waiting in the lobby counts as joined.
    await new Promise((r) => setTimeout(r, JOIN_DEADLINE_MS + 1000));
    expect(guest.ws.readyState).toBe(guest.ws.OPEN);
    await host.client.request('lobbyAdmit', { requestId });
    const admittedAt = Date.now();
    await guest.waitForNotification('lobbyDecision', (d) => d.admitted);
    const code = await guest.waitForClose(JOIN_DEADLINE_MS + 10_000);
    expect(code).toBe(CloseCode.JoinDeadline);
    expect((Date.now() - admittedAt) / 1000).toBeGreaterThanOrEqual(JOIN_DEADLINE_MS / 1000 - 0.5);
    host.client.close();
  });

  it('seconds until a socket that never joins is closed', async () => {
    const { client, openedAt } = idle!;
    const code = await client.waitForClose(JOIN_DEADLINE_MS + 10_000);
    const seconds = ((idle!.closedAt ?? Date.now()) - openedAt) / 1000;
    recordFigure({
      name: 'seconds until a socket that never joins is closed',
      value: Number(seconds.toFixed(1)),
      unit: 's',
      target: `${JOIN_DEADLINE_MS / 1000} (JOIN_DEADLINE_MS)`,
    });
    expect(code).toBe(CloseCode.JoinDeadline);
    expect(seconds).toBeGreaterThanOrEqual(JOIN_DEADLINE_MS / 1000 - 0.5);
    expect(seconds).toBeLessThan(JOIN_DEADLINE_MS / 1000 + 5);
  });
});
