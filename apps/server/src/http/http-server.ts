/**
 * The one HTTP server: /healthz, the built web app (with the single-page
 * fallback so /r/<room> loads index.html), and, through attachSignaling, the
 * WebSocket upgrade on /ws.
 *
 * Built for the open internet: the request target is parsed once, without
 * throwing (request-target.ts), and a malformed one is answered 400 before
 * any route sees it; header and request timeouts are seconds (limits.ts);
 * connection-guard.ts caps connections and gives every socket an error
 * listener; web-files.ts keeps the static files from throwing.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { guardConnections, type ConnectionGuardStats } from './connection-guard.js';
import {
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from './limits.js';
import { requestTarget } from './request-target.js';
import { setSecurityHeaders } from './security-headers.js';
import { webFiles } from './web-files.js';

export interface HttpServerOptions {
  webDir: string;
  logger: Logger;
  /** Whether the media workers are up; /healthz answers 503 until they are. */
  isReady: () => boolean;
  /** Serve HTTPS with this certificate and key (see tls.ts); `hsts` for a real, trusted certificate. */
  tls?: { cert: string; key: string; hsts: boolean } | null;
  /** Handlers tried before the web app (the REST API, /metrics); each returns true if it answered. */
  routes?: Array<(req: http.IncomingMessage, res: http.ServerResponse) => boolean>;
  /** Open connections per client address (CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS); 0 = no cap. */
  maxConnectionsPerAddress?: number;
  /** Reverse-proxy hops trusted (CONCLAVE_TRUST_PROXY). */
  trustProxyHops?: number;
}

export type HttpServer = http.Server & { readonly edge: ConnectionGuardStats };

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

export function createHttpServer({
  webDir,
  logger,
  isReady,
  tls,
  routes = [],
  maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  trustProxyHops = 0,
}: HttpServerOptions): HttpServer {
  const hasWeb = existsSync(path.join(webDir, 'index.html'));
  if (!hasWeb) logger.warn({ webDir }, 'web app not built; only /healthz and /ws are served (run: pnpm -r build)');
  const serveWeb = hasWeb ? webFiles(webDir, logger) : null;

  const handler: http.RequestListener = (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // A bug in a route must cost one request, not the process.
      logger.error({ err, method: req.method, path: req.url?.slice(0, 200) }, 'HTTP request failed');
      if (res.headersSent) res.destroy();
      else json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    }
  };
  const handle: http.RequestListener = (req, res) => {
    setSecurityHeaders(res);
    // Never for a self-signed certificate: HSTS would stop browsers from letting users accept it.
    if (tls?.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    if (req.httpVersionMajor !== 1) {
      // llhttp reads a bare `GET /` line as HTTP/0.9; nothing here speaks it.
      res.setHeader('Connection', 'close');
      return json(res, 505, { error: { code: 'bad_request', message: 'only HTTP/1.0 and HTTP/1.1 are served' } });
    }
    const target = requestTarget(req);
    if (!target.ok) {
      res.setHeader('Connection', 'close');
      return json(res, target.status, { error: { code: target.status === 414 ? 'uri_too_long' : 'bad_request', message: target.reason } });
    }
    if (target.pathname === '/healthz') {
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
  const serverOptions: http.ServerOptions = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const server = tls
    ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key }, handler)
    : http.createServer(serverOptions, handler);
  const edge = guardConnections(server, { logger, maxPerAddress: maxConnectionsPerAddress, trustProxyHops });
  return Object.assign(server, { edge });
}
