/**
 * Whether a browser page on another site may use this server: the one
 * Origin rule for the signaling WebSocket's upgrade and the REST API's
 * state-changing requests. Allowed are the configured origins
 * (CONCLAVE_ALLOWED_ORIGINS) and the request's own host.
 */

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
