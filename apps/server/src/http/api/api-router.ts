/**
 * The REST API under /api: routes by method and path (find-my-way), an
 * Origin check on every state-changing request, and one place that turns
 * failures into `{error: {code, message}}` — 4xx for anything the client
 * sent wrong, 503 with Retry-After when the password hasher's queue is full
 * or the database cannot be reached, 500 only for bugs (logged, never
 * detailed to the client).
 */
import type { ClusterNode } from '../../cluster/cluster-node.js';
import { isRedisUnreachable } from '../../cluster/redis.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Router, { type HTTPMethod } from 'find-my-way';
import type { Accounts } from '../../auth/accounts.js';
import { HasherUnavailable } from '../../auth/password-hasher.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { Moderation } from '../../rooms/moderation.js';
import type { RoomDirectory } from '../../rooms/room-directory.js';
import type { RoomRegistry } from '../../rooms/room-registry.js';
import { StoreUnavailable } from '../../store/errors.js';
import type { Store } from '../../store/store.js';
import type { WorkerHealthMonitor } from '../../media/worker-health.js';
import { originAllowed } from '../origin.js';
import { requestPath } from '../request-target.js';
import { ApiError } from './api-error.js';
import { ApiRequest } from './api-request.js';
import { auditRoutes } from './audit-routes.js';
import { authRoutes } from './auth-routes.js';
import { healthRoutes } from './health-routes.js';
import { roomRoutes } from './room-routes.js';
import { userRoutes } from './user-routes.js';

export interface ApiDeps {
  accounts: Accounts;
  store: Store;
  directory: RoomDirectory;
  moderation: Moderation;
  registry: RoomRegistry;
  health: WorkerHealthMonitor;
  metrics: Metrics;
  logger: Logger;
  /** Proxy hops whose X-Forwarded-* headers are trusted (CONCLAVE_TRUST_PROXY). */
  trustProxyHops: number;
  allowedOrigins: string[];
  /** This node of a cluster; null (or absent) on a single node. */
  cluster?: ClusterNode | null;
}

/** `'METHOD /path/:param'` → handler. */
export type RouteTable = Record<string, (r: ApiRequest) => Promise<void>>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request carries JSON or nothing at all. An HTML form on
 * another site can send `application/x-www-form-urlencoded`,
 * `multipart/form-data` or `text/plain` without a CORS preflight, so those
 * (and any other type, or a body without a type) are refused with 415 before
 * a route runs, also on routes that read no body (logout, end, delete).
 */
export function refuseNonJsonBody(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (type !== undefined) {
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json (or send no body)');
    }
    return;
  }
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody) throw new ApiError(415, 'unsupported_media_type', 'a body needs Content-Type: application/json');
}

/** Returns a handler that answers /api/* requests (true) or leaves others alone (false). */
export function createApi(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const router = Router({ ignoreTrailingSlash: true, maxParamLength: 128 });
  const tables = [authRoutes, roomRoutes, userRoutes, auditRoutes, healthRoutes].map((make) => make(deps));
  const ctx = { accounts: deps.accounts, trustProxyHops: deps.trustProxyHops };

  for (const table of tables) {
    for (const [key, handler] of Object.entries(table)) {
      const [method, path] = key.split(' ') as [HTTPMethod, string];
      router.on(method, path, (req, res, params, _store, searchParams) => {
        const query = new URLSearchParams(searchParams);
        const r = new ApiRequest(req, res, params, query, ctx);
        run(r, () => {
          if (!SAFE_METHODS.has(req.method ?? 'GET')) {
            if (!originAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins)) {
              throw new ApiError(403, 'forbidden', 'request from another site refused');
            }
            refuseNonJsonBody(req);
          }
          return handler(r);
        }).catch((err: unknown) => {
          // Answering the failure failed too: log it, never leave an unhandled rejection.
          deps.logger.error({ err, path: req.url }, 'API error answer failed');
          res.destroy();
        });
      });
    }
  }

  async function run(r: ApiRequest, handler: () => Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (err) {
      // A client that went away mid-request (reset, aborted body) is no server error and gets no answer.
      const socket = r.req.socket as IncomingMessage['socket'] | null;
      if (r.res.headersSent || r.res.destroyed || socket?.destroyed === true) return;
      if (err instanceof ApiError) {
        r.send(err.status, { error: { code: err.code, message: err.message } }, err.headers);
        return;
      }
      if (err instanceof StoreUnavailable || isRedisUnreachable(err)) {
        // PostgreSQL is down or restarting: running meetings go on; what needs the database waits.
        deps.logger.warn({ err, path: r.req.url }, 'API request failed: the database is unavailable');
        r.send(
          503,
          { error: { code: 'unavailable', message: 'the server cannot reach its database or cluster; try again shortly' } },
          { 'Retry-After': '2' },
        );
        return;
      }
      if (err instanceof HasherUnavailable) {
        // Sign-ins, tickets to rooms with a password, setup and password changes wait for the one hasher thread.
        const seconds = String(Math.ceil(err.retryAfterMs / 1000));
        r.send(
          503,
          { error: { code: 'unavailable', message: 'the server is busy checking passwords; try again in a moment' } },
          { 'Retry-After': seconds },
        );
        return;
      }
      deps.logger.error({ err, path: r.req.url }, 'API request failed');
      r.send(500, { error: { code: 'internal', message: 'internal error' } });
    }
  }

  return (req, res) => {
    // http-server.ts has already answered 400 to a target that does not parse.
    const path = requestPath(req);
    if (path === null || (!path.startsWith('/api/') && path !== '/api')) return false;
    if (!router.find(req.method as HTTPMethod, path)) {
      const known = router.find('GET', path) || router.find('POST', path) || router.find('PATCH', path) || router.find('DELETE', path);
      res.statusCode = known ? 405 : 404;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          error: known
            ? { code: 'method_not_allowed', message: `${req.method} is not allowed here` }
            : { code: 'not_found', message: 'no such API route' },
        }),
      );
      return true;
    }
    router.lookup(req, res);
    return true;
  };
}
