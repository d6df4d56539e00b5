/**
 * The HTTP edge as a stranger on the internet would hit it, against a real
 * server process (so a crash is seen as an exit, not taken as vitest's own):
 * malformed requests of every kind (bad targets, methods, versions,
 * oversized and odd headers, header floods, garbage bytes, HTTP/0.9 lines,
 * a TLS hello on the HTTP port, bodies that lie about their length),
 * WebSocket upgrades reset at every stage (mid-headers, racing the answer,
 * after 400/401/403, after 101 and mid-frame), slow-header clients, and one
 * address opening more sockets than it may. Afterwards the process must
 * still be up, serving /healthz, and a real WebSocket join must work.
 *
 * Records: process exits over the malformed requests and over the reset
 * upgrades (target 0), open sockets accepted from one address (the cap),
 * and how long a slow-header client is held.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, HEADERS_TIMEOUT_MS, MAX_HEADER_BYTES, TIMEOUT_CHECK_INTERVAL_MS } from '../http/limits.js';
import { rawExchange, upgradeRequest, type RawAnswer } from '../test-support/raw-http.js';
import { TestClient } from '../test-support/ws-client.js';
import { recordFigure } from './figures.js';
import { ServerProcess } from './server-process.js';

/** Fixed, printed with the figure, so a failure can be replayed. */
const SEED = 0x5eed_10;
const ROUNDS = 25;

const webDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-hostile-web-'));
writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Conclave</title><p>hostile suite web app</p>');
mkdirSync(path.join(webDir, 'assets'));
writeFileSync(path.join(webDir, 'assets', 'app.js'), 'console.log("app")');

const server = new ServerProcess({
  name: 'hostile-http-edge',
  env: { CONCLAVE_ALLOW_ANONYMOUS_ROOMS: '1', CONCLAVE_WEB_DIR: webDir, CONCLAVE_LOG_LEVEL: 'warn' },
});

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s;
  };
}

/** Runs `tasks` with at most `width` at a time. */
async function pool<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

const head = (line: string, headers: string[] = ['Host: x']) => `${line}\r\n${[...headers, 'Connection: close'].join('\r\n')}\r\n\r\n`;

/**
 * What a stranger sends: [name, bytes, truncated]. Every one of them gets an
 * answer or a closed socket, never a dead server. A truncated one is
 * followed by the client hanging up (a half-close), as the server would
 * otherwise wait out its headers timeout for the rest.
 */
function malformedRequests(random: () => number): Array<[string, Array<string | Buffer>, boolean?]> {
  const garbage = (n: number) => Buffer.from(Array.from({ length: n }, () => random() & 0xff));
  return [
    ...['//a:99999/x', '//[', '//a%/x', '/%zz', '/%ff', '/%00', '/a%', '/%C3', '*', 'http://x/', 'https://a:99999/x', 'x', '/a\u00e9'].map(
      (t): [string, string[]] => [`target ${JSON.stringify(t)}`, [head(`GET ${t} HTTP/1.1`)]],
    ),
    ['over-long target', [head(`GET /${'a'.repeat(9000)} HTTP/1.1`)]],
    ['over-long API target', [head(`GET /api/${'%41'.repeat(1400)} HTTP/1.1`)]],
    ['target with a fragment', [head('GET /x#y HTTP/1.1')]],
    ['bad method', [head('G\u0000T / HTTP/1.1')]],
    ['unknown method', [head('FROB / HTTP/1.1')]],
    ['CONNECT', [head('CONNECT 127.0.0.1:22 HTTP/1.1')]],
    ['TRACE', [head('TRACE / HTTP/1.1')]],
    ['OPTIONS *', [head('OPTIONS * HTTP/1.1')]],
    ['HTTP/2 preface', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']],
    ['HTTP/0.9 line', ['GET /\r\n\r\n']],
    ['HTTP/0.9 line, no blank line', ['GET /healthz\r\n'], true],
    ['version 7.3', [head('GET / HTTP/7.3')]],
    ['version 1.1.1', [head('GET / HTTP/1.1.1')]],
    ['lower-case version', [head('GET / http/1.1')]],
    ['no Host', ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n']],
    ['two Hosts', [head('GET / HTTP/1.1', ['Host: a', 'Host: b'])]],
    ['Host with a path', [head('GET / HTTP/1.1', ['Host: a/b@c:99999'])]],
    ['header without a colon', [head('GET / HTTP/1.1', ['Host: x', 'nonsense'])]],
    ['header with NUL', [head('GET / HTTP/1.1', ['Host: x', 'X-A: a\u0000b'])]],
    ['header with a bare CR', [head('GET / HTTP/1.1', ['Host: x', 'X-A: a\rb'])]],
    ['obsolete line folding', [head('GET / HTTP/1.1', ['Host: x', 'X-A: a', ' folded'])]],
    ['space before the colon', [head('GET / HTTP/1.1', ['Host: x', 'X-A : b'])]],
    ['oversized header', [head('GET / HTTP/1.1', ['Host: x', `X-Big: ${'a'.repeat(MAX_HEADER_BYTES + 10)}`])]],
    ['oversized cookie', [head('GET /api/auth/me HTTP/1.1', ['Host: x', `Cookie: conclave_session=${'b'.repeat(MAX_HEADER_BYTES)}`])]],
    ['header flood (3,000 headers)', [head('GET / HTTP/1.1', ['Host: x', ...Array.from({ length: 3000 }, (_, i) => `X-${i}: ${i}`)])]],
    [
      'many small headers within the size limit',
      [head('GET /healthz HTTP/1.1', ['Host: x', ...Array.from({ length: 900 }, (_, i) => `A${i}: b`)])],
    ],
    ['two Content-Lengths', ['POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}']],
    [
      'Content-Length and chunked',
      ['POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ],
    [
      'bad chunk size',
      [
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ],
    ],
    ['negative Content-Length', ['POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n']],
    [
      'huge Content-Length, tiny body',
      ['POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{}'],
      true,
    ],
    [
      'body over the API limit',
      [
        head('POST /api/auth/login HTTP/1.1', ['Host: x', 'Content-Type: application/json', `Content-Length: ${300_000}`]),
        'x'.repeat(300_000),
      ],
    ],
    [
      'JSON nested 100,000 deep',
      [
        `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 200000\r\n\r\n${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      ],
    ],
    [
      'invalid JSON',
      ['POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 5\r\n\r\n{"a":'],
    ],
    [
      'form post to logout',
      [
        'POST /api/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 3\r\n\r\na=1',
      ],
    ],
    ['reversed Range', [head('GET / HTTP/1.1', ['Host: x', 'Range: bytes=10-5'])]],
    ['reversed Range on an asset', [head('GET /assets/app.js HTTP/1.1', ['Host: x', 'Range: bytes=99-1'])]],
    ['multi-range', [head('GET / HTTP/1.1', ['Host: x', 'Range: bytes=0-1,5-2,-3'])]],
    ['odd If-None-Match', [head('GET / HTTP/1.1', ['Host: x', `If-None-Match: ${'"'.repeat(500)}`])]],
    ['odd X-Forwarded-For', [head('GET /api/auth/me HTTP/1.1', ['Host: x', `X-Forwarded-For: ${'[::1]:99999, '.repeat(100)}`])]],
    ['odd Origin on a POST', ['POST /api/auth/logout HTTP/1.1\r\nHost: x\r\nOrigin: ::::\r\nConnection: close\r\n\r\n']],
    ['metrics with odd authorization', [head('GET /metrics HTTP/1.1', ['Host: x', `Authorization: Bearer ${'\u00ff'.repeat(40)}`])]],
    ['TLS ClientHello on the HTTP port', [Buffer.from('16030100a5010000a10303', 'hex'), garbage(160)], true],
    ['garbage bytes', [garbage(64)], true],
    ['garbage line then CRLFs', [Buffer.concat([garbage(200), Buffer.from('\r\n\r\n')])], true],
    ['request line only, then EOF', ['GET / HTTP/1.1\r\n'], true],
    ['empty lines only', ['\r\n\r\n\r\n\r\n'], true],
    ['pipelined: good then garbage', [`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`, garbage(50)], true],
    ['malformed upgrade: no key', [upgradeRequest('/ws', { 'Sec-WebSocket-Key': null })]],
    ['malformed upgrade: version 99', [upgradeRequest('/ws', { 'Sec-WebSocket-Version': '99' })]],
    ['malformed upgrade: POST', [upgradeRequest('/ws', {}, 'POST')]],
    ['malformed upgrade: bad target', [upgradeRequest('//a:99999/ws')]],
    ['upgrade to h2c', [upgradeRequest('/', { Upgrade: 'h2c' })]],
  ];
}

describe('the HTTP edge under hostile input', () => {
  it('survives N malformed HTTP requests, each answered 4xx or closed', async () => {
    const random = prng(SEED);
    const kinds = malformedRequests(random);
    const tasks: Array<() => Promise<[string, RawAnswer]>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, chunks, truncated] of kinds)
        tasks.push(async () => [name, await rawExchange(server.port, chunks, 8000, truncated === true)]);
      // Fresh garbage each round.
      tasks.push(async () => [
        'random garbage',
        await rawExchange(server.port, [Buffer.from(Array.from({ length: 1 + (random() % 512) }, () => random() & 0xff))], 8000, true),
      ]);
    }
    const answers = await pool(tasks, 12);
    const n = answers.length;
    const serverErrors = answers
      .filter(([, a]) => a.status !== null && a.status >= 500 && a.status !== 505)
      .map(([name, a]) => `${name}: ${a.status}`);
    const hung = answers.filter(([, a]) => a.ended === 'timeout').map(([name]) => name);
    const exits = server.unexpectedExits + (server.running ? 0 : 1);
    recordFigure({
      name: `process exits over ${n.toLocaleString('en-US')} malformed HTTP requests`,
      value: exits,
      unit: 'exits',
      target: '0',
      detail: `${kinds.length + 1} kinds × ${ROUNDS} rounds, seed ${SEED}; answers: ${summarize(answers.map(([, a]) => a))}`,
    });
    expect(exits).toBe(0);
    expect(serverErrors).toEqual([]);
    expect([...new Set(hung)]).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('survives N upgrades reset at every stage', async () => {
    const tickets = await Promise.all(Array.from({ length: 2 * ROUNDS }, (_, i) => ticketPath(`reset-${i}`)));
    const stages: Array<[string, () => Promise<void>]> = [
      ['mid-headers', () => resetUpgrade(upgradeRequest('/ws?ticket=x').slice(0, 60), 'written')],
      ['racing the answer', () => resetUpgrade(upgradeRequest('/ws?ticket=forged'), 'written')],
      ['after 401', () => resetUpgrade(upgradeRequest('/ws?ticket=forged'), 'answer')],
      ['after 403', () => resetUpgrade(upgradeRequest('/ws', { Origin: 'https://evil.example' }), 'answer')],
      ['after 400', () => resetUpgrade(upgradeRequest('/ws', { 'Sec-WebSocket-Key': null }), 'answer')],
      ['after 404', () => resetUpgrade(upgradeRequest('/elsewhere'), 'answer')],
    ];
    const tasks: Array<() => Promise<void>> = [];
    for (let round = 0; round < ROUNDS * 10; round++) for (const [, run] of stages) tasks.push(run);
    for (let i = 0; i < ROUNDS; i++) {
      tasks.push(() => resetUpgrade(upgradeRequest(tickets[2 * i]!), 'answer'));
      // After 101, in the middle of a frame header.
      tasks.push(() => resetUpgrade(upgradeRequest(tickets[2 * i + 1]!), 'answer', Buffer.from([0x81, 0xfe])));
    }
    await pool(tasks, 8);
    const exits = server.unexpectedExits + (server.running ? 0 : 1);
    recordFigure({
      name: `process exits over ${tasks.length.toLocaleString('en-US')} reset upgrades`,
      value: exits,
      unit: 'exits',
      target: '0',
      detail: `RST ${stages.map(([s]) => s).join(', ')}, after 101 and mid-frame after 101`,
    });
    expect(exits).toBe(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('closes slow-header clients after the headers timeout', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => slowHeaderClient(server.port)));
    const held = Math.max(...clients.map((c) => c.ms)) / 1000;
    recordFigure({
      name: 'time a slow-header client is held',
      value: held,
      unit: 's',
      target: `≤ ${(HEADERS_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS) / 1000} (headers timeout + check interval)`,
      detail: 'one header line a second, never finishing the head; answered 408 and closed',
    });
    for (const c of clients) {
      expect(c.closedByServer).toBe(true);
      expect(c.status).toBe(408);
    }
    expect(held).toBeLessThan((HEADERS_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS) / 1000 + 3);
  }, 30_000);

  it('caps the open sockets one address may hold, and serves other addresses meanwhile', async () => {
    // From 127.0.0.2: a loopback address of its own, so this test's sockets are the only ones it has.
    const want = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS + 16;
    const sockets = await Promise.all(Array.from({ length: want }, () => openSocket(server.port, '127.0.0.2')));
    const served = await Promise.all(sockets.map((s) => askHealth(s)));
    const accepted = served.filter(Boolean).length;
    recordFigure({
      name: 'open sockets accepted from one address',
      value: accepted,
      unit: 'sockets',
      target: `${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS} (CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS)`,
      detail: `${want} opened at once; the rest reset at accept`,
    });
    expect(accepted).toBe(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
    // Another address is served while this one is at its cap.
    expect((await rawExchange(server.port, [head('GET /healthz HTTP/1.1')])).status).toBe(200);
    for (const s of sockets) s.destroy();
  });

  it('is still up afterwards, serving /healthz and a real WebSocket join', async () => {
    expect(server.running).toBe(true);
    expect(server.unexpectedExits).toBe(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const roomId = `after-the-storm-${process.pid}`;
    const client = await TestClient.connect(`ws://127.0.0.1:${server.port}${await ticketPath(roomId)}`);
    const joined = await client.request('join', { roomId, displayName: 'Survivor' });
    expect(joined.status).toBe('joined');
    client.close();
  });
});

function summarize(answers: RawAnswer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const key = a.status !== null ? String(a.status) : a.ended;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort()
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
}

/** `/ws?ticket=…` for a fresh ticket to `roomId` (anonymous rooms are on). */
async function ticketPath(roomId: string): Promise<string> {
  const res = await fetch(`${server.url}/api/rooms/${roomId}/ticket`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`ticket refused: ${res.status} ${await res.text()}`);
  const { ticket } = (await res.json()) as { ticket: string };
  return `/ws?ticket=${encodeURIComponent(ticket)}`;
}

/** Writes `data`, then resets the connection (RST): right after writing, or once the answer's first bytes arrive (then after `more`). */
function resetUpgrade(data: string, when: 'written' | 'answer', more?: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const timer = setTimeout(() => socket.resetAndDestroy(), 5000);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => socket.write(data, () => when === 'written' && socket.resetAndDestroy()));
    socket.once('data', () => {
      if (more) socket.write(more, () => socket.resetAndDestroy());
      else socket.resetAndDestroy();
    });
  });
}

/** Sends a request head one header line a second, never finishing it, until the server closes. */
function slowHeaderClient(port: number): Promise<{ ms: number; status: number | null; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let line = 0;
    const drip = setInterval(() => socket.write(`X-Slow-${line++}: ${line}\r\n`), 1000);
    // Bounded: if the server never closes, the test ends anyway (and fails).
    const giveUp = setTimeout(() => finish(false), (HEADERS_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS) * 2);
    const finish = (byServer: boolean) => {
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ ms: Date.now() - started, status: m ? Number(m[1]) : null, closedByServer: byServer });
    };
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => finish(true));
  });
}

function openSocket(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.on('error', () => resolve(s));
  });
}

/** True when a /healthz on this (kept-alive) socket is answered 200. */
function askHealth(s: net.Socket): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(false);
    const timer = setTimeout(() => resolve(false), 5000);
    s.once('data', (d) => {
      clearTimeout(timer);
      resolve(d.toString().startsWith('HTTP/1.1 200'));
    });
    s.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}
