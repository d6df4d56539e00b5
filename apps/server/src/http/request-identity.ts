/**
 * Who a request comes from: the client's IP (from the socket, or from
 * X-Forwarded-For when proxies are trusted) and the session token in its
 * cookie. Whether the client sees the site over HTTPS decides if the
 * session cookie is Secure.
 *
 * X-Forwarded-For is read from the right: each proxy appends the address it
 * saw, so with N trusted hops (CONCLAVE_TRUST_PROXY=N) the client is the
 * N-th entry from the right; anything left of it was written by the client
 * and is ignored. X-Forwarded-Proto is read the same way, and only when a
 * proxy is trusted.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parse as parseCookie } from 'cookie';

export const SESSION_COOKIE = 'conclave_session';

/** The entry `hops` from the right of a comma-separated forwarding header (or its leftmost when it has fewer). */
function forwardedEntry(header: string | string[] | undefined, hops: number): string | undefined {
  if (header === undefined || hops <= 0) return undefined;
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (!entries.length) return undefined;
  return entries[Math.max(0, entries.length - hops)];
}

/** `1.2.3.4`, `1.2.3.4:5678`, `[::1]:443` or `::1` → the bare address, or null if it is none. */
export function bareAddress(entry: string): string | null {
  if (isIP(entry)) return entry;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed && isIP(bracketed[1]!) === 6) return bracketed[1]!;
  const v4port = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry);
  if (v4port && isIP(v4port[1]!) === 4) return v4port[1]!;
  return null;
}

export function clientIp(req: IncomingMessage, trustProxyHops: number): string {
  const entry = forwardedEntry(req.headers['x-forwarded-for'], trustProxyHops);
  const forwarded = entry === undefined ? null : bareAddress(entry);
  return forwarded ?? req.socket.remoteAddress ?? 'unknown';
}

export function isHttps(req: IncomingMessage, trustProxyHops: number): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  return forwardedEntry(req.headers['x-forwarded-proto'], trustProxyHops)?.toLowerCase() === 'https';
}

export function sessionToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return parseCookie(header)[SESSION_COOKIE] ?? undefined;
}
