/**
 * /metrics in Prometheus text format, either on the main port for requests
 * bearing the configured token, or on a separate port (bound to a private
 * address) without one.
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Metrics } from '../metrics.js';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './limits.js';
import { requestPath } from './request-target.js';

async function write(metrics: Metrics, res: http.ServerResponse): Promise<void> {
  try {
    const text = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(text);
  } catch {
    // A collector that failed: an answer, not an unhandled rejection.
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function metricsRoute(metrics: Metrics, token: string) {
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (requestPath(req) !== '/metrics') return false;
    if (!tokenMatches(req.headers.authorization, token)) {
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: { code: 'unauthenticated', message: 'a metrics token is needed' } }));
      return true;
    }
    void write(metrics, res);
    return true;
  };
}

export function startMetricsServer(metrics: Metrics, host: string, port: number): Promise<http.Server> {
  const server = http.createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    if (requestPath(req) === '/metrics') return void write(metrics, res);
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // An accept error after start (EMFILE) must not end the process; the main server logs its own.
      server.on('error', () => {});
      resolve(server);
    });
  });
}
