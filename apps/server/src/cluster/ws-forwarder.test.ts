/**
 * The forwarder between two real HTTP servers on loopback: a WebSocket
 * opened at "node A" works end to end with "node B", which learns the
 * client's address from A's signed header; a header a client wrote itself,
 * or one signed with another secret or too old, is not believed; a node that
 * cannot be reached gets the client a 502.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { FORWARDED_HEADER, FORWARDED_MAX_AGE_MS, forwardUpgrade, signForwarded, verifyForwarded } from './ws-forwarder.js';

const SECRET = 'a-cluster-secret-of-at-least-32-chars!';
const servers: Server[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Node B: a WebSocket server that answers each message with what it knows of the client. */
async function nodeB(): Promise<number> {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const vouched = verifyForwarded(req.headers[FORWARDED_HEADER], SECRET, req.url ?? '/');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) =>
        ws.send(JSON.stringify({ echo: (data as Buffer).toString(), vouched, url: req.url, cookie: req.headers.cookie ?? null })),
      );
    });
  });
  return listen(server);
}

/** Node A: forwards every upgrade to `target`. */
async function nodeA(target: string): Promise<number> {
  const server = createServer();
  server.on('upgrade', (req, socket, head) => {
    void forwardUpgrade(req, socket, head, { target: new URL(target), secret: SECRET, clientIp: '203.0.113.7' });
  });
  return listen(server);
}

async function exchange(url: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const ws = new WebSocket(url, { headers });
  await once(ws, 'open');
  ws.send('hello');
  const [data] = (await once(ws, 'message')) as [Buffer];
  ws.close();
  return JSON.parse(String(data)) as Record<string, unknown>;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('forwardUpgrade', () => {
  it('joins a WebSocket opened at one node to the node its ticket names, with the client address and Host vouched for', async () => {
    const b = await nodeB();
    const a = await nodeA(`http://127.0.0.1:${b}`);
    const answer = await exchange(`ws://127.0.0.1:${a}/ws?ticket=t1&node=b`, { Cookie: 'conclave_session=s' });
    expect(answer).toEqual({
      echo: 'hello',
      // The Host the browser asked node A for (in a browser, the one its Origin is checked against), not node B's.
      vouched: { ip: '203.0.113.7', host: `127.0.0.1:${a}` },
      url: '/ws?ticket=t1&node=b',
      cookie: 'conclave_session=s',
    });
  });

  it('carries many frames both ways, in order', async () => {
    const b = await nodeB();
    const a = await nodeA(`http://127.0.0.1:${b}`);
    const ws = new WebSocket(`ws://127.0.0.1:${a}/ws`);
    await once(ws, 'open');
    const got: string[] = [];
    ws.on('message', (d) => got.push((JSON.parse((d as Buffer).toString()) as { echo: string }).echo));
    for (let i = 0; i < 200; i++) ws.send(`m${i}`);
    await expect.poll(() => got.length).toBe(200);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    ws.close();
  });

  it('does not believe a forwarded header a client wrote, signed with another secret, for another target, or too old', async () => {
    const b = await nodeB();
    const forged = signForwarded('another-secret-another-secret-123456', '198.51.100.1', '/ws');
    expect((await exchange(`ws://127.0.0.1:${b}/ws`, { [FORWARDED_HEADER]: forged })).vouched).toBeNull();
    expect((await exchange(`ws://127.0.0.1:${b}/ws`, { [FORWARDED_HEADER]: '198.51.100.1 1 x' })).vouched).toBeNull();
    const now = Date.now();
    expect(
      verifyForwarded(signForwarded(SECRET, '198.51.100.1', '/ws?ticket=a', 'meet.example', now), SECRET, '/ws?ticket=b', now),
    ).toBeNull();
    expect(
      verifyForwarded(signForwarded(SECRET, '198.51.100.1', '/ws', 'meet.example', now - FORWARDED_MAX_AGE_MS - 1), SECRET, '/ws', now),
    ).toBeNull();
    expect(verifyForwarded(signForwarded(SECRET, 'not-an-ip', '/ws', 'meet.example', now), SECRET, '/ws', now)).toBeNull();
    expect(verifyForwarded(signForwarded(SECRET, '::1', '/ws', 'meet.example:8443', now), SECRET, '/ws', now)).toEqual({
      ip: '::1',
      host: 'meet.example:8443',
    });
    // The Host is signed too: another one in its place breaks the signature.
    const signed = signForwarded(SECRET, '::1', '/ws', 'meet.example', now);
    expect(verifyForwarded(signed.replace('meet.example', 'evil.example'), SECRET, '/ws', now)).toBeNull();
  });

  it('answers the client 502 when the other node cannot be reached', async () => {
    const closed = createServer();
    const deadPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    const errors: Error[] = [];
    const server = createServer();
    server.on('upgrade', (req, socket, head) => {
      void forwardUpgrade(req, socket, head, {
        target: new URL(`http://127.0.0.1:${deadPort}`),
        secret: SECRET,
        clientIp: '127.0.0.1',
        onError: (e) => errors.push(e),
      });
    });
    const a = await listen(server);
    const ws = new WebSocket(`ws://127.0.0.1:${a}/ws`);
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
    expect(res.statusCode).toBe(502);
    expect(errors).toHaveLength(1);
  });
});
