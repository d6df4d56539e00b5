/**
 * One signaling WebSocket: rate-limits and parses every frame, runs requests
 * one at a time in arrival order, answers each, and removes its peer from the
 * room the moment the socket closes. Nothing a client sends can throw out of
 * here: a bad frame gets an error, a flood gets the connection cut, and the
 * room carries on.
 */
import type { RawData, WebSocket } from 'ws';
import {
  CloseCode,
  ErrorCode,
  FLOOD_DROP_LIMIT,
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
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
import { handlers } from './request-handlers.js';
import type { Session, SignalingContext } from './session.js';

const HEARTBEAT_MS = 15_000;

export class ClientConnection {
  private readonly bucket = new TokenBucket(RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST);
  private droppedInARow = 0;
  private queue: Promise<void> = Promise.resolve();
  private alive = true;
  private cutOff = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly logger: Logger;
  readonly session: Session;

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
      send: (m) => this.send(m),
      disconnect: () => this.close(CloseCode.Removed, 'removed'),
    };
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
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.cutOff) return;
    this.ctx.metrics.signalingMessages.inc();
    if (!this.bucket.take()) {
      this.droppedInARow += 1;
      if (this.droppedInARow === 1) {
        this.send(notification('protocolError', { code: ErrorCode.RateLimited, message: 'too many messages; slow down' }));
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
    this.droppedInARow = 0;
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      this.send(notification('protocolError', { code: ErrorCode.BadMessage, message: 'binary frames are not accepted' }));
      return;
    }
    const parsed = parseRequest(buffer.toString('utf8'), buffer.byteLength);
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
    } catch (err) {
      if (err instanceof RequestError) {
        this.send(responseError(request.id, { code: err.code, message: err.message }));
      } else {
        this.logger.error({ err, method: request.method }, 'request failed');
        this.send(responseError(request.id, { code: ErrorCode.Internal, message: 'internal error' }));
      }
    }
  }

  private onClose(): void {
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

    clearInterval(this.heartbeat);
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
      if (mayComeBack) this.ctx.passes.release(peer.id);
      else this.ctx.passes.revoke(peer.id);
      room.removePeer(peer.id);
    }
  }
}
