/**
 * Sign in and out, who am I, and the first-start setup of the first admin.
 * A successful sign-in also (re)sets the device cookie that exempts this
 * browser from the account's shared guessing budget (auth/accounts.ts).
 */
import { LoginBody, SetupBody } from '@conclave/protocol';
import { AccountError } from '../../auth/accounts.js';
import { publicUser } from '../../store/user-store.js';
import { ApiError } from './api-error.js';
import type { ApiDeps, RouteTable } from './api-router.js';
import { clearedSessionCookie, deviceCookie, deviceCookieOf, sessionCookie } from './session-cookie.js';

export function authRoutes({ accounts, store, metrics }: ApiDeps): RouteTable {
  return {
    'POST /api/auth/login': async (r) => {
      const { username, password } = await r.body(LoginBody);
      const result = await accounts.login(username, password, r.ip, deviceCookieOf(r.req));
      if (!result.ok && result.reason === 'throttled') {
        metrics.loginFailures.inc();
        const seconds = Math.ceil(result.retryAfterMs / 1000);
        throw new ApiError(429, 'too_many_attempts', `too many failed sign-ins; try again in ${seconds} s`, {
          'Retry-After': String(seconds),
        });
      }
      if (!result.ok) {
        metrics.loginFailures.inc();
        await store.audit.record({ actor: username.slice(0, 80) || '(empty)', action: 'auth.login-failed', ip: r.ip });
        throw new ApiError(401, 'invalid_credentials', 'wrong username or password');
      }
      await store.audit.record({ actor: result.user.username, action: 'auth.login', ip: r.ip });
      r.send(
        200,
        { user: publicUser(result.user) },
        {
          'Set-Cookie': [sessionCookie(result.token, result.expiresAt, r.https), deviceCookie(result.deviceCookie, r.https)],
        },
      );
    },

    'POST /api/auth/logout': async (r) => {
      const user = await r.user();
      await accounts.logout(r.sessionToken);
      if (user) await store.audit.record({ actor: user.username, action: 'auth.logout', ip: r.ip });
      r.send(204, undefined, { 'Set-Cookie': clearedSessionCookie(r.https) });
    },

    'GET /api/auth/me': async (r) => {
      r.send(200, { user: publicUser(await r.requireUser()) });
    },

    'GET /api/setup': async (r) => {
      r.send(200, { needed: await accounts.setupNeeded() });
    },

    'POST /api/setup': async (r) => {
      const { token, username, password } = await r.body(SetupBody);
      let user;
      try {
        user = await accounts.completeSetup(token, username, password);
      } catch (err) {
        if (err instanceof AccountError) throw new ApiError(403, 'setup_not_available', err.message);
        throw err;
      }
      await store.audit.record({
        actor: user.username,
        action: 'user.create',
        target: user.username,
        detail: 'first admin, from the setup link',
        ip: r.ip,
      });
      const { token: session, expiresAt } = await accounts.startSession(user);
      r.send(
        201,
        { user: publicUser(user) },
        {
          'Set-Cookie': [sessionCookie(session, expiresAt, r.https), deviceCookie(accounts.deviceCookieFor(user), r.https)],
        },
      );
    },
  };
}
