/**
 * Node-to-node messages on the bus (bus.ts): one versioned envelope, and a
 * registry of message kinds, each with a zod schema for its body (and for
 * its reply, when it is a request). The concrete room messages register
 * their kinds later; the bus itself knows only the envelope and `$reply`.
 *
 * A message of another PROTOCOL_VERSION, a malformed envelope or a body its
 * kind's schema refuses is logged and dropped by the receiver: the reader
 * goes on with the next one. Nodes of different versions are never placed
 * in one room (design §3.3), so this is a guard, not a migration path.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

/** The kind of a reply to a request (reserved: no registered kind may start with `$`). */
export const REPLY_KIND = '$reply';

const nodeId = z.string().regex(/^[a-z0-9-]{1,40}$/);

export const envelopeSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  from: nodeId,
  /** The sending process (a fresh random id per bus instance): a restarted node's numbering starts again. */
  inc: z.string().min(1).max(64),
  /** 1, 2, 3 … per (sending process, receiving node): the receiver drops what it has already seen. */
  seq: z.number().int().positive(),
  /** Unique per sending process; a reply names it in `replyTo`. */
  id: z.string().min(1).max(100),
  kind: z.string().min(1).max(100),
  /** The sender waits for a reply. */
  req: z.literal(true).optional(),
  replyTo: z.string().min(1).max(100).optional(),
  body: z.unknown(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

export const replyBodySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string().max(100), message: z.string().max(2000) }) }),
]);

export type ReplyBody = z.infer<typeof replyBodySchema>;

/** Why a message was dropped, or that it is fine. */
export type Decoded = { ok: true; envelope: Envelope } | { ok: false; reason: 'not-json' | 'other-version' | 'malformed'; detail: string };

/** Parses a raw stream entry into an envelope, without throwing. */
export function decodeEnvelope(raw: unknown): Decoded {
  if (typeof raw !== 'string') return { ok: false, reason: 'malformed', detail: 'not a string' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not-json', detail: raw.slice(0, 80) };
  }
  const v = (json as { v?: unknown } | null)?.v;
  if (typeof json === 'object' && json !== null && v !== PROTOCOL_VERSION) {
    return { ok: false, reason: 'other-version', detail: `v=${JSON.stringify(v)}` };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: 'malformed', detail: parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ') };
  return { ok: true, envelope: parsed.data };
}

/** A message kind: its body's schema, and its reply's if it is a request. */
export interface MessageKind<B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly body: B;
  readonly reply: R | null;
}

/** Declares a kind (register it in a BusRegistry before use). */
export function defineKind<B extends z.ZodType>(kind: string, body: B): MessageKind<B, z.ZodType>;
export function defineKind<B extends z.ZodType, R extends z.ZodType>(kind: string, body: B, reply: R): MessageKind<B, R>;
export function defineKind(kind: string, body: z.ZodType, reply?: z.ZodType): MessageKind {
  if (!/^[a-zA-Z][a-zA-Z0-9.:-]{0,99}$/.test(kind)) throw new Error(`bad message kind: ${kind}`);
  return { kind, body, reply: reply ?? null };
}

/** The kinds a bus accepts. Sending or receiving an unregistered kind is an error (logged and dropped on receipt). */
export class BusRegistry {
  private readonly kinds = new Map<string, MessageKind>();

  register(...defs: MessageKind[]): this {
    for (const def of defs) {
      const known = this.kinds.get(def.kind);
      if (known && known !== def) throw new Error(`message kind registered twice: ${def.kind}`);
      this.kinds.set(def.kind, def);
    }
    return this;
  }

  get(kind: string): MessageKind | undefined {
    return this.kinds.get(kind);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }
}
