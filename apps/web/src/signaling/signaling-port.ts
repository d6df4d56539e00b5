/**
 * What the client's parts need of a signaling connection: typed requests,
 * notifications, and word when it closes. SignalingClient is the real one;
 * unit tests drive the parts with a fake that plays the server.
 */
import type { MethodName, NotificationData, NotificationName, RequestData, ResponseData } from '@conclave/protocol';

export interface Signaling {
  readonly isOpen: boolean;
  request<M extends MethodName>(method: M, data: RequestData<M>, timeoutMs?: number): Promise<ResponseData<M>>;
  on<N extends NotificationName>(name: N, handler: (data: NotificationData<N>) => void): () => void;
  onClose(handler: (code: number, reason: string) => void): () => void;
  close(): void;
}
