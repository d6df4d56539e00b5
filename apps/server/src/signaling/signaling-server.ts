/**
 * Accepts signaling WebSockets on /ws of the app's HTTP server. The Origin
 * is checked against the configured list (or the request's own host), so
 * another site cannot open a socket with a visitor's browser.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { HARD_MAX_FRAME_BYTES } from '@conclave/protocol';
import { ClientConnection } from './client-connection.js';
import type { SignalingContext } from './request-handlers.js';

export const SIGNALING_PATH = '/ws';

export interface SignalingServer {
  readonly connections: Set<ClientConnection>;
  close(): void;
}

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

export function attachSignaling(server: Server, ctx: SignalingContext): SignalingServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_FRAME_BYTES });
  const connections = new Set<ClientConnection>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SIGNALING_PATH) return refuse(socket, 404, 'Not Found');
    if (!originAllowed(req.headers.origin, req.headers.host, ctx.config.allowedOrigins)) {
      ctx.logger.warn({ origin: req.headers.origin }, 'refused WebSocket from another origin');
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new ClientConnection(ws, ctx, req.socket.remoteAddress ?? '?');
      connections.add(connection);
      ws.once('close', () => connections.delete(connection));
    });
  });

  return {
    connections,
    close() {
      for (const c of connections) c.close(1001, 'server shutting down');
      wss.close();
    },
  };
}
