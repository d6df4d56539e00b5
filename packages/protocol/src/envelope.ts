/**
 * The three envelopes on the wire, and the parsers both ends use.
 *
 *   client -> server  {type:'request', id, method, data}
 *   server -> client  {type:'response', id, ok:true, data} | {type:'response', id, ok:false, error}
 *                     {type:'notification', method, data}
 */
import { z } from 'zod';
import { ErrorCode, type ErrorBody } from './errors.js';
import { jsonDepthWithin } from './json-depth.js';
import { MAX_JSON_DEPTH, MAX_MESSAGE_BYTES } from './limits.js';
import { isMethodName, methods, type MethodName, type ParsedRequestData } from './methods.js';
import { notifications, type NotificationData, type NotificationName } from './notifications.js';

export const RequestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const RequestEnvelope = z.object({
  type: z.literal('request'),
  id: RequestId,
  method: z.string().max(64),
  data: z.unknown().optional(),
});

const ErrorBodySchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  epoch: z.number().int().nonnegative().optional(),
});

const ResponseEnvelope = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(true), data: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: ErrorBodySchema }),
]);

const NotificationEnvelope = z.object({
  type: z.literal('notification'),
  method: z.string(),
  data: z.unknown(),
});

export type ParsedRequest = {
  [M in MethodName]: { id: number; method: M; data: ParsedRequestData<M> };
}[MethodName];

export type RequestParseResult =
  | { ok: true; request: ParsedRequest }
  /** `id` is present whenever the envelope carried a usable one, so the error can be answered. */
  | { ok: false; id: number | null; error: ErrorBody };

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Parses and validates one client frame of `byteLength` bytes (its size on
 * the wire, which the transport knows without re-encoding). Never throws.
 * What it costs is bounded before anything is parsed: the size first, then
 * the nesting depth by a scan of the text, then JSON.parse, then the schemas
 * (which bound every opaque field's size, width and depth).
 */
export function parseRequest(raw: string, byteLength: number): RequestParseResult {
  if (byteLength > MAX_MESSAGE_BYTES) {
    return { ok: false, id: null, error: { code: ErrorCode.TooLarge, message: `message exceeds ${MAX_MESSAGE_BYTES} bytes` } };
  }
  if (!jsonDepthWithin(raw, MAX_JSON_DEPTH)) {
    return { ok: false, id: null, error: { code: ErrorCode.TooDeep, message: `message nests deeper than ${MAX_JSON_DEPTH} levels` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, id: null, error: { code: ErrorCode.BadJson, message: 'message is not valid JSON' } };
  }
  const envelope = RequestEnvelope.safeParse(json);
  if (!envelope.success) {
    const maybeId = RequestId.safeParse((json as { id?: unknown } | null)?.id);
    return {
      ok: false,
      id: maybeId.success ? maybeId.data : null,
      error: { code: ErrorCode.BadMessage, message: describe(envelope.error.issues) },
    };
  }
  const { id, method, data } = envelope.data;
  if (!isMethodName(method)) {
    return { ok: false, id, error: { code: ErrorCode.UnknownMethod, message: `unknown method "${method.slice(0, 64)}"` } };
  }
  const parsed = methods[method].request.safeParse(data ?? {});
  if (!parsed.success) {
    return { ok: false, id, error: { code: ErrorCode.BadMessage, message: `${method}: ${describe(parsed.error.issues)}` } };
  }
  return { ok: true, request: { id, method, data: parsed.data } as ParsedRequest };
}

export type ServerMessage =
  | { type: 'response'; id: number; ok: true; data: unknown }
  | { type: 'response'; id: number; ok: false; error: ErrorBody }
  | { type: 'notification'; method: string; data: unknown };

export type ParsedServerMessage =
  | { type: 'response'; id: number; ok: true; data: unknown }
  | { type: 'response'; id: number; ok: false; error: ErrorBody }
  | {
      [N in NotificationName]: { type: 'notification'; method: N; data: NotificationData<N> };
    }[NotificationName];

/** Parses one server frame on the client. Returns null for anything malformed or unknown. */
export function parseServerMessage(raw: string): ParsedServerMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type === 'response') {
    const r = ResponseEnvelope.safeParse(json);
    return r.success ? r.data : null;
  }
  if (type === 'notification') {
    const n = NotificationEnvelope.safeParse(json);
    if (!n.success || !Object.prototype.hasOwnProperty.call(notifications, n.data.method)) return null;
    const name = n.data.method as NotificationName;
    const data = notifications[name].safeParse(n.data.data);
    return data.success ? ({ type: 'notification', method: name, data: data.data } as ParsedServerMessage) : null;
  }
  return null;
}

export function responseOk(id: number, data: unknown): ServerMessage {
  return { type: 'response', id, ok: true, data };
}

export function responseError(id: number, error: ErrorBody): ServerMessage {
  return { type: 'response', id, ok: false, error };
}

export function notification<N extends NotificationName>(method: N, data: NotificationData<N>): ServerMessage {
  return { type: 'notification', method, data };
}
