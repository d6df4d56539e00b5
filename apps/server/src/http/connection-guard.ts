/**
 * Guards the HTTP(S) server's sockets from accept to close:
 *  - every accepted socket (and, under TLS, every TLS socket) gets an error
 *    listener at once, so a reset at any stage is a closed socket, never an
 *    unhandled 'error' that ends the process;
 *  - open connections are capped per address (addressKey: an IPv6 /64 is one
 *    address) and for the whole server (`maxConnections`, lowered to what
 *    the open-file limit allows); a socket over a cap is reset at accept,
 *    before a parser or a buffer is spent on it;
 *  - a socket idle for IDLE_SOCKET_TIMEOUT_MS (a client that stopped
 *    reading) is destroyed;
 *  - a malformed request (`clientError`) gets 400, 431 or 408 where the
 *    socket can still be written, and the socket is closed;
 *  - an error of the listening server after start (EMFILE at accept) is
 *    logged, not thrown.
 * Refusals are logged at a bounded rate and counted for /metrics.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { AddressCounter } from './address-counter.js';
import { addressKey } from './address-key.js';
import {
  IDLE_SOCKET_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_HEADERS_COUNT,
  REFUSAL_LOG_BURST,
  REFUSAL_LOG_INTERVAL_MS,
  RESERVED_FILE_DESCRIPTORS,
} from './limits.js';
import { LogRateLimiter } from './log-rate-limiter.js';
import { answerAndClose, ignoreSocketError } from './raw-response.js';

export interface ConnectionGuardOptions {
  logger: Logger;
  /** Open connections allowed from one address; 0 = no cap. Not applied when a proxy is trusted (every peer is the proxy). */
  maxPerAddress: number;
  /** Proxy hops trusted (CONCLAVE_TRUST_PROXY); above 0, the per-address cap moves to the WebSocket upgrade. */
  trustProxyHops: number;
}

/** What the guard has seen, for /metrics. */
export interface ConnectionGuardStats {
  /** Connections open now. */
  open: number;
  /** Connections reset at accept: over the per-address cap, or over maxConnections. */
  refused: { perAddress: number; maxConnections: number };
  /** Malformed or too-slow requests answered (or closed) by status: 400, 408, 431, or 0 for a reset. */
  clientErrors: Map<number, number>;
  /** The effective `maxConnections`. */
  maxConnections: number;
}

/** The soft open-file limit of this process (Linux), or null where it cannot be read. */
export function openFileLimit(limits = '/proc/self/limits'): number | null {
  try {
    const line = readFileSync(limits, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (!soft || soft === 'unlimited') return null;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** MAX_CONNECTIONS, lowered so that accepting never runs the process out of file descriptors. */
export function effectiveMaxConnections(fileLimit: number | null): number {
  if (fileLimit === null) return MAX_CONNECTIONS;
  return Math.max(64, Math.min(MAX_CONNECTIONS, fileLimit - RESERVED_FILE_DESCRIPTORS));
}

/** The answer for a `clientError`: its status and words, or null for a socket that failed (reset, broken pipe). */
export function clientErrorAnswer(code: string | undefined): { status: number; code: string; message: string } | null {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'the request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request took too long to arrive' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ETIMEDOUT':
    case 'ERR_STREAM_DESTROYED':
      return null;
    default:
      return { status: 400, code: 'bad_request', message: 'malformed HTTP request' };
  }
}

export function guardConnections(server: http.Server, options: ConnectionGuardOptions): ConnectionGuardStats {
  const { logger } = options;
  const stats: ConnectionGuardStats = {
    open: 0,
    refused: { perAddress: 0, maxConnections: 0 },
    clientErrors: new Map(),
    maxConnections: effectiveMaxConnections(openFileLimit()),
  };
  server.maxConnections = stats.maxConnections;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  // With no 'timeout' listener, Node destroys a socket idle this long.
  server.timeout = IDLE_SOCKET_TIMEOUT_MS;

  const capAddresses = options.maxPerAddress > 0 && options.trustProxyHops === 0;
  const perAddress = new AddressCounter(options.maxPerAddress);
  const summary = (what: string) => (dropped: number, intervalMs: number) =>
    logger.warn({ dropped, intervalSeconds: intervalMs / 1000 }, `${what}: ${dropped} more not logged (rate limit)`);
  const refusedLog = new LogRateLimiter({
    burst: REFUSAL_LOG_BURST,
    intervalMs: REFUSAL_LOG_INTERVAL_MS,
    summary: summary('connections refused'),
  });
  const malformedLog = new LogRateLimiter({
    burst: REFUSAL_LOG_BURST,
    intervalMs: REFUSAL_LOG_INTERVAL_MS,
    summary: summary('malformed requests'),
  });

  server.on('connection', (socket: Socket) => {
    socket.on('error', ignoreSocketError);
    const key = addressKey(socket.remoteAddress ?? '');
    if (capAddresses && !perAddress.tryAdd(key)) {
      stats.refused.perAddress += 1;
      if (refusedLog.allow())
        logger.warn({ address: key, cap: options.maxPerAddress }, 'connection refused: too many open from this address');
      // A reset, not a close: no TIME_WAIT kept on our side for a client we refuse.
      socket.resetAndDestroy();
      return;
    }
    stats.open += 1;
    socket.once('close', () => {
      stats.open -= 1;
      if (capAddresses) perAddress.release(key);
    });
  });
  // Under TLS the request sockets are TLS sockets wrapping the accepted ones: they need a listener too.
  server.on('secureConnection', (socket: Socket) => socket.on('error', ignoreSocketError));
  server.on('tlsClientError', () => {
    /* a failed TLS handshake: the socket is already destroyed; nothing to answer */
  });
  server.on('drop', () => {
    stats.refused.maxConnections += 1;
    if (refusedLog.allow()) logger.warn({ maxConnections: stats.maxConnections }, 'connection refused: the server is at maxConnections');
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answer = clientErrorAnswer(err.code);
    const status = answer?.status ?? 0;
    stats.clientErrors.set(status, (stats.clientErrors.get(status) ?? 0) + 1);
    const sent = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent ?? false;
    if (answer && !sent) {
      if (malformedLog.allow()) {
        const address = (socket as Partial<Socket>).remoteAddress;
        logger.info({ status, code: err.code, address: address ? addressKey(address) : undefined }, 'malformed request refused');
      }
      answerAndClose(socket, answer.status, answer.code, answer.message);
    } else {
      socket.on('error', ignoreSocketError);
      socket.destroy();
    }
  });

  // After start only: a failed listen is start-up's to report (app.ts).
  server.once('listening', () => {
    server.on('error', (err: NodeJS.ErrnoException) =>
      logger.error({ err, code: err.code }, 'HTTP server error (the server keeps running)'),
    );
  });
  server.once('close', () => {
    refusedLog.flush();
    malformedLog.flush();
  });
  return stats;
}
