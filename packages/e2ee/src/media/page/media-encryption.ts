/**
 * The page's side of frame encryption: attaches the Worker's transform to
 * every RTCRtpSender and RTCRtpReceiver before its first frame, forwards each
 * MLS epoch's keys to the Worker (running the delayed drops), and
 * reports what each remote participant's frames are doing.
 *
 * Frame origin: the Worker hands over our own origin batches
 * (`onOriginBatch`) for the page to sign with our MLS leaf key and relay;
 * the page hands back batches of others whose signatures it verified
 * (`verifiedOrigin`), and hears how each remote source stands
 * (`onOriginStatus`). `enforceOrigin(true)` makes the Worker stop showing a
 * source whose origin failed.
 *
 * Page side of the boundary: files in media/page/ run on the page and import
 * nothing from media/worker/ (worker-boundary.test.ts checks); they talk to
 * the Worker only through the messages in ../worker-messages.ts.
 */
import type { FrameTransformSupport } from './frame-transform-support.js';
import type {
  FromWorker,
  MediaKind,
  MediaSource,
  OriginFailure,
  OriginStatus,
  ReceiveStatus,
  ToWorker,
  TransformOptions,
} from '../worker-messages.js';

interface WorkerLike {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FromWorker>) => void): void;
  terminate(): void;
}

type ScriptTransformCtor = new (worker: WorkerLike, options: TransformOptions) => unknown;

interface EncodedStreamsEndpoint {
  createEncodedStreams(): { readable: ReadableStream; writable: WritableStream };
  transform?: unknown;
}

export interface MediaEncryptionEvents {
  onReceiveStatus?: (peerId: string, kind: MediaKind, status: ReceiveStatus, reason?: string) => void;
  onSendStatus?: (sending: boolean) => void;
  onSendKeyActive?: (epoch: bigint) => void;
  /**
   * Our recent frames' origin batch (at most ORIGIN_BATCH_MAX_BYTES, every
   * ORIGIN_BATCH_MS while sending): sign these bytes as they are with our
   * MLS leaf signature key and relay them to the other members.
   */
  onOriginBatch?: (batch: Uint8Array) => void;
  /** How a remote participant's source stands: shown to be theirs, not yet, or failed (and why). */
  onOriginStatus?: (peerId: string, source: MediaSource, status: OriginStatus, reason?: OriginFailure) => void;
}

export class MediaEncryption {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly worker: WorkerLike,
    readonly support: Exclude<FrameTransformSupport, 'none'>,
    events: MediaEncryptionEvents = {},
  ) {
    worker.addEventListener('message', ({ data }) => {
      if (data.type === 'receive-status') events.onReceiveStatus?.(data.peerId, data.kind, data.status, data.reason);
      else if (data.type === 'send-status') events.onSendStatus?.(data.sending);
      else if (data.type === 'send-key-active') events.onSendKeyActive?.(data.epoch);
      else if (data.type === 'origin-batch') events.onOriginBatch?.(data.batch);
      else if (data.type === 'origin-status') events.onOriginStatus?.(data.peerId, data.source, data.status, data.reason);
    });
  }

  /** Whether RTCPeerConnections must be created with encodedInsertableStreams (the fallback path). */
  get needsInsertableStreams(): boolean {
    return this.support === 'encoded-streams';
  }

  attachSender(sender: RTCRtpSender, kind: MediaKind, source: MediaSource, mimeType?: string): void {
    this.attach(sender as unknown as EncodedStreamsEndpoint, { operation: 'encrypt', kind, source, ...(mimeType ? { mimeType } : {}) });
  }

  attachReceiver(receiver: RTCRtpReceiver, peerId: string, kind: MediaKind, source: MediaSource, mimeType?: string): void {
    this.attach(receiver as unknown as EncodedStreamsEndpoint, {
      operation: 'decrypt',
      kind,
      source,
      peerId,
      ...(mimeType ? { mimeType } : {}),
    });
  }

  /**
   * Our base key of a new epoch; the Worker switches every source to it after `activateAfterMs`.
   * `firstCounter`: only for a test playing a forging member, whose counters must not repeat the victim's.
   */
  setSendKey(epoch: bigint, leaf: number, baseKey: Uint8Array, activateAfterMs: number, firstCounter?: bigint): void {
    this.worker.postMessage({
      type: 'set-send-key',
      epoch,
      leaf,
      baseKey,
      activateAfterMs,
      ...(firstCounter !== undefined ? { firstCounter } : {}),
    });
  }

  addReceiveKey(peerId: string, epoch: bigint, leaf: number, baseKey: Uint8Array): void {
    this.worker.postMessage({ type: 'add-receive-key', peerId, epoch, leaf, baseKey });
  }

  /** Drops a member's keys of one epoch (or all, without `epoch`), now or `afterMs` from now. */
  dropReceiveKeys(peerId: string, epoch: bigint | undefined, afterMs: number): void {
    const message: ToWorker = { type: 'drop-receive-keys', peerId, ...(epoch !== undefined ? { epoch } : {}) };
    if (afterMs <= 0) {
      this.worker.postMessage(message);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.worker.postMessage(message);
    }, afterMs);
    this.timers.add(t);
  }

  /**
   * An origin batch relayed from `peerId`, whose signature the page checked
   * against the MLS member at `leaf` (that peer): its entries for that
   * leaf's frames cover them. Pass the signed bytes unchanged.
   */
  verifiedOrigin(peerId: string, leaf: number, batch: Uint8Array): void {
    this.worker.postMessage({ type: 'origin-verified', peerId, leaf, batch });
  }

  /**
   * Whether the Worker stops showing a remote source whose origin failed
   * (frames forged, or unsigned past ORIGIN_DEADLINE_MS). Off until called:
   * turn it on once batches are signed and relayed, or every source fails.
   */
  enforceOrigin(enforce: boolean): void {
    this.worker.postMessage({ type: 'origin-enforce', enforce });
  }

  /** Forgets every key in the Worker (before rejoining as a new participant). */
  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.worker.postMessage({ type: 'reset' });
  }

  dispose(): void {
    this.reset();
    this.worker.terminate();
  }

  private attach(endpoint: EncodedStreamsEndpoint, options: TransformOptions): void {
    if (this.support === 'script-transform') {
      const Ctor = (globalThis as unknown as { RTCRtpScriptTransform: ScriptTransformCtor }).RTCRtpScriptTransform;
      endpoint.transform = new Ctor(this.worker, options);
    } else {
      const { readable, writable } = endpoint.createEncodedStreams();
      this.worker.postMessage({ type: 'transform-streams', options, readable, writable }, [readable, writable]);
    }
  }
}
