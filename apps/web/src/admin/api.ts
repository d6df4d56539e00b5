/**
 * The admin page's REST client: same-origin fetch with the session cookie,
 * JSON both ways, every response checked against the zod schemas of
 * @conclave/protocol, and every failure turned into an ApiError whose code is
 * the server's `{error: {code}}` (or `network` / `invalid_response`).
 */
import { AuditEntry, HealthReport, RoomSummary, User, type RestErrorCode, type Role } from '@conclave/protocol';

export type ApiErrorCode = RestErrorCode | 'network' | 'invalid_response';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Anything with zod's safeParse, so this module needs no zod import of its own. */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function request(method: Method, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('network', 'The server cannot be reached. Check your connection.', 0);
  }
  if (res.status === 204) return undefined;
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (err && typeof err.code === 'string') {
      throw new ApiError(err.code as RestErrorCode, typeof err.message === 'string' ? err.message : err.code, res.status);
    }
    throw new ApiError(
      res.status === 401 ? 'unauthenticated' : 'internal',
      `The server answered ${res.status} ${res.statusText}.`.trim(),
      res.status,
    );
  }
  if (json === undefined && text) throw new ApiError('invalid_response', 'The server sent something that is not JSON.', res.status);
  return json;
}

function check<T>(schema: Schema<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError('invalid_response', `Unexpected ${what} from the server: ${parsed.error.message}`, 200);
  return parsed.data;
}

/** `{[key]: value}` out of a response, checked against the schema. */
function field<T>(value: unknown, key: string, schema: Schema<T>): T {
  const inner = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return check(schema, inner, key);
}

const Users = User.array();
const Rooms = RoomSummary.array();
const Entries = AuditEntry.array();

export interface RoomInput {
  name?: string;
  /** A new password; null removes it (update only). */
  password?: string | null;
  lobby?: boolean;
  maxParticipants?: number;
  locked?: boolean;
}

export const api = {
  me: async (): Promise<User> => field(await request('GET', '/api/auth/me'), 'user', User),
  login: async (username: string, password: string): Promise<User> =>
    field(await request('POST', '/api/auth/login', { username, password }), 'user', User),
  logout: async (): Promise<void> => void (await request('POST', '/api/auth/logout')),

  setupNeeded: async (): Promise<boolean> => {
    const body = await request('GET', '/api/setup');
    const needed = typeof body === 'object' && body !== null ? (body as { needed?: unknown }).needed : undefined;
    if (typeof needed !== 'boolean') throw new ApiError('invalid_response', 'Unexpected setup status from the server.', 200);
    return needed;
  },
  setup: async (token: string, username: string, password: string): Promise<User> =>
    field(await request('POST', '/api/setup', { token, username, password }), 'user', User),

  rooms: async (): Promise<RoomSummary[]> => field(await request('GET', '/api/rooms'), 'rooms', Rooms),
  createRoom: async (input: RoomInput & { name: string }): Promise<string> => {
    const body = await request('POST', '/api/rooms', input);
    const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') throw new ApiError('invalid_response', 'The server did not say which room it created.', 201);
    return id;
  },
  updateRoom: async (id: string, input: RoomInput): Promise<RoomSummary> =>
    check(RoomSummary, await request('PATCH', `/api/rooms/${encodeURIComponent(id)}`, input), 'room'),
  deleteRoom: async (id: string): Promise<void> => void (await request('DELETE', `/api/rooms/${encodeURIComponent(id)}`)),
  endRoom: async (id: string): Promise<void> => void (await request('POST', `/api/rooms/${encodeURIComponent(id)}/end`)),
  kick: async (id: string, peerId: string): Promise<void> =>
    void (await request('POST', `/api/rooms/${encodeURIComponent(id)}/kick`, { peerId })),

  users: async (): Promise<User[]> => field(await request('GET', '/api/users'), 'users', Users),
  createUser: async (username: string, password: string, role: Role): Promise<User> =>
    field(await request('POST', '/api/users', { username, password, role }), 'user', User),
  updateUser: async (id: number, input: { role?: Role; password?: string }): Promise<User> =>
    field(await request('PATCH', `/api/users/${id}`, input), 'user', User),
  deleteUser: async (id: number): Promise<void> => void (await request('DELETE', `/api/users/${id}`)),

  audit: async (limit: number, before?: number): Promise<AuditEntry[]> => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined) query.set('before', String(before));
    return field(await request('GET', `/api/audit?${query}`), 'entries', Entries);
  },
  health: async (): Promise<HealthReport> => check(HealthReport, await request('GET', '/api/health'), 'health report'),
};

/** A sentence for a person, from any error this module throws (or anything else). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'too_many_attempts':
        return err.message || 'Too many attempts. Wait a minute and try again.';
      case 'forbidden':
        return err.message || 'You are not allowed to do that.';
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
