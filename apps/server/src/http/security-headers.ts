/**
 * Headers on every HTTP answer. The CSP allows only this origin's scripts
 * (plus WebAssembly for libsodium and blob: Workers), and no referrer leaves
 * the page, so nothing about a meeting link reaches another site.
 *
 * `connect-src 'self'`: fetch and WebSocket reach this origin only (in CSP
 * Level 3, which Chromium, Firefox and Safari implement, 'self' covers the
 * page's own host over ws:/wss: too), so a script injected into the page
 * could not send the meeting key from the `#k=` fragment to another host.
 * The client always connects to its own origin (signaling-client.ts), also
 * behind a proxy and with CONCLAVE_ALLOWED_ORIGINS. `form-action 'self'`:
 * no form on the page can post elsewhere.
 */
import type { ServerResponse } from 'node:http';

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self)');
}
