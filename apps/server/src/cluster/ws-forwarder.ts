/**
 * A WebSocket upgrade that reached the wrong node (its ticket names another)
 * is passed on to that node as it came, so any load balancer in front works,
 * round-robin included. The upgrade request is replayed to the other node's
 * CONCLAVE_NODE_INTERNAL_URL with one more header, X-Conclave-Forwarded,
 * saying which client address this node saw and which Host the browser
 * asked for, signed with CONCLAVE_CLUSTER_SECRET; then the two sockets are
 * piped both ways (the 101 answer, and every frame after it, pass through
 * unread). The receiving node believes the address and the Host only under a
 * good signature, so a client cannot claim another address by sending the
 * header itself. (The Host line the other node gets is its own internal
 * address; its same-origin check compares the browser's Origin with the
 * Host the browser used, as this node did.)
 *
 * Media never goes through here: the ICE candidates the other node answers
 * with carry its own address.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

export const FORWARDED_HEADER = 'x-conclave-forwarded';
/** How old a forwarded header may be (clock skew between nodes plus the hop). */
export const FORWARDED_MAX_AGE_MS = 30_000;
/** How long the other node has to accept the TCP connection. */
const CONNECT_TIMEOUT_MS = 5_000;

function mac(secret: string, ip: string, at: number, host: string, target: string): string {
  return createHmac('sha256', secret).update(`${ip}\n${at}\n${host}\n${target}`).digest('base64url');
}

/** What a forwarding node vouches for: the client's address and the Host it asked for. */
export interface Vouched {
  ip: string;
  /** The browser's Host header at the node it reached ('' if it sent none). */
  host: string;
}

/** A Host header value as it may travel in the signed header (no spaces, bounded). */
const HOST_TOKEN = /^[A-Za-z0-9.:[\]_-]{0,300}$/;

/** The header value: `<client ip> <ms since epoch> <host or -> <HMAC over them and the request target>`. */
export function signForwarded(secret: string, ip: string, target: string, host = '', at = Date.now()): string {
  const sent = HOST_TOKEN.test(host) ? host : '';
  return `${ip} ${at} ${sent || '-'} ${mac(secret, ip, at, sent, target)}`;
}

/**
 * What a forwarding node vouched for, or null when the header is absent,
 * malformed, stale or not signed with our secret.
 */
export function verifyForwarded(value: string | string[] | undefined, secret: string, target: string, now = Date.now()): Vouched | null {
  if (typeof value !== 'string') return null;
  const parts = value.split(' ');
  if (parts.length !== 4) return null;
  const [ip, atText, hostText, given] = parts as [string, string, string, string];
  const host = hostText === '-' ? '' : hostText;
  const at = Number(atText);
  if (!isIP(ip) || !HOST_TOKEN.test(host) || !Number.isSafeInteger(at) || Math.abs(now - at) > FORWARDED_MAX_AGE_MS) return null;
  const expected = Buffer.from(mac(secret, ip, at, host, target));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? { ip, host } : null;
}

/** Headers that describe this hop, not the request: they are not replayed. */
const HOP_HEADERS = new Set([FORWARDED_HEADER, 'host']);

function requestHead(req: IncomingMessage, target: URL, forwarded: string): string {
  const lines = [`GET ${req.url ?? '/'} HTTP/1.1`, `Host: ${target.host}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (HOP_HEADERS.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]!}`);
  }
  lines.push(`X-Conclave-Forwarded: ${forwarded}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface ForwardOptions {
  /** The other node's CONCLAVE_NODE_INTERNAL_URL (http: or https:). */
  target: URL;
  secret: string;
  /** The client's address as this node sees it. */
  clientIp: string;
  /** Told when the other node cannot be reached (the client gets 502). */
  onError?: (err: Error) => void;
}

/**
 * Passes the upgrade `req` (with `head`, the bytes read past its headers)
 * to the target node and joins the sockets. Resolves once the two are
 * joined, or once the client has been answered 502.
 */
export function forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, o: ForwardOptions): Promise<void> {
  return new Promise((resolve) => {
    const https = o.target.protocol === 'https:';
    const port = Number(o.target.port) || (https ? 443 : 80);
    const host = o.target.hostname.replace(/^\[(.*)\]$/, '$1');
    const upstream: Socket = https
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host, port });
    let joined = false;
    const timer = setTimeout(
      () => upstream.destroy(new Error(`no answer from ${o.target.origin} within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    upstream.once(https ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      joined = true;
      upstream.write(requestHead(req, o.target, signForwarded(o.secret, o.clientIp, req.url ?? '/', req.headers.host ?? '')));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      resolve();
    });
    upstream.on('error', (err) => {
      clearTimeout(timer);
      if (!joined) {
        o.onError?.(err);
        if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        resolve();
      } else client.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
}
