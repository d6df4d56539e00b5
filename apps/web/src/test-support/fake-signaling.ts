/**
 * A signaling connection for unit tests that plays the server: each request
 * is answered by a handler the test sets per method (or refused with a
 * SignalingError), every request is recorded, and the test can send
 * notifications and close the connection as the server would.
 */
import type { MethodName, NotificationData, NotificationName, RequestData, ResponseData } from '@conclave/protocol';
import { SignalingError } from '../signaling/signaling-client.js';
import type { Signaling } from '../signaling/signaling-port.js';

type Handler<M extends MethodName> = (data: RequestData<M>) => ResponseData<M> | Promise<ResponseData<M>>;

export class FakeSignaling implements Signaling {
  isOpen = true;
  readonly requests: Array<{ method: MethodName; data: unknown }> = [];
  private readonly handlers = new Map<MethodName, (data: unknown) => unknown>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly closeListeners = new Set<(code: number, reason: string) => void>();

  /** Answers `method` with `handler` from now on. */
  answer<M extends MethodName>(method: M, handler: Handler<M>): this {
    this.handlers.set(method, handler as (data: unknown) => unknown);
    return this;
  }

  /** Refuses `method` with this error code from now on. */
  refuse(method: MethodName, code: string, message = `refused: ${code}`): this {
    this.handlers.set(method, () => {
      throw new SignalingError(code, message);
    });
    return this;
  }

  request<M extends MethodName>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    this.requests.push({ method, data });
    if (!this.isOpen) return Promise.reject(new SignalingError('disconnected', 'Not connected to the meeting server.'));
    const handler = this.handlers.get(method);
    try {
      return Promise.resolve((handler ? handler(data) : {}) as ResponseData<M>);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The requests made for `method`, in order. */
  sent<M extends MethodName>(method: M): Array<RequestData<M>> {
    return this.requests.filter((r) => r.method === method).map((r) => r.data as RequestData<M>);
  }

  on<N extends NotificationName>(name: N, handler: (data: NotificationData<N>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const h = handler as (data: unknown) => void;
    set.add(h);
    return () => set.delete(h);
  }

  onClose(handler: (code: number, reason: string) => void): () => void {
    this.closeListeners.add(handler);
    return () => this.closeListeners.delete(handler);
  }

  /** The server sends a notification. */
  notify<N extends NotificationName>(name: N, data: NotificationData<N>): void {
    for (const h of [...(this.listeners.get(name) ?? [])]) h(data);
  }

  /** How many listen to `name` now (a part that stopped listening has none). */
  listening(name: NotificationName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /** The client closes it. */
  close(): void {
    this.drop(1000, 'bye');
  }

  /** The connection drops (or the server closes it with `code`). */
  drop(code = 1006, reason = ''): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const h of [...this.closeListeners]) h(code, reason);
  }
}
