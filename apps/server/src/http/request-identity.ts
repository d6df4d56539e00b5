/**
 * Who a request comes from: the client's IP (from the socket, or from
 * X-Forwarded-For when a trusted proxy is in front) and the session token in
 * its cookie. Whether the client sees the site over HTTPS decides if the
 * session cookie is Secure.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parse as parseCookie } from 'cookie';

export const SESSION_COOKIE = 'conclave_session';

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  return trustProxy && req.headers['x-forwarded-proto'] === 'https';
}

export function sessionToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return parseCookie(header)[SESSION_COOKIE] ?? undefined;
}
