/**
 * The HTTP edge of the real app, in-process: malformed targets and
 * WebSocket handshakes answered 4xx (a ticket is never spent on a malformed
 * one), non-JSON state-changing API calls refused with 415, the WebSocket
 * cap per forwarded address behind a trusted proxy, and refused upgrades
 * logged at a bounded rate.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { rawExchange, upgradeRequest } from '../test-support/raw-http.js';
import { TestClient } from '../test-support/ws-client.js';
import { createLogger } from '../logger.js';
import { REFUSAL_LOG_BURST } from './limits.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const METRICS_TOKEN = 'edge-metrics-token-0123456789';
let app: TestApp;
let port: number;
let roomSeq = 0;
const newRoom = () => `edge-${process.pid}-${++roomSeq}`;
/** The path and query of a fresh ticket URL. */
const ticketPath = async () => new URL(await app.ticketUrl(newRoom())).search.replace(/^/, '/ws');

beforeAll(async () => {
  app = await startTestApp({ metrics: { token: METRICS_TOKEN, port: undefined, host: '127.0.0.1' } }, createLogger('info', sink));
  port = app.port;
});
afterAll(async () => {
  await app?.close();
});

describe('request targets on the real app', () => {
  it.each(['//a:99999/x', '//[', '//a%/x', '/%zz', '/api/%zz', '/metrics%', '*'])(
    'answers GET %j with 400 and keeps serving',
    async (target) => {
      const answer = await rawExchange(port, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/"error":\{"code":"bad_request"/);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    },
  );
});

describe('WebSocket handshakes', () => {
  it.each([
    ['a missing Sec-WebSocket-Key', { 'Sec-WebSocket-Key': null }, 'GET', 400],
    ['a malformed Sec-WebSocket-Key', { 'Sec-WebSocket-Key': 'short' }, 'GET', 400],
    ['an unsupported version', { 'Sec-WebSocket-Version': '12' }, 'GET', 426],
    ['a missing version', { 'Sec-WebSocket-Version': null }, 'GET', 426],
    ['another protocol in Upgrade', { Upgrade: 'h2c' }, 'GET', 400],
    ['a POST', {}, 'POST', 405],
  ] as const)('answers %s with a 4xx, without spending the ticket', async (_what, headers, method, status) => {
    const target = await ticketPath();
    const answer = await rawExchange(port, [upgradeRequest(target, headers, method)]);
    expect(answer.status).toBe(status);
    expect(answer.ended).not.toBe('timeout');
    // The ticket still admits a proper handshake.
    const client = await TestClient.connect(`ws://127.0.0.1:${port}${target}`);
    client.close();
  });

  it('answers a malformed target in an upgrade with 400 and another path with 404', async () => {
    expect((await rawExchange(port, [upgradeRequest('//a:99999/ws')])).status).toBe(400);
    expect((await rawExchange(port, [upgradeRequest('/%zz')])).status).toBe(400);
    expect((await rawExchange(port, [upgradeRequest('/elsewhere')])).status).toBe(404);
  });

  it('logs refused upgrades at a bounded rate', async () => {
    const n = REFUSAL_LOG_BURST * 5;
    for (let i = 0; i < n; i++) expect((await rawExchange(port, [upgradeRequest('/ws?ticket=forged')])).status).toBe(401);
    // Every refusal of this file so far falls in one interval: no more than the burst is logged in full.
    expect(lines.filter((l) => l.msg === 'WebSocket upgrade refused')).toHaveLength(REFUSAL_LOG_BURST);
    // The ticket in a logged path is redacted.
    expect(JSON.stringify(lines)).not.toContain('forged');
  });
});

describe('metrics of the edge', () => {
  it('counts open connections, malformed requests and refused upgrades', async () => {
    const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(Number(/^conclave_http_open_connections (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^conclave_http_max_connections (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(64);
    expect(Number(/^conclave_websocket_upgrades_refused_total\{status="401"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(
      REFUSAL_LOG_BURST * 5,
    );
    expect(text).toMatch(/^conclave_http_connections_refused_total\{reason="per_address"\} 0$/m);
  });
});

describe('state-changing API calls carry JSON or nothing', () => {
  const formTypes = ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', 'application/xml'];

  it.each(formTypes)('refuses %s on body-less and body-reading routes with 415', async (type) => {
    const room = newRoom();
    for (const [method, route] of [
      ['POST', '/api/auth/logout'],
      ['POST', `/api/rooms/${room}/end`],
      ['DELETE', `/api/rooms/${room}`],
      ['DELETE', '/api/users/1'],
      ['POST', '/api/auth/login'],
      ['POST', `/api/rooms/${room}/ticket`],
    ]) {
      const res = await fetch(`${app.url}${route}`, { method, headers: { 'Content-Type': type }, body: 'a=1' });
      expect(res.status, `${method} ${route}`).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
  });

  it('refuses a body sent without a Content-Type', async () => {
    const res = await fetch(`${app.url}/api/auth/logout`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    expect(res.status).toBe(415);
  });

  it('lets a body-less call without a type through, as the web client sends it', async () => {
    const res = await fetch(`${app.url}/api/auth/logout`, { method: 'POST', headers: { Accept: 'application/json' } });
    expect(res.status).not.toBe(415);
    expect(res.status).toBeLessThan(500);
  });

  it('lets JSON through', async () => {
    const res = await fetch(`${app.url}/api/rooms/${newRoom()}/ticket`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: '{}',
    });
    expect(res.status).toBe(200);
  });
});

describe('behind a trusted proxy', () => {
  let proxied: TestApp;
  const proxiedLines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const proxiedSink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) proxiedLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    proxied = await startTestApp({ trustProxyHops: 1, maxConnectionsPerAddress: 2 }, createLogger('info', proxiedSink));
  });
  afterAll(async () => {
    await proxied?.close();
  });

  it('caps open WebSockets per forwarded client address (read from the right), not per proxy', async () => {
    const as = (ip: string) => ({ 'X-Forwarded-For': `198.51.100.1, ${ip}` });
    const a1 = await TestClient.connect(await proxied.ticketUrl(newRoom()), as('203.0.113.5'));
    const a2 = await TestClient.connect(await proxied.ticketUrl(newRoom()), as('203.0.113.5'));
    await expect(TestClient.connect(await proxied.ticketUrl(newRoom()), as('203.0.113.5'))).rejects.toThrow(/429/);
    // Another client behind the same proxy is not affected, nor is the spoofed leftmost entry counted.
    const b = await TestClient.connect(await proxied.ticketUrl(newRoom()), as('203.0.113.6'));
    a1.close();
    await a1.waitForClose();
    await expect
      .poll(async () =>
        TestClient.connect(await proxied.ticketUrl(newRoom()), as('203.0.113.5')).then(
          (c) => (c.close(), true),
          () => false,
        ),
      )
      .toBe(true);
    a2.close();
    b.close();
  });

  it('sums up the refusals it did not log when it stops', async () => {
    const n = REFUSAL_LOG_BURST + 7;
    for (let i = 0; i < n; i++) expect((await rawExchange(proxied.port, [upgradeRequest('/ws')])).status).toBe(401);
    proxied.signaling.close();
    const summary = proxiedLines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('WebSocket upgrades refused:'));
    expect(proxiedLines.filter((l) => l.msg === 'WebSocket upgrade refused')).toHaveLength(REFUSAL_LOG_BURST);
    // Those of this test past the burst, and the 429s of the one before.
    expect(summary?.dropped).toBeGreaterThanOrEqual(n - REFUSAL_LOG_BURST);
  });
});
