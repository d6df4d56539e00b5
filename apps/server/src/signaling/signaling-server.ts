/**
 * Accepts signaling WebSockets on /ws of the app's HTTP server. The Origin
 * is checked against the configured list (or the request's own host), so
 * another site cannot open a socket with a visitor's browser.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, HARD_MAX_FRAME_BYTES } from '@conclave/protocol';
import { sessionKeyOf, type Accounts } from '../auth/accounts.js';
import type { JoinTickets } from '../auth/join-tickets.js';
import { clientIp, sessionToken } from '../http/request-identity.js';
import { ClientConnection } from './client-connection.js';
import type { ConnectionGrant } from './connection-grant.js';
import type { SignalingContext } from './session.js';

export const SIGNALING_PATH = '/ws';

export interface SignalingServer {
  readonly connections: Set<ClientConnection>;
  /**
   * For a restart: refuses new sockets (503) from now on, closes every open
   * one with 1012 (service restart), and resolves once they are closed, or
   * after `graceMs`, when the rest are cut.
   */
  drain(graceMs?: number): Promise<void>;
  close(): void;
}
import { closeRevoked } from './revocation.js';

/** True when a browser on `origin` may use this server. Non-browser clients send no Origin. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Who may open a socket: the bearer of a valid join ticket (`?ticket=`), or
 * a signed-in user (session cookie). Anyone else is refused with a bare 401.
 */
function grantFor(req: IncomingMessage, url: URL, ctx: SignalingContext, auth: SignalingAuth): ConnectionGrant | null {
  const ip = clientIp(req, ctx.config.trustProxy);
  const ticket = url.searchParams.get('ticket');
  if (ticket) {
    const grant = auth.tickets.redeem(ticket);
    return grant ? { kind: 'ticket', ...grant, ip } : null;
  }
  const token = sessionToken(req);
  const user = auth.accounts.userForSession(token);
  return user && token ? { kind: 'session', user, sessionKey: sessionKeyOf(token), ip } : null;
}

export interface SignalingAuth {
  tickets: JoinTickets;
  accounts: Accounts;
}

export function attachSignaling(server: Server, ctx: SignalingContext, auth: SignalingAuth): SignalingServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_FRAME_BYTES });
  const connections = new Set<ClientConnection>();
  let draining = false;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (draining) return refuse(socket, 503, 'Service Unavailable');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SIGNALING_PATH) return refuse(socket, 404, 'Not Found');
    if (!originAllowed(req.headers.origin, req.headers.host, ctx.config.allowedOrigins)) {
      ctx.logger.warn({ origin: req.headers.origin }, 'refused WebSocket from another origin');
      return refuse(socket, 403, 'Forbidden');
    }
    const grant = grantFor(req, url, ctx, auth);
    if (!grant) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new ClientConnection(ws, ctx, grant);
      connections.add(connection);
      ws.once('close', () => connections.delete(connection));
    });
  });

  return {
    connections,
    async drain(graceMs = 1000) {
      draining = true;
      const gone = [...wss.clients].map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))));
      for (const c of connections) c.close(CloseCode.ServiceRestart, 'server restarting');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(gone), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const ws of wss.clients) ws.terminate();
    },
    close() {
      for (const c of connections) c.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
  // An account that loses powers loses them on its open sockets too, at once.
  const stopRevoking = auth.accounts.onRevoked((r) => closeRevoked(connections, r, { tickets: auth.tickets, directory: ctx.directory, logger: ctx.logger }));
      stopRevoking();
