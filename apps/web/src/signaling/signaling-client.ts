/**
 * The browser end of the signaling WebSocket: typed requests matched to their
 * responses by id, typed notifications, and a clear error when the server
 * cannot be reached or a request fails.
 */
import {
  parseServerMessage,
  type MethodName,
  type NotificationData,
  type NotificationName,
  type RequestData,
  type ResponseData,
} from '@conclave/protocol';

export class SignalingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** stale_epoch only: the group's epoch now. */
    readonly epoch?: number,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

type NotificationHandler<N extends NotificationName> = (data: NotificationData<N>) => void;

interface Pending {
  resolve: (data: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function signalingUrl(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** A connection silent this long is asked whether the server is still there… */
export const KEEPALIVE_IDLE_MS = 10_000;
/** …and given up on (closed, so the call rejoins) if it does not answer within this. */
export const KEEPALIVE_TIMEOUT_MS = 5_000;

export class SignalingClient {
  private nextId = 1;
  private lastHeard = Date.now();
  private closed = false;
  private readonly keepalive: ReturnType<typeof setInterval>;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<NotificationName, Set<(data: unknown) => void>>();
  private readonly closeHandlers = new Set<(code: number, reason: string) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (event) => this.onMessage(event));
    ws.addEventListener('close', (event) => this.handleClose(event.code, event.reason));
    // A network that dies without a word (no FIN, no RST) leaves the socket "open" for minutes:
    // after a silence, ask; no answer means the connection is gone.
    this.keepalive = setInterval(() => {
      if (!this.isOpen || Date.now() - this.lastHeard < KEEPALIVE_IDLE_MS) return;
      this.request('ping', {}, KEEPALIVE_TIMEOUT_MS).catch((err: unknown) => {
        if (err instanceof SignalingError && err.code === 'timeout') this.abandon('The meeting server stopped answering.');
      });
    }, KEEPALIVE_IDLE_MS / 2);
  }

  /** Opens the socket; rejects with `unreachable` if it cannot within `timeoutMs`. */
  static connect(url: string = signalingUrl(), timeoutMs = 8000): Promise<SignalingClient> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch {
        reject(new SignalingError('unreachable', 'The meeting server address is not valid.'));
        return;
      }
      const fail = () => {
        clearTimeout(timer);
        ws.close();
        reject(new SignalingError('unreachable', 'Cannot reach the meeting server. Check your connection and try again.'));
      };
      const timer = setTimeout(fail, timeoutMs);
      ws.addEventListener('error', fail, { once: true });
      ws.addEventListener(
        'open',
        () => {
          clearTimeout(timer);
          ws.removeEventListener('error', fail);
          resolve(new SignalingClient(ws));
        },
        { once: true },
      );
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  request<M extends MethodName>(method: M, data: RequestData<M>, timeoutMs = 15_000): Promise<ResponseData<M>> {
    if (!this.isOpen) return Promise.reject(new SignalingError('disconnected', 'Not connected to the meeting server.'));
    const id = this.nextId++;
    return new Promise<ResponseData<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SignalingError('timeout', `The server did not answer (${method}).`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    });
  }

  on<N extends NotificationName>(name: N, handler: NotificationHandler<N>): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    const h = handler as (data: unknown) => void;
    set.add(h);
    return () => set.delete(h);
  }

  onClose(handler: (code: number, reason: string) => void): () => void {
    this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }

  /** Gives up on a connection that no longer answers: everyone listening is told at once. */
  private abandon(reason: string): void {
    this.handleClose(4000, reason);
    this.ws.close(4000, 'no answer');
  }

  private onMessage(event: MessageEvent): void {
    this.lastHeard = Date.now();
    if (typeof event.data !== 'string') return;
    const message = parseServerMessage(event.data);
    if (!message) {
      console.warn('conclave: ignored a malformed server message');
      return;
    }
    if (message.type === 'response') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.data);
      else pending.reject(new SignalingError(message.error.code, message.error.message, message.error.epoch));
      return;
    }
    for (const handler of this.handlers.get(message.method) ?? []) {
      try {
        handler(message.data);
      } catch (err) {
        console.error(`conclave: ${message.method} handler failed`, err);
      }
    }
  }

  private handleClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new SignalingError('disconnected', 'The connection to the meeting server was lost.'));
    }
    this.pending.clear();
    for (const handler of this.closeHandlers) handler(code, reason);
  }
}
