/**
 * The inter-node bus: messages and requests between server nodes.
 *
 * Guarantees (both implementations, as the E2EE ordering duties need them,
 * design §3.3 "Why the E2EE ordering duties still hold"):
 * - FIFO per sender→receiver: a node's messages to another node, replies
 *   included, are handled there in the order they were sent.
 * - No loss and no duplicates while both processes live, across Redis
 *   reconnects and restarts (with Redis persistence): the reader resumes
 *   from the last stream id it handled; a sender retries what it could not
 *   confirm, in order, and the receiver drops what it has already seen
 *   (per-sender sequence numbers).
 * - Delivery is asynchronous (never inside `send`), and handlers are called
 *   one message at a time, in order. A handler that returns a promise is not
 *   awaited before the next message: whatever must keep the order has to be
 *   done before its first `await`, as RoomControl already does.
 * - A request gets its handler's return value, or a BusRemoteError with the
 *   handler's error (its string `code`, else `handler-error`), or a
 *   BusTimeoutError after `timeoutMs` (default 5 s).
 * - A malformed message, another protocol version or an unknown kind is
 *   logged and dropped (a request then gets an error reply if it can be
 *   answered); the reader goes on.
 *
 * LocalBus is the single-process bus (a node talks to itself, or tests put
 * several nodes on one LocalBusNetwork). RedisStreamBus gives each node the
 * stream `cv:inbox:<node>`, read by one XREAD BLOCK loop on a dedicated
 * connection; senders XADD (MAXLEN ~ 100000) from the shared command
 * connection. Streams and not pub/sub: a key box lost during a reconnect
 * would leave a member unable to decrypt someone until the next rekey.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import {
  BusRegistry,
  decodeEnvelope,
  PROTOCOL_VERSION,
  REPLY_KIND,
  replyBodySchema,
  type Envelope,
  type MessageKind,
  type ReplyBody,
} from './bus-protocol.js';
import { duplicateForBlocking, isRedisReply, keys, reconnectDelay, type RedisClient } from './redis.js';

export type BusErrorCode = 'timeout' | 'remote' | 'closed' | 'unavailable' | 'bad-message' | 'bad-reply';

export class BusError extends Error {
  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BusError';
  }
}

/** No reply within the request's timeout. */
export class BusTimeoutError extends BusError {
  constructor(
    readonly to: string,
    readonly kind: string,
    readonly timeoutMs: number,
  ) {
    super('timeout', `bus request ${kind} to node ${to}: no reply within ${timeoutMs} ms`);
    this.name = 'BusTimeoutError';
  }
}

/** The callee answered with an error (its handler threw, or it could not handle the request). */
export class BusRemoteError extends BusError {
  constructor(
    readonly remoteCode: string,
    readonly remoteMessage: string,
    readonly from: string,
    readonly kind: string,
  ) {
    super('remote', `bus request ${kind} failed on node ${from}: ${remoteCode}: ${remoteMessage}`);
    this.name = 'BusRemoteError';
  }
}

export interface MessageMeta {
  /** The sending node. */
  from: string;
  /** The message id (unique per sending process). */
  id: string;
  /** The sender waits for a reply. */
  isRequest: boolean;
}

export type Handler<B extends z.ZodType, R extends z.ZodType> = (
  body: z.output<B>,
  meta: MessageMeta,
) => z.input<R> | Promise<z.input<R>> | void;

export interface RequestOptions {
  timeoutMs?: number;
}

export interface Bus {
  readonly nodeId: string;
  /** Resolves once the message is on its way (in the receiver's inbox); rejects with a BusError otherwise. */
  send<B extends z.ZodType, R extends z.ZodType>(to: string, kind: MessageKind<B, R>, body: z.input<B>): Promise<void>;
  request<B extends z.ZodType, R extends z.ZodType>(
    to: string,
    kind: MessageKind<B, R>,
    body: z.input<B>,
    options?: RequestOptions,
  ): Promise<z.output<R>>;
  /** Handles every message of `kind` (one handler per kind); returns a function that removes it. */
  onMessage<B extends z.ZodType, R extends z.ZodType>(kind: MessageKind<B, R>, handler: Handler<B, R>): () => void;
  close(): Promise<void>;
}

export interface BusStats {
  sent: number;
  received: number;
  /** Malformed, other version, unknown kind, bad body. */
  dropped: number;
  duplicates: number;
  /** Sequence numbers skipped (a message the sender failed to send, or trimmed from a stream). */
  gaps: number;
  /** Sends retried after a lost connection (RedisStreamBus). */
  retries: number;
}

export interface BusOptions {
  nodeId: string;
  registry: BusRegistry;
  logger?: Logger;
  /** Default request timeout (5000 ms). */
  requestTimeoutMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  def: MessageKind;
  to: string;
}

const MAX_SENDERS_REMEMBERED = 1000;

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Envelopes, requests, dispatch and de-duplication: everything but the transport. */
abstract class BusCore implements Bus {
  readonly nodeId: string;
  readonly stats: BusStats = { sent: 0, received: 0, dropped: 0, duplicates: 0, gaps: 0, retries: 0 };
  protected readonly logger: Logger | undefined;
  protected closed = false;
  private readonly registry: BusRegistry;
  private readonly requestTimeoutMs: number;
  /** This process's incarnation: its sequence numbers start again at 1. */
  private readonly inc = randomBytes(8).toString('base64url');
  private counter = 0;
  private readonly seqTo = new Map<string, number>();
  private readonly lastSeqFrom = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private readonly handlers = new Map<string, Handler<z.ZodType, z.ZodType>>();

  constructor(o: BusOptions) {
    if (!/^[a-z0-9-]{1,40}$/.test(o.nodeId)) throw new Error(`not a node id: ${JSON.stringify(o.nodeId)}`);
    this.nodeId = o.nodeId;
    this.registry = o.registry;
    this.logger = o.logger;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 5000;
  }

  /** Hands a raw envelope to `to`'s inbox; FIFO per destination. */
  protected abstract transmit(to: string, raw: string): Promise<void>;
  protected abstract shutdown(): Promise<void>;

  send<B extends z.ZodType, R extends z.ZodType>(to: string, kind: MessageKind<B, R>, body: z.input<B>): Promise<void> {
    try {
      this.check(kind, body);
      return this.post(to, kind.kind, body, {}).sent;
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }

  request<B extends z.ZodType, R extends z.ZodType>(
    to: string,
    kind: MessageKind<B, R>,
    body: z.input<B>,
    options: RequestOptions = {},
  ): Promise<z.output<R>> {
    let posted: { id: string; sent: Promise<void> };
    try {
      this.check(kind, body);
      posted = this.post(to, kind.kind, body, { req: true });
    } catch (err) {
      return Promise.reject(asError(err));
    }
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<z.output<R>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(posted.id);
        reject(new BusTimeoutError(to, kind.kind, timeoutMs));
      }, timeoutMs);
      this.pending.set(posted.id, { resolve: resolve, reject, timer, def: kind, to });
      posted.sent.catch((err: Error) => {
        const p = this.pending.get(posted.id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(posted.id);
        reject(err);
      });
    });
  }

  onMessage<B extends z.ZodType, R extends z.ZodType>(kind: MessageKind<B, R>, handler: Handler<B, R>): () => void {
    if (this.registry.get(kind.kind) !== kind) throw new Error(`message kind not registered on this bus: ${kind.kind}`);
    if (this.handlers.has(kind.kind)) throw new Error(`a handler for ${kind.kind} is already set`);
    this.handlers.set(kind.kind, handler);
    return () => {
      if (this.handlers.get(kind.kind) === handler) this.handlers.delete(kind.kind);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new BusError('closed', `bus closed before ${p.def.kind} to node ${p.to} was answered`));
      this.pending.delete(id);
    }
    await this.shutdown();
  }

  private check(kind: MessageKind, body: unknown): void {
    if (this.closed) throw new BusError('closed', 'the bus is closed');
    if (this.registry.get(kind.kind) !== kind) throw new BusError('bad-message', `message kind not registered on this bus: ${kind.kind}`);
    const parsed = kind.body.safeParse(body);
    if (!parsed.success) throw new BusError('bad-message', `${kind.kind}: body does not match its schema: ${parsed.error.message}`);
  }

  private post(to: string, kind: string, body: unknown, extra: Pick<Envelope, 'req' | 'replyTo'>): { id: string; sent: Promise<void> } {
    if (this.closed) throw new BusError('closed', 'the bus is closed');
    if (!/^[a-z0-9-]{1,40}$/.test(to)) throw new BusError('bad-message', `not a node id: ${JSON.stringify(to)}`);
    const seq = (this.seqTo.get(to) ?? 0) + 1;
    const id = `${this.inc}.${this.counter + 1}`;
    const envelope: Envelope = { v: PROTOCOL_VERSION, from: this.nodeId, inc: this.inc, seq, id, kind, ...extra, body };
    let raw: string;
    try {
      raw = JSON.stringify(envelope);
    } catch (err) {
      throw new BusError('bad-message', `${kind}: body is not JSON: ${(err as Error).message}`);
    }
    this.seqTo.set(to, seq);
    this.counter += 1;
    this.stats.sent += 1;
    return { id, sent: this.transmit(to, raw) };
  }

  /** One raw inbox entry, in order. Never throws. */
  protected receive(raw: unknown): void {
    try {
      this.dispatch(raw);
    } catch (err) {
      this.logger?.error({ err }, 'bus: a message handler threw');
    }
  }

  private dispatch(raw: unknown): void {
    const decoded = decodeEnvelope(raw);
    if (!decoded.ok) {
      this.stats.dropped += 1;
      this.logger?.warn({ reason: decoded.reason, detail: decoded.detail }, 'bus: dropped a message');
      return;
    }
    const m = decoded.envelope;
    const sender = `${m.from}/${m.inc}`;
    const last = this.lastSeqFrom.get(sender);
    if (last !== undefined && m.seq <= last) {
      this.stats.duplicates += 1;
      this.logger?.debug({ from: m.from, seq: m.seq, last }, 'bus: dropped a duplicate');
      return;
    }
    if (last !== undefined && m.seq > last + 1) {
      this.stats.gaps += m.seq - last - 1;
      this.logger?.warn({ from: m.from, missing: m.seq - last - 1 }, 'bus: messages from this node are missing');
    }
    this.lastSeqFrom.delete(sender); // re-insert: least recently heard first
    this.lastSeqFrom.set(sender, m.seq);
    if (this.lastSeqFrom.size > MAX_SENDERS_REMEMBERED) this.lastSeqFrom.delete(this.lastSeqFrom.keys().next().value as string);
    this.stats.received += 1;
    if (m.kind === REPLY_KIND) this.settle(m);
    else this.handle(m);
  }

  private settle(m: Envelope): void {
    const p = m.replyTo ? this.pending.get(m.replyTo) : undefined;
    if (!p) {
      this.logger?.debug({ from: m.from, replyTo: m.replyTo }, 'bus: reply to no pending request (timed out?)');
      return;
    }
    this.pending.delete(m.replyTo!);
    clearTimeout(p.timer);
    const reply = replyBodySchema.safeParse(m.body);
    if (!reply.success) {
      p.reject(new BusError('bad-reply', `bus request ${p.def.kind} to node ${m.from}: malformed reply`));
      return;
    }
    if (!reply.data.ok) {
      p.reject(new BusRemoteError(reply.data.error.code, reply.data.error.message, m.from, p.def.kind));
      return;
    }
    if (p.def.reply === null) {
      p.resolve(reply.data.value);
      return;
    }
    const value = p.def.reply.safeParse(reply.data.value);
    if (value.success) p.resolve(value.data);
    else
      p.reject(
        new BusError('bad-reply', `bus request ${p.def.kind} to node ${m.from}: reply does not match its schema: ${value.error.message}`),
      );
  }

  private handle(m: Envelope): void {
    const def = this.registry.get(m.kind);
    const handler = this.handlers.get(m.kind);
    if (!def || !handler) {
      this.stats.dropped += 1;
      this.logger?.warn({ from: m.from, kind: m.kind }, 'bus: dropped a message of a kind nobody handles');
      if (m.req) this.reply(m, { ok: false, error: { code: 'unknown-kind', message: `no handler for ${m.kind}` } });
      return;
    }
    const body = def.body.safeParse(m.body);
    if (!body.success) {
      this.stats.dropped += 1;
      this.logger?.warn(
        { from: m.from, kind: m.kind, issues: body.error.issues.length },
        'bus: dropped a message whose body does not match its schema',
      );
      if (m.req) this.reply(m, { ok: false, error: { code: 'bad-request', message: `${m.kind}: body does not match its schema` } });
      return;
    }
    const meta: MessageMeta = { from: m.from, id: m.id, isRequest: m.req === true };
    let result: unknown;
    try {
      result = handler(body.data, meta);
    } catch (err) {
      this.failed(m, err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => m.req && this.reply(m, { ok: true, value: value ?? null }),
        (err: unknown) => this.failed(m, err),
      );
    } else if (m.req) {
      this.reply(m, { ok: true, value: result ?? null });
    }
  }

  private failed(m: Envelope, err: unknown): void {
    if (!m.req) {
      this.logger?.error({ err, from: m.from, kind: m.kind }, 'bus: a message handler failed');
      return;
    }
    const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'handler-error';
    const message = err instanceof Error ? err.message : String(err);
    this.reply(m, { ok: false, error: { code: code.slice(0, 100), message: message.slice(0, 2000) } });
  }

  private reply(m: Envelope, body: ReplyBody): void {
    if (this.closed) return;
    try {
      this.post(m.from, REPLY_KIND, body, { replyTo: m.id }).sent.catch((err: unknown) =>
        this.logger?.warn({ err, to: m.from, kind: m.kind }, 'bus: could not send a reply'),
      );
    } catch (err) {
      // The handler's value is not JSON: the caller still gets an answer.
      const message = err instanceof Error ? err.message : String(err);
      this.post(m.from, REPLY_KIND, { ok: false, error: { code: 'bad-reply', message } }, { replyTo: m.id }).sent.catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------- LocalBus

/** The nodes LocalBuses can reach: each bus sees only its own network. */
export class LocalBusNetwork {
  readonly nodes = new Map<string, LocalBus>();
}

/**
 * The bus of a single process: a node reaches itself (and, in tests, the
 * other nodes on its LocalBusNetwork). Messages are JSON round-tripped and
 * delivered on a later turn of the event loop, in order, as over Redis. A
 * message to a node that is not on the network is dropped (a stream nobody
 * reads): a request to it times out.
 */
export class LocalBus extends BusCore {
  private readonly network: LocalBusNetwork;
  private readonly queue: string[] = [];
  private scheduled = false;

  constructor(o: BusOptions & { network?: LocalBusNetwork }) {
    super(o);
    this.network = o.network ?? new LocalBusNetwork();
    if (this.network.nodes.has(this.nodeId)) throw new Error(`node ${this.nodeId} is already on this bus network`);
    this.network.nodes.set(this.nodeId, this);
  }

  protected transmit(to: string, raw: string): Promise<void> {
    const target = this.network.nodes.get(to);
    if (target) target.enqueue(raw);
    else this.logger?.debug({ to }, 'bus: no such node on the local network; message dropped');
    return Promise.resolve();
  }

  private enqueue(raw: string): void {
    this.queue.push(raw);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // Handlers may send to this node again: those wait for the next turn, behind what is queued now.
      const batch = this.queue.splice(0);
      for (const m of batch) {
        if (this.closed) return;
        this.receive(m);
      }
    });
  }

  protected shutdown(): Promise<void> {
    if (this.network.nodes.get(this.nodeId) === this) this.network.nodes.delete(this.nodeId);
    this.queue.length = 0;
    return Promise.resolve();
  }
}

// ---------------------------------------------------------------- RedisStreamBus

export interface RedisStreamBusOptions extends BusOptions {
  /** The node's command client (connected); the bus adds its own blocking connection for reading. */
  redis: RedisClient;
  /** Approximate cap of an inbox stream (XADD MAXLEN ~); default 100000. */
  maxLen?: number;
  /** How long one XREAD blocks (default 2000 ms); the loop just reads again. */
  blockMs?: number;
  /** Entries per XREAD (default 1000). */
  readCount?: number;
  /** Messages waiting to be sent (while Redis is unreachable) before `send` fails with `unavailable` (default 100000). */
  maxQueued?: number;
  /**
   * Where a new reader starts: `latest` (default: what was in the inbox
   * before this process started was for a previous one) or `start`.
   */
  startAt?: 'latest' | 'start';
}

interface Outgoing {
  key: string;
  raw: string;
  resolve(): void;
  reject(err: Error): void;
}

const SEND_BATCH = 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RedisStreamBus extends BusCore {
  private readonly redis: RedisClient;
  private readonly reader: RedisClient;
  private readonly inboxKey: string;
  private readonly maxLen: number;
  private readonly blockMs: number;
  private readonly readCount: number;
  private readonly maxQueued: number;
  private lastId = '0-0';
  private readonly outbox: Outgoing[] = [];
  /** A send loop runs (set, and cleared in the same turn as its last outbox check, so no message is left behind). */
  private pumping = false;
  private pumped: Promise<void> = Promise.resolve();
  /** Set once close() has given the outbox its chance: nothing more is sent. */
  private stopped = false;
  private readLoop: Promise<void> | null = null;

  private constructor(o: RedisStreamBusOptions) {
    super(o);
    this.redis = o.redis;
    this.reader = duplicateForBlocking(o.redis, `bus-reader-${o.nodeId}`, o.logger);
    this.inboxKey = keys.inbox(o.nodeId);
    this.maxLen = o.maxLen ?? 100_000;
    this.blockMs = o.blockMs ?? 2000;
    this.readCount = o.readCount ?? 1000;
    this.maxQueued = o.maxQueued ?? 100_000;
  }

  /** Connects the reader and starts reading this node's inbox. */
  static async start(o: RedisStreamBusOptions): Promise<RedisStreamBus> {
    const bus = new RedisStreamBus(o);
    try {
      await bus.reader.connect();
      if ((o.startAt ?? 'latest') === 'latest') {
        const last = await o.redis.xRevRange(bus.inboxKey, '+', '-', { COUNT: 1 });
        bus.lastId = last?.[0]?.id ?? '0-0';
      }
    } catch (err) {
      bus.reader.destroy();
      throw err;
    }
    bus.readLoop = bus.read();
    return bus;
  }

  /** The last inbox entry handled (for tests and diagnostics). */
  get position(): string {
    return this.lastId;
  }

  protected transmit(to: string, raw: string): Promise<void> {
    if (this.outbox.length >= this.maxQueued) {
      return Promise.reject(new BusError('unavailable', `bus: ${this.outbox.length} messages wait for Redis; not queueing more`));
    }
    return new Promise<void>((resolve, reject) => {
      this.outbox.push({ key: keys.inbox(to), raw, resolve, reject });
      if (!this.pumping) {
        this.pumping = true;
        this.pumped = this.pump();
      }
    });
  }

  /**
   * Sends the outbox in order, pipelined in batches. A command Redis refused
   * failed for good (its sender hears `unavailable`); a lost connection
   * leaves it unknown whether the command ran, so it and everything after it
   * are sent again, in order, once Redis is back (the receiver drops the
   * copies it already has). Nothing after an unconfirmed message overtakes
   * it: the offline queue is off, so a dropped connection fails every
   * command still queued behind it.
   */
  private async pump(): Promise<void> {
    let failures = 0;
    while (this.outbox.length > 0 && !this.stopped) {
      const batch = this.outbox.slice(0, SEND_BATCH);
      const results = await Promise.allSettled(
        batch.map((m) =>
          this.redis.xAdd(m.key, '*', { m: m.raw }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.maxLen } }),
        ),
      );
      let done = 0;
      for (; done < batch.length; done++) {
        const r = results[done]!;
        if (r.status === 'fulfilled') batch[done]!.resolve();
        else if (isRedisReply(r.reason))
          batch[done]!.reject(new BusError('unavailable', `bus: Redis refused a message: ${(r.reason as Error).message}`));
        else break;
      }
      this.outbox.splice(0, done);
      if (done === batch.length) {
        failures = 0;
        continue;
      }
      this.stats.retries += batch.length - done;
      if (failures === 0)
        this.logger?.warn({ waiting: this.outbox.length }, 'bus: lost Redis while sending; will send again once it is back');
      await this.untilReady(this.redis, failures++);
    }
    // Same synchronous turn as the loop's last check: a message queued from here on starts a new loop.
    this.pumping = false;
    if (this.stopped) {
      for (const m of this.outbox.splice(0)) m.reject(new BusError('closed', 'bus closed before the message could be sent'));
    }
  }

  /** Waits for `client` to be connected again (at most a backoff step, and never past close); a full step if it never went away. */
  private async untilReady(client: RedisClient, failures: number): Promise<void> {
    const delay = reconnectDelay(failures, 500);
    if (client.isReady) {
      await sleep(delay);
      return;
    }
    const deadline = Date.now() + delay;
    while (!this.stopped && !client.isReady && Date.now() < deadline) await sleep(10);
  }

  private async read(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      let reply: Awaited<ReturnType<RedisClient['xRead']>>;
      try {
        reply = await this.reader.xRead({ key: this.inboxKey, id: this.lastId }, { BLOCK: this.blockMs, COUNT: this.readCount });
        failures = 0;
      } catch (err) {
        if (this.closed) break;
        if (failures === 0)
          this.logger?.warn(
            { err: (err as Error).message },
            'bus: inbox read failed; reading again from the last entry once Redis is back',
          );
        await this.untilReady(this.reader, failures++);
        continue;
      }
      if (!reply || this.closed) continue;
      for (const stream of reply as Array<{ messages: Array<{ id: string; message: Record<string, string> }> }>) {
        for (const entry of stream.messages) {
          if (this.closed) return;
          this.lastId = entry.id;
          this.receive(entry.message['m']);
        }
      }
    }
  }

  /** Sends what is still queued (up to 2 s), stops reading; the command client stays open (it is not the bus's). */
  protected async shutdown(): Promise<void> {
    if (this.pumping) await Promise.race([this.pumped, sleep(2000)]);
    this.stopped = true;
    this.reader.destroy();
    await this.readLoop?.catch(() => undefined);
    for (const m of this.outbox.splice(0)) m.reject(new BusError('closed', 'bus closed before the message could be sent'));
  }
}

export { BusRegistry };
