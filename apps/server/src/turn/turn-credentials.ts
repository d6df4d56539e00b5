/**
 * Short-lived TURN credentials in the "TURN REST API" scheme that coturn's
 * `use-auth-secret` checks: username = "<expiry unix time>:<user>",
 * credential = base64(HMAC-SHA1(shared secret, username)). The server mints a
 * fresh pair for every join and every ICE restart (within a per-address
 * budget: turn-budget.ts); coturn refuses it for new allocations after the
 * expiry (CONCLAVE_TURN_TTL, 10 minutes by default), and nobody without the
 * secret can make one. A relay allocated before the expiry keeps working:
 * coturn checks the expiry when the allocation is made and keeps the key
 * for that allocation's later refreshes and permissions.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '@conclave/protocol';
import type { TurnConfig } from '../config.js';

export interface TurnCredential {
  username: string;
  credential: string;
}

/** The credential for `user`, valid until `nowMs + ttlSeconds`. */
export function turnCredential(secret: string, user: string, ttlSeconds: number, nowMs = Date.now()): TurnCredential {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE servers a joining peer is given: one TURN entry with its own credential, or none. */
export function iceServersFor(
  config: { turn: Pick<TurnConfig, 'urls' | 'secret' | 'ttlSeconds'> | null },
  user: string,
  nowMs = Date.now(),
): IceServer[] {
  if (!config.turn) return [];
  const { username, credential } = turnCredential(config.turn.secret, user, config.turn.ttlSeconds, nowMs);
  return [{ urls: [...config.turn.urls], username, credential }];
}
