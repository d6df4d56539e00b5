/**
 * Answers on a bare socket, where there is no ServerResponse: a malformed
 * request (the server's `clientError`) or a refused WebSocket upgrade. The
 * answer is a short JSON error like the API's, `Connection: close`, and the
 * socket is destroyed once the answer is flushed (or after a short linger if
 * it never is), so a client that neither reads nor closes holds nothing.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { REFUSED_SOCKET_LINGER_MS } from './limits.js';

/** A no-op error listener: errors on a socket being refused are expected (the client resets) and mean nothing. */
export function ignoreSocketError(): void {}

/** Writes `status` with `{error: {code, message}}` and closes the socket; destroys it at once if it cannot be written. */
export function answerAndClose(socket: Duplex, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  // Before anything else: a reset while we write must not become an unhandled 'error'.
  if (socket.listenerCount('error') === 0) socket.on('error', ignoreSocketError);
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    'Cache-Control: no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  const linger = setTimeout(() => socket.destroy(), REFUSED_SOCKET_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
