/**
 * 100,000 fuzzed signaling frames against a real server process: every
 * method's valid request, mutated (signaling-fuzzer.ts: bit flips, type
 * swaps, deep nesting, huge strings, unicode junk, truncation, duplicated
 * keys, numbers at extremes, dropped and extra fields), sent by many joined
 * members of a few rooms at once, each under its message rate, so most
 * frames are really parsed and reach the handlers rather than being dropped
 * by the rate limit. A member that leaves or is disconnected comes back on a
 * new socket with a new ticket, as a client would.
 *
 * Afterwards the process must still be running (no exit, no restart), and a
 * real room must work: two members join, one sends audio, the other
 * receives it, and chat is relayed.
 *
 * Records: process exits over the 100,000 frames (target 0), with the seed
 * and how the frames fared (answered, refused before parsing, rate-limited).
 * Replay a run with CONCLAVE_FUZZ_SEED=<seed>; CONCLAVE_FUZZ_FRAMES changes
 * the count (for a quick local run).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PER_SECOND } from '@conclave/protocol';
import { TestClient } from '../test-support/ws-client.js';
import { recordFigure } from './figures.js';
import { ServerProcess } from './server-process.js';
import { SignalingFuzzer, type KnownIds } from './signaling-fuzzer.js';

const SEED = Number(process.env.CONCLAVE_FUZZ_SEED ?? 0xc0ffee);
const FRAMES = Number(process.env.CONCLAVE_FUZZ_FRAMES ?? 100_000);
const SOCKETS = 60;
const ROOMS = 6;
/** Per socket, a little under the server's message rate, so the limit is not what stops the frames. */
const FRAMES_PER_SECOND = RATE_LIMIT_PER_SECOND * 0.9;
const TICK_MS = 100;
/** The id of the ping a member sends before closing its socket (the fuzzer's ids stay far below it). */
const DRAIN_ID = 2 ** 40;

const server = new ServerProcess({
  name: 'hostile-signaling-fuzz',
  env: { CONCLAVE_ALLOW_ANONYMOUS_ROOMS: '1', CONCLAVE_LOG_LEVEL: 'warn', CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: '0' },
});

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

interface Tally {
  sent: number;
  ok: number;
  errors: Map<string, number>;
  protocolErrors: Map<string, number>;
  closes: Map<number, number>;
  connections: number;
  malformedFromServer: number;
}

const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

async function ticketUrl(roomId: string): Promise<string> {
  const ask = () =>
    fetch(`${server.url}/api/rooms/${roomId}/ticket`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  // A kept-alive connection the server has just closed for idleness resets the request: ask again on a new one.
  const res = await ask().catch(() => ask());
  if (!res.ok) throw new Error(`ticket refused: ${res.status}`);
  const { ticket } = (await res.json()) as { ticket: string };
  return `ws://127.0.0.1:${server.port}/ws?ticket=${encodeURIComponent(ticket)}`;
}

/**
 * One fuzzing member: joins its room on a fresh socket, learns ids from what
 * the server says, and sends its share of frames at its pace; whenever its
 * socket closes (or it has left), it comes back on a new one.
 */
async function fuzzMember(index: number, share: number, fuzzer: SignalingFuzzer, tally: Tally): Promise<void> {
  const roomId = `fuzz-${index % ROOMS}`;
  let sent = 0;
  while (sent < share) {
    const known: KnownIds = {
      roomId,
      peerIds: [],
      transportIds: [],
      producerIds: [],
      consumerIds: [],
      requestIds: [],
      rtpCapabilities: null,
    };
    const ws = new WebSocket(await ticketUrl(roomId));
    tally.connections += 1;
    let open = true;
    let left = false;
    let drained: (() => void) | null = null;
    /** Ids of unmutated `leave` requests: once one is answered, this member is out and comes back on a new socket. */
    const pendingLeave = new Set<number>();
    const closed = new Promise<void>((resolve) => {
      ws.on('close', (code) => {
        open = false;
        bump(tally.closes, code);
        resolve();
      });
      ws.on('error', () => undefined);
    });
    ws.on('message', (raw) => {
      let m: { type?: string; ok?: boolean; id?: number; method?: string; data?: Record<string, unknown>; error?: { code: string } };
      try {
        m = JSON.parse((raw as Buffer).toString()); // one Buffer per message: ws's default binaryType
      } catch {
        tally.malformedFromServer += 1;
        return;
      }
      if (m.type === 'response') {
        if (m.id === DRAIN_ID) {
          drained?.();
          return;
        }
        if (m.ok) {
          tally.ok += 1;
          const d = m.data ?? {};
          if (typeof d.transportId === 'string') known.transportIds.push(d.transportId);
          if (typeof d.producerId === 'string') known.producerIds.push(d.producerId);
          if (typeof d.consumerId === 'string') known.consumerIds.push(d.consumerId);
          if (typeof d.peerId === 'string') known.peerIds.push(d.peerId);
          if (d.routerRtpCapabilities) known.rtpCapabilities = d.routerRtpCapabilities as Record<string, unknown>;
          if (Array.isArray(d.peers)) for (const p of d.peers as Array<{ peerId: string }>) known.peerIds.push(p.peerId);
          if (d.status === undefined && Object.keys(d).length === 0 && pendingLeave.has(m.id!)) left = true;
        } else {
          bump(tally.errors, m.error?.code ?? '?');
        }
      } else if (m.type === 'notification') {
        const d = m.data ?? {};
        if (m.method === 'protocolError') bump(tally.protocolErrors, String(d.code));
        if (m.method === 'peerJoined' && typeof d.peerId === 'string') known.peerIds.push(d.peerId);
        if (m.method === 'producerAdded' && typeof d.producerId === 'string') known.producerIds.push(d.producerId);
      } else {
        tally.malformedFromServer += 1;
      }
    });
    await new Promise<void>((resolve) => {
      ws.once('open', () => resolve());
      ws.once('close', () => resolve());
    });
    if (!open) continue;
    ws.send(JSON.stringify({ type: 'request', id: 0, method: 'join', data: { roomId, displayName: `Fuzz ${index}` } }));
    sent += 1;
    tally.sent += 1;
    const perTick = Math.max(1, Math.round((FRAMES_PER_SECOND * TICK_MS) / 1000));
    while (open && !left && sent < share) {
      for (let i = 0; i < perTick && sent < share && open; i++) {
        const frame = fuzzer.next(known);
        if (frame.method === 'leave' && frame.mutations[0] === 'none') pendingLeave.add(JSON.parse(frame.data as string).id);
        ws.send(frame.data, { binary: false });
        sent += 1;
        tally.sent += 1;
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    // Frames still queued on the server when the socket closes are never answered: let them be answered first
    // (a ping is answered after everything sent before it), so the tally counts what the server refused, not our hurry.
    if (open) {
      const answered = new Promise<void>((resolve) => (drained = resolve));
      ws.send(JSON.stringify({ type: 'request', id: DRAIN_ID, method: 'ping', data: {} }));
      await Promise.race([answered, closed, new Promise((r) => setTimeout(r, 5000))]);
    }
    ws.close();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
    if (open) ws.terminate();
  }
}

describe('signaling fuzz', () => {
  it(`survives ${FRAMES.toLocaleString('en')} fuzzed frames, and a real room still works afterwards`, async () => {
    console.log(
      `signaling fuzz: seed ${SEED} (replay with CONCLAVE_FUZZ_SEED=${SEED}), ${FRAMES} frames over ${SOCKETS} members in ${ROOMS} rooms`,
    );
    const tally: Tally = {
      sent: 0,
      ok: 0,
      errors: new Map(),
      protocolErrors: new Map(),
      closes: new Map(),
      connections: 0,
      malformedFromServer: 0,
    };
    const started = performance.now();
    const share = Math.ceil(FRAMES / SOCKETS);
    // One generator per member, seeded from the run's seed: the frames do not depend on how the members interleave.
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => fuzzMember(i, share, new SignalingFuzzer(SEED + i * 7919), tally)));
    const seconds = (performance.now() - started) / 1000;

    const count = (m: Map<string, number>, ...codes: string[]) => codes.reduce((n, c) => n + (m.get(c) ?? 0), 0);
    const refusedBeforeParsing =
      count(tally.protocolErrors, 'too_large', 'too_deep') + (tally.closes.get(1009) ?? 0) + (tally.closes.get(1007) ?? 0);
    const schemaRefused =
      [...tally.errors.values()].reduce((a, b) => a + b, 0) + count(tally.protocolErrors, 'bad_json', 'bad_message', 'unknown_method');
    const answered = tally.ok + schemaRefused;
    const unanswered = Math.max(0, tally.sent - answered - refusedBeforeParsing);
    const summary =
      `seed ${SEED}; ${tally.sent} frames in ${seconds.toFixed(1)} s over ${tally.connections} connections; ` +
      `${tally.ok} answered ok, ${schemaRefused} parsed and refused with an error, ${refusedBeforeParsing} refused before parsing ` +
      `(size/depth/UTF-8), ${unanswered} unanswered (rate limit or socket closed); ` +
      `errors ${JSON.stringify(Object.fromEntries(tally.errors))}; protocolErrors ${JSON.stringify(Object.fromEntries(tally.protocolErrors))}; ` +
      `closes ${JSON.stringify(Object.fromEntries(tally.closes))}`;
    console.log(`signaling fuzz: ${summary}`);

    // Still the same process, still serving.
    const alive = server.running;
    recordFigure({
      name: `process exits over ${tally.sent.toLocaleString('en')} fuzzed signaling frames`,
      value: server.unexpectedExits + (alive ? 0 : 1),
      unit: 'exits',
      target: '0',
      detail: summary,
    });
    expect(alive).toBe(true);
    expect(server.unexpectedExits).toBe(0);
    expect(tally.sent).toBeGreaterThanOrEqual(FRAMES);
    expect(tally.malformedFromServer).toBe(0);
    // Most frames were really parsed and answered, not dropped by a limit.
    expect(answered).toBeGreaterThan(tally.sent * 0.7);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // A real room still works: join, send audio, receive it, chat.
    const roomId = 'after-the-fuzz';
    const a = await TestClient.connect(await ticketUrl(roomId));
    const b = await TestClient.connect(await ticketUrl(roomId));
    const aj = await a.request('join', { roomId, displayName: 'Ada' });
    const bj = await b.request('join', { roomId, displayName: 'Bob' });
    if (aj.status !== 'joined' || bj.status !== 'joined') throw new Error('expected to join');
    const { transportId } = await a.request('createTransport', { direction: 'send' });
    const { producerId } = await a.request('produce', {
      transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
        headerExtensions: [],
        encodings: [{ ssrc: 4242 }],
        rtcp: { cname: 'after', reducedSize: true },
      },
    });
    await b.waitForNotification('producerAdded', (d) => d.producerId === producerId);
    await b.request('createTransport', { direction: 'recv' });
    const consumer = await b.request('consume', { producerId, rtpCapabilities: bj.routerRtpCapabilities });
    expect(consumer).toMatchObject({ producerId, peerId: aj.peerId, kind: 'audio' });
    await a.request('chatSend', { message: 'aGVsbG8' });
    expect(await b.waitForNotification('chatMessage')).toMatchObject({ from: aj.peerId, message: 'aGVsbG8' });
    a.close();
    b.close();
  });
});
