/**
 * The session cookie: httpOnly, SameSite=Strict, Secure whenever the site is
 * seen over HTTPS. The device cookie (auth/device-cookie.ts) likewise, sent
 * only to /api/auth (where sign-in reads it) and kept for a year.
 */
import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';
import { DEVICE_COOKIE, DEVICE_COOKIE_TTL_MS } from '../../auth/device-cookie.js';
import { SESSION_COOKIE } from '../request-identity.js';

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: new Date(0) });
}

export function deviceCookie(value: string, secure: boolean): string {
  return serialize(DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/api/auth',
    maxAge: Math.floor(DEVICE_COOKIE_TTL_MS / 1000),
  });
}

/** The device cookie the request brought, if any. */
export function deviceCookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  return header ? (parse(header)[DEVICE_COOKIE] ?? undefined) : undefined;
}
