/**
 * The app serving HTTPS itself with a self-signed certificate, and handing
 * each joining browser TURN credentials of its own over wss:.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp } from '../test-support/test-app.js';

const secret = 'test-secret-0123456789abcdef';
let app: Awaited<ReturnType<typeof startTestApp>>;
let cert: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-https-'));
  app = await startTestApp({
    dataDir,
    tls: { kind: 'self-signed' },
    turn: {
      urls: ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349?transport=tcp'],
      secret,
      ttlSeconds: 600,
      credentialsPerMinute: 6,
    },
    iceTransportPolicy: 'relay',
  });
  cert = readFileSync(path.join(dataDir, 'tls', 'self-signed.crt'), 'utf8');
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** POST over HTTPS, trusting only the server's own certificate. */
function post(pathname: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: app.port,
        path: pathname,
        method: 'POST',
        ca: cert,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function get(pathname: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // Trust exactly the certificate the server made, and check it names localhost.
    https
      .get({ host: '127.0.0.1', servername: 'localhost', port: app.port, path: pathname, ca: cert }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

it('serves HTTPS with the certificate kept in the data directory, without HSTS', async () => {
  const res = await get('/healthz');
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  // HSTS would stop browsers from letting users accept a self-signed certificate.
  expect(res.headers['strict-transport-security']).toBeUndefined();
  expect(res.headers['content-security-policy']).toBeDefined();
});

it('hands each joining peer its own short-lived TURN credentials over wss:, and the relay policy', async () => {
  const ticket = await post('/api/rooms/turn-creds/ticket', {});
  expect(ticket.status).toBe(200);
  const ws = new WebSocket(`wss://localhost:${app.port}/ws?ticket=${encodeURIComponent((ticket.json as { ticket: string }).ticket)}`, {
    ca: cert,
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = new Promise<{ ok: boolean; data: Record<string, unknown> }>((resolve) =>
    ws.on('message', (m) => {
      const msg = JSON.parse((m as Buffer).toString()); // one Buffer per message: ws's default binaryType
      if (msg.type === 'response' && msg.id === 1) resolve(msg);
    }),
  );
  ws.send(JSON.stringify({ type: 'request', id: 1, method: 'join', data: { roomId: 'turn-creds', displayName: 'Ada' } }));
  const { ok, data } = await answer;
  ws.close();
  expect(ok).toBe(true);
  expect(data.status).toBe('joined');
  expect(data.iceTransportPolicy).toBe('relay');
  const servers = data.iceServers as Array<{ urls: string[]; username: string; credential: string }>;
  expect(servers).toHaveLength(1);
  const [server] = servers;
  expect(server!.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349?transport=tcp']);
  const [expiry, user] = server!.username.split(':');
  expect(user).toBe(data.peerId);
  const now = Date.now() / 1000;
  expect(Number(expiry)).toBeGreaterThan(now + 590);
  expect(Number(expiry)).toBeLessThanOrEqual(now + 601);
  expect(server!.credential).toBe(createHmac('sha1', secret).update(server!.username).digest('base64'));
});
