/**
 * What a route handler gets: the parsed, zod-checked JSON body, the client's
 * IP, the signed-in user (if any), and helpers to answer. Bodies are
 * limited in size and must be JSON, which with SameSite=Strict cookies and
 * the Origin check keeps other sites from acting for a signed-in admin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REST_BODY_LIMIT_BYTES, type Role } from '@conclave/protocol';
import type { z } from 'zod';
import type { Accounts } from '../../auth/accounts.js';
import type { StoredUser } from '../../store/user-store.js';
import { clientIp, isHttps, sessionToken } from '../request-identity.js';
import { ApiError, forbidden } from './api-error.js';

export interface ApiRequestContext {
  accounts: Accounts;
  trustProxyHops: number;
}

export class ApiRequest {
  readonly ip: string;
  readonly https: boolean;
  private cachedUser: Promise<StoredUser | null> | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string | undefined>,
    readonly query: URLSearchParams,
    private readonly ctx: ApiRequestContext,
  ) {
    this.ip = clientIp(req, ctx.trustProxyHops);
    this.https = isHttps(req, ctx.trustProxyHops);
  }

  get sessionToken(): string | undefined {
    return sessionToken(this.req);
  }

  /** The signed-in user, if any (looked up once per request). */
  user(): Promise<StoredUser | null> {
    this.cachedUser ??= this.ctx.accounts.userForSession(this.sessionToken);
    return this.cachedUser;
  }

  /** The signed-in user, who must have one of `roles` when given. */
  async requireUser(...roles: Role[]): Promise<StoredUser> {
    const user = await this.user();
    if (!user) throw new ApiError(401, 'unauthenticated', 'sign in first');
    if (roles.length && !roles.includes(user.role)) throw forbidden(`only ${roles.join(' or ')} accounts can do that`);
    return user;
  }

  param(name: string): string {
    const v = this.params[name];
    if (!v) throw new ApiError(400, 'bad_request', `missing ${name}`);
    return v;
  }

  /** Reads and checks the JSON body against `schema`. */
  async body<S extends z.ZodType>(schema: S): Promise<z.output<S>> {
    const type = this.req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this.req) {
        size += (chunk as Buffer).length;
        if (size > REST_BODY_LIMIT_BYTES) throw new ApiError(413, 'payload_too_large', `the body is over ${REST_BODY_LIMIT_BYTES} bytes`);
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      // The client hung up or reset mid-body: its fault, not a server error.
      throw new ApiError(400, 'bad_request', 'the request body was cut off');
    }
    let json: unknown;
    try {
      json = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ApiError(400, 'bad_request', 'the body is not valid JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const message = parsed.error.issues
        .slice(0, 3)
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ');
      throw new ApiError(400, 'bad_request', message);
    }
    return parsed.data;
  }

  send(status: number, body?: unknown, headers: Record<string, string | string[]> = {}): void {
    this.res.statusCode = status;
    this.res.setHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(headers)) this.res.setHeader(k, v);
    if (body === undefined) {
      this.res.end();
      return;
    }
    this.res.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.res.end(JSON.stringify(body));
  }
}
