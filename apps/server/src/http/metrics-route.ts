/**
 * /metrics in Prometheus text format, either on the main port for requests
 * bearing the configured token, or on a separate port (bound to a private
 * address) without one.
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Metrics } from '../metrics.js';

async function write(metrics: Metrics, res: http.ServerResponse): Promise<void> {
  res.setHeader('Content-Type', metrics.registry.contentType);
  res.end(await metrics.registry.metrics());
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function metricsRoute(metrics: Metrics, token: string) {
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
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
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === '/metrics') return void write(metrics, res);
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
