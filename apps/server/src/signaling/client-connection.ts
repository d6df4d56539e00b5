/**
 * One signaling WebSocket: rate-limits and parses every frame, runs requests
 * one at a time in arrival order, answers each, and removes its peer from the
 * room the moment the socket closes. Nothing a client sends can throw out of
 * here: a bad frame gets an error, a flood gets the connection cut, and the
 * room carries on.
 *
 * What a connection may cost is bounded at each step (numbers in
 * @conclave/protocol's limits.ts): frames are paid for from a message bucket
 * and a byte bucket before anything else; a frame over MAX_MESSAGE_BYTES is
 * refused by its length alone, before it is joined, decoded or parsed; a
 * client that stops reading is dropped once its unsent output passes
 * MAX_BUFFERED_BYTES; and a socket that has not joined (or entered a lobby)
 * within JOIN_DEADLINE_MS, or lingers that long after leaving, is closed.
 */
import { isRedisUnreachable } from '../cluster/redis.js';
import type { RawData, WebSocket } from 'ws';
import {
  CHAT_RATE_BURST,
  CHAT_RATE_PER_SECOND,
  GROUP_MESSAGE_RATE_BURST,
  GROUP_MESSAGE_RATE_PER_SECOND,
  CloseCode,
  ErrorCode,
  FLOOD_DROP_LIMIT,
  JOIN_DEADLINE_MS,
  MAX_BUFFERED_BYTES,
  MAX_MESSAGE_BYTES,
  RATE_LIMIT_BURST,
  RATE_LIMIT_BYTES_BURST,
  RATE_LIMIT_BYTES_PER_SECOND,
  RATE_LIMIT_PER_SECOND,
  RECORDING_RATE_BURST,
  RECORDING_RATE_PER_SECOND,
  notification,
  parseRequest,
  responseError,
  responseOk,
  type ParsedRequest,
  type ServerMessage,
} from '@conclave/protocol';
import type { Logger } from '../logger.js';
import { TokenBucket } from './rate-limiter.js';
import { RequestError } from './request-error.js';
import type { ConnectionGrant } from './connection-grant.js';
import { StoreUnavailable } from '../store/errors.js';
import { handlers } from './request-handlers.js';
import type { Session, SignalingContext } from './session.js';

const HEARTBEAT_MS = 15_000;

/** The size of a received frame, without joining its fragments. */
function frameBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.byteLength, 0);
  return data.byteLength;
}

export class ClientConnection {
  private readonly bucket = new TokenBucket(RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST);
  private readonly byteBucket = new TokenBucket(RATE_LIMIT_BYTES_PER_SECOND, RATE_LIMIT_BYTES_BURST);
  /** The most output this connection has had waiting for the client to read (ws.bufferedAmount), in bytes. */
  peakBufferedBytes = 0;
  private deadline: NodeJS.Timeout | null = null;
  /** Frames refused since the last quiet second (see onFrame). */
  private droppedInARow = 0;
  private lastDropAt = 0;
  private queue: Promise<void> = Promise.resolve();
  private alive = true;
  private cutOff = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly logger: Logger;
  readonly session: Session;
  /** Resolves once the rejoin-pass change of its leaving (release or revoke) is made (or failed, and was logged). */
  passChange: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SignalingContext,
    grant: ConnectionGrant,
  ) {
    this.logger = ctx.logger.child({ remote: grant.ip });
    this.session = {
      grant,
      peer: null,
      room: null,
      waiting: null,
      admitted: new Set(),
      joinedOnce: false,
      buckets: {
        chat: new TokenBucket(CHAT_RATE_PER_SECOND, CHAT_RATE_BURST),
        group: new TokenBucket(GROUP_MESSAGE_RATE_PER_SECOND, GROUP_MESSAGE_RATE_BURST),
        recording: new TokenBucket(RECORDING_RATE_PER_SECOND, RECORDING_RATE_BURST),
      },
      send: (m) => this.send(m),
      isOpen: () => this.ws.readyState === this.ws.OPEN && !this.cutOff,
      restartJoinDeadline: () => this.armJoinDeadline(),
      disconnect: () => this.close(CloseCode.Removed, 'removed'),
    };
    this.armJoinDeadline();
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => this.logger.debug({ err }, 'socket error'));
    ws.on('pong', () => {
      this.alive = true;
    });
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        this.logger.info('no heartbeat answer; closing');
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  send(message: ServerMessage): void {
    if (message.type === 'response' && !message.ok) this.ctx.metrics.signalingErrors.inc({ code: message.error.code });
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(message));
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.peakBufferedBytes) this.peakBufferedBytes = buffered;
    if (buffered > MAX_BUFFERED_BYTES) {
      // It is not reading: a close frame would only queue behind the rest, so the TCP connection goes now.
      // The close event removes its peer (its rejoin pass stays good: it may just be on a very bad network).
      this.logger.warn({ peerId: this.session.peer?.id, buffered }, 'client stopped reading; disconnecting it');
      this.cutOff = true;
      this.ws.terminate();
    }
  }

  /**
   * Closes the socket unless, `JOIN_DEADLINE_MS` from now, it is in a room or
   * waiting in a lobby: a socket that only holds a slot (never joins, or
   * stays after leaving) does not get to keep it.
   */
  private armJoinDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      this.deadline = null;
      if (this.session.peer || this.session.waiting) return;
      this.logger.info({ joinedOnce: this.session.joinedOnce }, 'no join within the deadline; closing');
      this.close(CloseCode.JoinDeadline, 'join deadline');
      setTimeout(() => this.ws.terminate(), 1000).unref();
    }, JOIN_DEADLINE_MS);
    this.deadline.unref();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /**
   * Takes this connection's peer out of its room at once (its rejoin pass
   * stays good) and closes the socket with `code`; a client that does not
   * answer the close is cut off after a second. For an account that lost its powers.
   */
  closeNow(code: number, reason: string): void {
    this.leaveRoom(true);
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.cutOff) return;
    this.ctx.metrics.signalingMessages.inc();
    const byteLength = frameBytes(data);
    if (!this.bucket.take() || !this.byteBucket.take(byteLength)) {
      this.droppedInARow += 1;
      this.lastDropAt = performance.now();
      if (this.droppedInARow === 1) {
        this.send(notification('protocolError', { code: ErrorCode.RateLimited, message: 'too many messages or bytes; slow down' }));
      }
      if (this.droppedInARow >= FLOOD_DROP_LIMIT) {
        this.logger.warn({ peerId: this.session.peer?.id }, 'client flooded; cutting it off');
        this.cutOff = true;
        this.leaveRoom(false);
        this.ws.close(CloseCode.Flooding, 'flooding');
        // A flooder may never read the close frame: drop the TCP connection soon regardless.
        setTimeout(() => this.ws.terminate(), 1000).unref();
      }
      return;
    }
    // The refusals count as "in a row" until a whole second passes without one: a byte flood that the
    // refill lets through a frame now and then is still a flood.
    if (performance.now() - this.lastDropAt > 1000) this.droppedInARow = 0;
    if (isBinary) {
      this.send(notification('protocolError', { code: ErrorCode.BadMessage, message: 'binary frames are not accepted' }));
      return;
    }
    // Refused by its length alone: never joined, decoded or parsed.
    if (byteLength > MAX_MESSAGE_BYTES) {
      this.send(notification('protocolError', { code: ErrorCode.TooLarge, message: `message exceeds ${MAX_MESSAGE_BYTES} bytes` }));
      return;
    }
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const parsed = parseRequest(buffer.toString('utf8'), byteLength);
    if (!parsed.ok) {
      this.logger.debug({ code: parsed.error.code }, 'rejected message');
      if (parsed.id === null) this.send(notification('protocolError', parsed.error));
      else this.send(responseError(parsed.id, parsed.error));
      return;
    }
    const request = parsed.request;
    this.queue = this.queue.then(() => this.handle(request));
  }

  private async handle(request: ParsedRequest): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return;
    try {
      const handler = handlers[request.method] as (s: Session, d: unknown, c: SignalingContext) => Promise<unknown>;
      const data = await handler(this.session, request.data, this.ctx);
      this.send(responseOk(request.id, data));
      // Left the room: the socket may not join again (join_used), so it gets the deadline to go.
      if (request.method === 'leave') this.armJoinDeadline();
    } catch (err) {
      if (err instanceof RequestError) {
        this.send(responseError(request.id, err.body()));
      } else if (err instanceof StoreUnavailable || isRedisUnreachable(err)) {
        // The database is down (PostgreSQL restarting): the client may try again in a moment.
        this.logger.warn({ err, method: request.method }, 'request failed: the database is unavailable');
        this.send(
          responseError(request.id, {
            code: ErrorCode.Unavailable,
            message: 'the server cannot reach its database or cluster; try again shortly',
          }),
        );
      } else {
        this.logger.error({ err, method: request.method }, 'request failed');
        this.send(responseError(request.id, { code: ErrorCode.Internal, message: 'internal error' }));
      }
    }
  }

  private onClose(): void {
    clearInterval(this.heartbeat);
    if (this.deadline) clearTimeout(this.deadline);
    this.leaveRoom(true);
  }

  /** `mayComeBack`: the connection dropped, so its rejoin pass stays good for a while (a flooder's does not). */
  private leaveRoom(mayComeBack: boolean): void {
    const { waiting } = this.session;
    if (waiting) this.ctx.lobby.leave(waiting.roomId, waiting.requestId);
    this.session.waiting = null;
    const { peer, room } = this.session;
    this.session.peer = null;
    this.session.room = null;
    if (peer && room) {
      // Started before the removal (the store runs pass changes in the order they were started), not awaited:
      // the peer leaves its room now, whatever the store says.
      const change = mayComeBack ? this.ctx.passes.release(peer.id) : this.ctx.passes.revoke(peer.id);
      this.passChange = change.catch((err: unknown) =>
        this.logger.error({ err, peerId: peer.id, mayComeBack }, 'rejoin pass not changed as its holder left'),
      );
      room.removePeer(peer.id);
    }
  }
}
