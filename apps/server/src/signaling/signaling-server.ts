/**
 * Accepts signaling WebSockets on /ws of the app's HTTP server. The Origin
 * is checked against the configured list (or the request's own host), so
 * another site cannot open a socket with a visitor's browser.
 *
 * The upgrade socket gets an error listener before anything else (a client
 * that resets at any stage, also right after a refusal, must not raise an
 * unhandled 'error'); a request that is not a well-formed WebSocket
 * handshake is refused with 400/405/426 before a ticket is looked at; open
 * WebSockets are capped per client address (which behind a trusted proxy is
 * the forwarded one); every refusal is answered, counted for /metrics and
 * logged at a bounded rate.
 */
import { isRedisUnreachable } from '../cluster/redis.js';
import { FORWARDED_HEADER, forwardUpgrade, verifyForwarded } from '../cluster/ws-forwarder.js';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, HARD_MAX_FRAME_BYTES } from '@conclave/protocol';
import { sessionKeyOf, type Accounts, type Revocation } from '../auth/accounts.js';
import type { TicketStore } from '../cluster/ticket-store.js';
import { AddressCounter } from '../http/address-counter.js';
import { addressKey } from '../http/address-key.js';
import { REFUSAL_LOG_BURST, REFUSAL_LOG_INTERVAL_MS } from '../http/limits.js';
import { LogRateLimiter } from '../http/log-rate-limiter.js';
import { originAllowed } from '../http/origin.js';
import { answerAndClose, ignoreSocketError } from '../http/raw-response.js';
import { requestTarget } from '../http/request-target.js';
import { clientIp, sessionToken } from '../http/request-identity.js';
import { ClientConnection } from './client-connection.js';
import type { ConnectionGrant } from './connection-grant.js';
import { StoreUnavailable } from '../store/errors.js';
import { closeRevoked } from './revocation.js';
import type { SignalingContext } from './session.js';

export const SIGNALING_PATH = '/ws';

export interface SignalingServer {
  readonly connections: Set<ClientConnection>;
  /**
   * For a restart: refuses new sockets (503) from now on, closes every open
   * one with 1012 (service restart), and resolves once they are closed, or
   * after `graceMs`, when the rest are cut; and their members' rejoin passes
   * released.
   */
  drain(graceMs?: number): Promise<void>;
  close(): void;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Waits for `p`, or `ms` at most. */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Why `req` is not a WebSocket handshake this server can complete (RFC 6455 §4.2.1), or null. */
export function handshakeProblem(req: IncomingMessage): Refusal | null {
  if (req.method !== 'GET')
    return { status: 405, code: 'method_not_allowed', message: 'a WebSocket handshake is a GET', headers: { Allow: 'GET' } };
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    return { status: 400, code: 'bad_request', message: 'only Upgrade: websocket is served here' };
  }
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !WEBSOCKET_KEY.test(key)) {
    return { status: 400, code: 'bad_request', message: 'missing or malformed Sec-WebSocket-Key' };
  }
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    return {
      status: 426,
      code: 'upgrade_required',
      message: 'unsupported Sec-WebSocket-Version',
      headers: { 'Sec-WebSocket-Version': '13, 8' },
    };
  }
  return null;
}

/**
 * Who may open a socket: the bearer of a valid join ticket (`?ticket=`), or
 * a signed-in user (session cookie). Anyone else is refused with 401.
 */
async function grantFor(req: IncomingMessage, query: URLSearchParams, ip: string, auth: SignalingAuth): Promise<ConnectionGrant | null> {
  const ticket = query.get('ticket');
  if (ticket) {
    // Used up by this one call, atomically in the ticket store: two sockets with one ticket cannot both have it.
    const grant = await auth.tickets.redeem(ticket);
    if (!grant) return null;
    const { node: _node, ...rest } = grant;
    return { kind: 'ticket', ...rest, ip };
  }
  const token = sessionToken(req);
  const user = await auth.accounts.userForSession(token);
  return user && token ? { kind: 'session', user, sessionKey: sessionKeyOf(token), ip } : null;
}

export interface SignalingAuth {
  tickets: TicketStore;
  accounts: Accounts;
  /** Cluster mode: WebSockets whose ticket names another node are passed on to it (cluster/ws-forwarder.ts). */
  cluster?: UpgradeRouting | null;
}

export interface UpgradeRouting {
  nodeId: string;
  /** CONCLAVE_CLUSTER_SECRET: signs and checks the client address a forwarding node vouches for. */
  secret: string;
  /** Where node `nodeId` takes WebSockets, while it is alive. */
  internalUrlOf(nodeId: string): Promise<URL | null>;
}

export function attachSignaling(server: Server, ctx: SignalingContext, auth: SignalingAuth): SignalingServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_FRAME_BYTES });
  const connections = new Set<ClientConnection>();
  let draining = false;
  const revocationDeps = { tickets: auth.tickets, directory: ctx.directory, logger: ctx.logger };
  /** Per upgrade still looking up its ticket or session: the revocations told meanwhile (they could not see its connection). */
  const deciding = new Set<Revocation[]>();
  // An account that loses powers loses them on its open sockets too, at once.
  const stopRevoking = auth.accounts.onRevoked(async (r) => {
    for (const seen of deciding) seen.push(r);
    await closeRevoked(connections, r, revocationDeps);
  });

  const openPerAddress = new AddressCounter(ctx.config.maxConnectionsPerAddress);
  const refusedLog = new LogRateLimiter({
    burst: REFUSAL_LOG_BURST,
    intervalMs: REFUSAL_LOG_INTERVAL_MS,
    summary: (dropped, intervalMs) =>
      ctx.logger.warn(
        { dropped, intervalSeconds: intervalMs / 1000 },
        `WebSocket upgrades refused: ${dropped} more not logged (rate limit)`,
      ),
  });

  const refuse = (req: IncomingMessage, socket: Duplex, ip: string, r: Refusal): void => {
    ctx.metrics.upgradesRefused.inc({ status: String(r.status) });
    if (refusedLog.allow()) {
      // Strangers' strings, cut short; `path` loses its query values (a ticket) in the logger.
      ctx.logger.warn(
        {
          status: r.status,
          reason: r.message,
          address: addressKey(ip),
          origin: req.headers.origin?.slice(0, 200),
          path: req.url?.slice(0, 200),
        },
        'WebSocket upgrade refused',
      );
    }
    answerAndClose(socket, r.status, r.code, r.message, r.headers);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // First of all, before any write or wait: a reset from here on is a closed socket, not a crash.
    socket.on('error', ignoreSocketError);
    upgrade(req, socket, head).catch((err: unknown) => {
      if (socket.destroyed) return;
      if (err instanceof StoreUnavailable || isRedisUnreachable(err)) {
        ctx.logger.warn({ err }, 'WebSocket upgrade refused: the database is unavailable');
        answerAndClose(socket, 503, 'unavailable', 'the server cannot reach its database or cluster; try again shortly', {
          'Retry-After': '2',
        });
        return;
      }
      // A bug on this path must cost one socket, not the process.
      ctx.logger.error({ err, path: req.url?.slice(0, 200) }, 'WebSocket upgrade failed');
      answerAndClose(socket, 500, 'internal', 'internal error');
    });
  });

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const cluster = auth.cluster ?? null;
    // Passed on by another node of the cluster: the client's address is the one it vouches for, under our secret.
    const vouched = cluster ? verifyForwarded(req.headers[FORWARDED_HEADER], cluster.secret, req.url ?? '/') : null;
    const ip = vouched?.ip ?? clientIp(req, ctx.config.trustProxyHops);
    if (draining)
      return refuse(req, socket, ip, {
        status: 503,
        code: 'restarting',
        message: 'the server is restarting',
        headers: { 'Retry-After': '2' },
      });
    const target = requestTarget(req);
    if (!target.ok) return refuse(req, socket, ip, { status: target.status, code: 'bad_request', message: target.reason });
    if (target.pathname !== SIGNALING_PATH)
      return refuse(req, socket, ip, { status: 404, code: 'not_found', message: 'no WebSocket here' });
    const problem = handshakeProblem(req);
    if (problem) return refuse(req, socket, ip, problem);
    // Passed on: the browser's Origin is compared with the Host it asked the other node for (ours is our internal URL).
    if (!originAllowed(req.headers.origin, vouched ? vouched.host : req.headers.host, ctx.config.allowedOrigins)) {
      return refuse(req, socket, ip, { status: 403, code: 'forbidden', message: 'WebSocket from another origin' });
    }
    const key = addressKey(ip);
    if (!openPerAddress.tryAdd(key)) {
      return refuse(req, socket, ip, { status: 429, code: 'too_many_requests', message: 'too many open connections from this address' });
    }
    // Counted from here until the socket closes, whatever happens to the handshake.
    socket.once('close', () => openPerAddress.release(key));
    // A ticket placed on another node: that node serves it (its meeting lives there). Read, not used up.
    const ticket = target.query.get('ticket');
    if (cluster && ticket && !vouched) {
      let node: string | undefined;
      let url: URL | null = null;
      try {
        node = (await auth.tickets.peek(ticket))?.node;
        if (node && node !== cluster.nodeId) url = await cluster.internalUrlOf(node);
      } catch (err) {
        ctx.logger.warn({ err }, 'WebSocket upgrade: the cluster cannot be reached');
        return refuse(req, socket, ip, {
          status: 503,
          code: 'unavailable',
          message: 'the server cannot reach its cluster right now; try again',
          headers: { 'Retry-After': '2' },
        });
      }
      if (node && node !== cluster.nodeId) {
        if (!url) {
          return refuse(req, socket, ip, {
            status: 503,
            code: 'unavailable',
            message: 'the node this meeting is on is not answering; try again',
            headers: { 'Retry-After': '2' },
          });
        }
        ctx.logger.debug({ node }, 'WebSocket passed on to the node its ticket names');
        return forwardUpgrade(req, socket, head, {
          target: url,
          secret: cluster.secret,
          clientIp: ip,
          onError: (err) => ctx.logger.warn({ err, node }, 'could not pass a WebSocket on to its node'),
        });
      }
    }
    const seen: Revocation[] = [];
    deciding.add(seen);
    let grant: ConnectionGrant | null;
    try {
      grant = await grantFor(req, target.query, ip, auth);
    } finally {
      deciding.delete(seen);
    }
    if (!grant) return refuse(req, socket, ip, { status: 401, code: 'unauthenticated', message: 'a join ticket or a session is needed' });
    // The session lookup may have taken a moment: the client may have gone, or the server begun its restart.
    if (socket.destroyed || !socket.writable) return void socket.destroy();
    if (draining)
      return refuse(req, socket, ip, {
        status: 503,
        code: 'restarting',
        message: 'the server is restarting',
        headers: { 'Retry-After': '2' },
      });
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new ClientConnection(ws, ctx, grant);
      connections.add(connection);
      ws.once('close', () => connections.delete(connection));
      // An account that lost its powers while its ticket or session was being looked up loses them here too.
      for (const r of seen) {
        closeRevoked([connection], r, revocationDeps).catch((err: unknown) =>
          ctx.logger.error({ err, userId: r.userId }, 'could not check a new connection against a revocation'),
        );
      }
    });
  };

  return {
    connections,
    async drain(graceMs = 1000) {
      draining = true;
      const closing = [...connections];
      const gone = [...wss.clients].map(
        (ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))),
      );
      for (const c of closing) c.close(CloseCode.ServiceRestart, 'server restarting');
      await within(graceMs, Promise.all(gone));
      for (const ws of wss.clients) ws.terminate();
      // A terminated socket's close event (which releases its member's pass) follows at once.
      await within(1000, Promise.all(gone));
      await Promise.all(closing.map((c) => c.passChange));
    },
    close() {
      stopRevoking();
      refusedLog.flush();
      for (const c of connections) c.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
