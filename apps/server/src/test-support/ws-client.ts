/**
 * A signaling client for Node tests: typed requests, and a log of every
 * notification so tests can wait for one.
 */
import WebSocket from 'ws';
import {
  parseServerMessage,
  type MethodName,
  type NotificationData,
  type NotificationName,
  type ParsedServerMessage,
  type RequestData,
  type ResponseData,
} from '@conclave/protocol';

type Notification = Extract<ParsedServerMessage, { type: 'notification' }>;

export class TestClient {
  private nextId = 1;
  readonly notifications: Notification[] = [];
  readonly responses = new Map<number, Extract<ParsedServerMessage, { type: 'response' }>>();
  private waiters: Array<() => void> = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // With ws's default binaryType ('nodebuffer') every message arrives as one Buffer.
      const text = (data as Buffer).toString();
      const m = parseServerMessage(text);
      if (!m) throw new Error(`server sent a malformed message: ${text.slice(0, 200)}`);
      if (m.type === 'response') this.responses.set(m.id, m);
      else this.notifications.push(m);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `check` returns a value, re-checking on every message and every 25 ms; rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 25));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request and returns its whole response (ok or error). */
  async call<M extends MethodName>(method: M, data: RequestData<M> | Record<string, unknown>) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    return this.waitFor(() => this.responses.get(id), 5000, `response to ${method}`);
  }

  /** Sends a request and returns its data, throwing on an error response. */
  async request<M extends MethodName>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const r = await this.call(method, data);
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
    return r.data as ResponseData<M>;
  }

  async waitForNotification<N extends NotificationName>(
    method: N,
    match: (data: NotificationData<N>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<NotificationData<N>> {
    return this.waitFor(
      () =>
        this.notifications.find((n) => n.method === method && match(n.data as NotificationData<N>))?.data as
          NotificationData<N> | undefined,
      timeoutMs,
      `notification ${method}`,
    );
  }

  waitForClose(timeoutMs = 5000): Promise<number> {
    return this.waitFor(() => this.closeCode ?? undefined, timeoutMs, 'close');
  }

  close(): void {
    this.ws.close();
  }
}

/** RTP parameters a real Opus sender would declare (for produce). */
export const opusRtpParameters = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `test-${ssrc}`, reducedSize: true },
});
