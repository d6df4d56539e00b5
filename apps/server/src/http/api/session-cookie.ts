/** The session cookie: httpOnly, SameSite=Strict, Secure whenever the site is seen over HTTPS. */
import { serialize } from 'cookie';
import { SESSION_COOKIE } from '../request-identity.js';

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: new Date(0) });
}
