import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from '../test-support/raw-http.js';
import { clientErrorAnswer, effectiveMaxConnections, openFileLimit } from './connection-guard.js';
import { createHttpServer, type HttpServer } from './http-server.js';
import {
  HEADERS_TIMEOUT_MS,
  IDLE_SOCKET_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_HEADER_BYTES,
  MAX_HEADERS_COUNT,
  REQUEST_TIMEOUT_MS,
} from './limits.js';
import { requestPath } from './request-target.js';
import { rangeIsSimple } from './web-files.js';

const webDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-web-'));
const INDEX = '<!doctype html><title>Conclave</title><p>index of the test web app</p>';
let server: HttpServer;
let port: number;
const CAP = 3;

beforeAll(async () => {
  writeFileSync(path.join(webDir, 'index.html'), INDEX);
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(webDir, 'assets', 'gone.js'), 'soon deleted');
  const buggyRoute = (req: IncomingMessage) => {
    if (requestPath(req) === '/boom') throw new Error('a bug in a route');
    return false;
  };
  server = createHttpServer({
    webDir,
    logger: pino({ level: 'silent' }),
    isReady: () => true,
    maxConnectionsPerAddress: CAP,
    routes: [buggyRoute],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(webDir, { recursive: true, force: true });
});

const get = (target: string, headers: Record<string, string> = {}) =>
  rawExchange(port, [
    `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  ]);

/** /healthz over a connection that closes (a pooled fetch connection would count against the address cap). */
async function stillServing(): Promise<void> {
  const answer = await get('/healthz');
  expect(answer.status).toBe(200);
}

describe('createHttpServer: request targets', () => {
  it.each(['//a:99999/x', '//[', '//a%/x', '/%zz', '/%ff', '/%00', '*', 'http://127.0.0.1/healthz'])(
    'answers %j with a 400 JSON error and keeps serving',
    async (target) => {
      const answer = await get(target);
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/content-type: application\/json/i);
      expect(answer.text).toMatch(/"code":"bad_request"/);
      await stillServing();
    },
  );

  it('answers an over-long target with 414', async () => {
    const answer = await get(`/${'a'.repeat(5000)}`);
    expect(answer.status).toBe(414);
    await stillServing();
  });

  it('serves the app and its assets for ordinary targets', async () => {
    expect((await get('/')).text).toContain('index of the test web app');
    expect((await get('/r/some-room?x=1')).text).toContain('index of the test web app');
    expect((await get('/assets/app.js')).status).toBe(200);
    expect((await get('/healthz?probe=1')).text).toContain('"status":"ok"');
  });

  it('sets the CSP with connect-src limited to this origin and form-action', async () => {
    const csp = /\r\ncontent-security-policy: ([^\r]*)/i.exec((await get('/')).text)?.[1] ?? '';
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).not.toMatch(/connect-src[^;]*\bwss?:/);
    expect(csp).toMatch(/form-action 'self'/);
  });
});

describe('createHttpServer: static files cannot throw', () => {
  it('ignores a Range that sirv would turn into a throwing read stream, and serves the file whole', async () => {
    const answer = await get('/', { Range: 'bytes=10-5' });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(INDEX);
    await stillServing();
  });

  it('still honours a plain Range', async () => {
    const answer = await get('/', { Range: 'bytes=0-8' });
    expect(answer.status).toBe(206);
    expect(answer.text.endsWith(INDEX.slice(0, 9))).toBe(true);
  });

  it('closes the answer, and keeps serving, when a file vanished after start', async () => {
    rmSync(path.join(webDir, 'assets', 'gone.js'));
    const answer = await get('/assets/gone.js');
    expect(answer.text).not.toContain('soon deleted');
    await stillServing();
  });

  it('tells a simple Range from one to drop', () => {
    expect(rangeIsSimple('bytes=0-10')).toBe(true);
    expect(rangeIsSimple('bytes=5-')).toBe(true);
    expect(rangeIsSimple('bytes=5-5')).toBe(true);
    expect(rangeIsSimple('bytes=10-5')).toBe(false);
    expect(rangeIsSimple('bytes=-5')).toBe(false);
    expect(rangeIsSimple('bytes=0-1,3-4')).toBe(false);
    expect(rangeIsSimple('items=0-1')).toBe(false);
    expect(rangeIsSimple('bytes=99999999999999999999-')).toBe(false);
  });
});

describe('createHttpServer: malformed requests', () => {
  it.each([
    ['garbage bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])],
    ['a bad method', 'FOO!BAR / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a bad version', 'GET / HTTP/7.3\r\nHost: x\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    ['a bare LF line ending in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\rc\r\n\r\n'],
    ['two Content-Lengths that disagree', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['a missing Host', 'GET / HTTP/1.1\r\n\r\n'],
  ])('answers %s with 400 and keeps serving', async (_what, bytes) => {
    const answer = await rawExchange(port, [bytes]);
    expect(answer.status).toBe(400);
    await stillServing();
  });

  it('answers an HTTP/0.9 request line with 505', async () => {
    const answer = await rawExchange(port, ['GET /\r\n\r\n']);
    expect(answer.status).toBe(505);
    await stillServing();
  });

  it('answers headers over the size limit with 431', async () => {
    const answer = await rawExchange(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`]);
    expect(answer.status).toBe(431);
    await stillServing();
  });

  it('answers an unknown method on the app with 405', async () => {
    expect((await rawExchange(port, ['DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'])).status).toBe(405);
  });

  it('answers 500 when a route throws, and keeps serving', async () => {
    const answer = await get('/boom');
    expect(answer.status).toBe(500);
    expect(answer.text).toContain('"code":"internal"');
    await stillServing();
  });

  it('logs an error of the listening server instead of throwing', () => {
    expect(() => server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }))).not.toThrow();
  });
});

describe('createHttpServer: connections per address', () => {
  it(`accepts ${CAP} open connections from one address and resets the rest at accept`, async () => {
    await expect.poll(() => server.edge.open, { timeout: 5000 }).toBe(0);
    const sockets = await Promise.all(
      Array.from(
        { length: CAP + 3 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => resolve(s));
            s.on('error', () => {});
          }),
      ),
    );
    const served = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<boolean>((resolve) => {
            s.once('data', (d) => resolve(d.toString().startsWith('HTTP/1.1 200')));
            s.once('close', () => resolve(false));
            s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
          }),
      ),
    );
    expect(served.filter(Boolean)).toHaveLength(CAP);
    expect(server.edge.refused.perAddress).toBeGreaterThanOrEqual(3);
    for (const s of sockets) s.destroy();
    // Once they close, the address gets its places back.
    await expect.poll(() => server.edge.open, { timeout: 5000 }).toBe(0);
    await stillServing();
  });
});

describe('connection-guard helpers', () => {
  it('maps parser errors to 400, 431 and 408, and failed sockets to none', () => {
    expect(clientErrorAnswer('HPE_INVALID_METHOD')?.status).toBe(400);
    expect(clientErrorAnswer('HPE_HEADER_OVERFLOW')?.status).toBe(431);
    expect(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT')?.status).toBe(408);
    expect(clientErrorAnswer('ECONNRESET')).toBeNull();
    expect(clientErrorAnswer(undefined)?.status).toBe(400);
  });

  it('sets the server-wide limits on the server', () => {
    expect(server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(server.timeout).toBe(IDLE_SOCKET_TIMEOUT_MS);
    expect(server.maxHeadersCount).toBe(MAX_HEADERS_COUNT);
    expect(server.maxConnections).toBe(server.edge.maxConnections);
  });

  it('lowers maxConnections to what the open-file limit allows', () => {
    expect(effectiveMaxConnections(null)).toBe(MAX_CONNECTIONS);
    expect(effectiveMaxConnections(1024)).toBe(1024 - 256);
    expect(effectiveMaxConnections(1_048_576)).toBe(MAX_CONNECTIONS);
    expect(effectiveMaxConnections(100)).toBe(64);
  });

  it('reads the soft open-file limit', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-limits-'));
    const file = path.join(dir, 'limits');
    writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n',
    );
    expect(openFileLimit(file)).toBe(1024);
    writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
    expect(openFileLimit(file)).toBeNull();
    expect(openFileLimit(path.join(dir, 'missing'))).toBeNull();
  });
});
