/**
 * The one HTTP server: /healthz, the built web app (with the single-page
 * fallback so /r/<room> loads index.html), and, through attachSignaling, the
 * WebSocket upgrade on /ws.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import sirv from 'sirv';
import type { Logger } from '../logger.js';
import { setSecurityHeaders } from './security-headers.js';

export interface HttpServerOptions {
  webDir: string;
  logger: Logger;
  /** Whether the media workers are up; /healthz answers 503 until they are. */
  isReady: () => boolean;
  /** Serve HTTPS with this certificate and key (see tls.ts); `hsts` for a real, trusted certificate. */
  tls?: { cert: string; key: string; hsts: boolean } | null;
  /** Handlers tried before the web app (the REST API, /metrics); each returns true if it answered. */
  routes?: Array<(req: http.IncomingMessage, res: http.ServerResponse) => boolean>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

export function createHttpServer({ webDir, logger, isReady, tls, routes = [] }: HttpServerOptions): http.Server {
  const hasWeb = existsSync(path.join(webDir, 'index.html'));
  if (!hasWeb) logger.warn({ webDir }, 'web app not built; only /healthz and /ws are served (run: pnpm -r build)');
  const serveWeb = hasWeb
    ? sirv(webDir, {
        single: true,
        etag: true,
        setHeaders: (res, pathname) => {
          // Hashed assets never change; index.html must always be fresh.
          res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      })
    : null;

  const handler: http.RequestListener = (req, res) => {
    setSecurityHeaders(res);
    // Never for a self-signed certificate: HSTS would stop browsers from letting users accept it.
    if (tls?.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      const ready = isReady();
      return json(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
    }
    for (const route of routes) if (route(req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} is not allowed here` } });
    }
    if (!serveWeb) return json(res, 404, { error: { code: 'not_found', message: 'web app not built' } });
    serveWeb(req, res, () => json(res, 404, { error: { code: 'not_found', message: 'not found' } }));
  };
  return tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
}
