/**
 * The media Worker: holds this participant's sender keys and every other
 * participant's receive keys, and runs the frame transform on every sender
 * and receiver the page attaches (RTCRtpScriptTransform, or streams handed
 * over by the createEncodedStreams fallback).
 *
 * Start it from a module Worker with `startMediaWorker(self)`. Keys arrive as
 * messages (../worker-messages.ts); status goes back the same way.
 *
 * Worker side of the boundary: files in media/worker/ run only in the media
 * Worker and import nothing from media/page/ (worker-boundary.test.ts checks).
 */
import { FrameCrypto } from '../../frame-crypto.js';
import { SFrameReceiver, SFrameSender } from '../../sframe/sframe-context.js';
import { createFrameTransform, type EncodedFrame } from './frame-transformer.js';
import {
  SUITE_FOR_KIND,
  type FromWorker,
  type MediaKind,
  type ReceiveStatus,
  type ToWorker,
  type TransformOptions,
} from '../worker-messages.js';

/** The parts of RTCRtpScriptTransformer used here. */
interface ScriptTransformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: TransformOptions;
  generateKeyFrame?: () => Promise<unknown>;
  sendKeyFrameRequest?: () => Promise<unknown>;
}

export interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  addEventListener(type: 'rtctransform', listener: (event: Event & { transformer: ScriptTransformer }) => void): void;
}

/** A failure is only reported after this long without any good frame, so a rekey does not flicker the UI. */
const FAILURE_REPORT_AFTER_MS = 1000;

/**
 * One receiver's decryption state. Each receiver (camera, screen, mic…) has
 * its own FrameCrypto and so its own replay windows: a peer's camera and
 * screen share draw counters from one sender key, and a busy camera must not
 * push the screen's counters out of a shared window.
 */
interface ReceiveStream {
  kind: MediaKind;
  crypto: FrameCrypto;
  /** Settles when the keys the peer had when this receiver was attached are imported. */
  ready: Promise<unknown>;
}

interface PeerReceive {
  /** The peer's current receive keys, given to every receiver, including ones attached later. */
  keys: Map<bigint, Uint8Array>;
  streams: Set<ReceiveStream>;
  transformers: Set<ScriptTransformer>;
  status: Partial<Record<MediaKind, ReceiveStatus>>;
  lastGoodAt: Partial<Record<MediaKind, number>>;
}

export class MediaWorker {
  private readonly send: Record<MediaKind, FrameCrypto> = {
    audio: new FrameCrypto({ sender: new SFrameSender() }),
    video: new FrameCrypto({ sender: new SFrameSender() }),
  };
  private readonly sendTransformers = new Set<ScriptTransformer>();
  private readonly peers = new Map<string, PeerReceive>();
  private sending = false;
  private activation: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly scope: WorkerScope) {
    scope.addEventListener('message', (event) => void this.onMessage(event.data));
    scope.addEventListener('rtctransform', (event) => this.attachScriptTransformer(event.transformer));
  }

  private peer(peerId: string): PeerReceive {
    let p = this.peers.get(peerId);
    if (!p) {
      p = {
        keys: new Map(),
        streams: new Set(),
        transformers: new Set(),
        status: {},
        lastGoodAt: {},
      };
      this.peers.set(peerId, p);
    }
    return p;
  }

  private async onMessage(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'set-send-key': {
        if (this.activation) clearTimeout(this.activation);
        const activate = async () => {
          this.activation = null;
          await Promise.all((['audio', 'video'] as const).map((k) => this.send[k].sender.setKey(SUITE_FOR_KIND[k], msg.kid, msg.baseKey)));
          this.scope.postMessage({ type: 'send-key-active', kid: msg.kid });
          // Receivers that had nothing decodable need a key frame under the new key.
          for (const t of this.sendTransformers) if (t.options.kind === 'video') void t.generateKeyFrame?.().catch(() => undefined);
        };
        if (msg.activateAfterMs > 0 && (this.send.video.sender.hasKey || this.send.audio.sender.hasKey)) {
          this.activation = setTimeout(() => void activate(), msg.activateAfterMs);
        } else await activate();
        return;
      }
      case 'add-receive-key': {
        const p = this.peer(msg.peerId);
        p.keys.set(msg.kid, msg.baseKey);
        await Promise.all([...p.streams].map((s) => s.crypto.receiver.addKey(SUITE_FOR_KIND[s.kind], msg.kid, msg.baseKey)));
        if (p.status.video !== 'encrypted') {
          for (const t of p.transformers) if (t.options.kind === 'video') void t.sendKeyFrameRequest?.().catch(() => undefined);
        }
        return;
      }
      case 'drop-receive-keys': {
        const p = this.peers.get(msg.peerId);
        if (!p) return;
        if (msg.kid === undefined) this.forgetPeer(msg.peerId, p);
        else {
          p.keys.delete(msg.kid);
          for (const s of p.streams) s.crypto.receiver.removeKey(msg.kid);
        }
        return;
      }
      case 'reset': {
        if (this.activation) clearTimeout(this.activation);
        for (const k of ['audio', 'video'] as const) this.send[k].sender.clearKey();
        for (const [peerId, p] of this.peers) this.forgetPeer(peerId, p);
        this.setSending(false);
        return;
      }
      case 'transform-streams': {
        this.attach(msg.readable as ReadableStream<EncodedFrame>, msg.writable as WritableStream<EncodedFrame>, msg.options);
        return;
      }
    }
  }

  /** Drops every key of a peer; receivers still attached keep failing closed until new keys come. */
  private forgetPeer(peerId: string, p: PeerReceive): void {
    for (const kid of p.keys.keys()) for (const s of p.streams) s.crypto.receiver.removeKey(kid);
    p.keys.clear();
    p.status = {};
    p.lastGoodAt = {};
    if (p.streams.size === 0) this.peers.delete(peerId);
  }

  /** A new receiver of `peerId`'s frames: its own FrameCrypto, with all of the peer's current keys. */
  private addStream(peerId: string, kind: MediaKind): ReceiveStream {
    const p = this.peer(peerId);
    const crypto = new FrameCrypto({ receiver: new SFrameReceiver() });
    const ready = Promise.all([...p.keys].map(([kid, baseKey]) => crypto.receiver.addKey(SUITE_FOR_KIND[kind], kid, baseKey))).catch(
      () => undefined,
    );
    const stream: ReceiveStream = { kind, crypto, ready };
    p.streams.add(stream);
    return stream;
  }

  private attachScriptTransformer(t: ScriptTransformer): void {
    const { options } = t;
    if (options.operation === 'encrypt') {
      this.sendTransformers.add(t);
    } else if (options.peerId) {
      this.peer(options.peerId).transformers.add(t);
    }
    this.attach(t.readable, t.writable, options);
  }

  private attach(readable: ReadableStream<EncodedFrame>, writable: WritableStream<EncodedFrame>, options: TransformOptions): void {
    const { kind, peerId } = options;
    const stream = options.operation === 'decrypt' && peerId ? this.addStream(peerId, kind) : null;
    const transform =
      options.operation === 'encrypt'
        ? createFrameTransform(options, {
            crypto: () => this.send[kind],
            onSent: () => this.setSending(true),
          })
        : createFrameTransform(options, {
            crypto: () => stream?.crypto ?? null,
            onReceiveStatus: (status, reason) => peerId && this.reportReceive(peerId, kind, status, reason),
          });
    // A new receiver's first frames wait until the keys it was given are imported.
    const input = stream
      ? readable.pipeThrough(
          new TransformStream<EncodedFrame, EncodedFrame>({
            async transform(frame, controller) {
              await stream.ready;
              controller.enqueue(frame);
            },
          }),
        )
      : readable;
    input
      .pipeThrough(transform)
      .pipeTo(writable)
      .catch(() => undefined) // the sender or receiver went away
      .finally(() => {
        if (stream && peerId) this.peers.get(peerId)?.streams.delete(stream);
      });
  }

  private setSending(sending: boolean): void {
    if (this.sending === sending) return;
    this.sending = sending;
    this.scope.postMessage({ type: 'send-status', sending });
  }

  private reportReceive(peerId: string, kind: MediaKind, status: ReceiveStatus, reason: string): void {
    const p = this.peers.get(peerId);
    if (!p) return;
    const now = performance.now();
    if (status === 'encrypted') p.lastGoodAt[kind] = now;
    else if (now - (p.lastGoodAt[kind] ?? -Infinity) < FAILURE_REPORT_AFTER_MS) return;
    if (p.status[kind] === status) return;
    p.status[kind] = status;
    this.scope.postMessage({ type: 'receive-status', peerId, kind, status, reason });
  }
}

export function startMediaWorker(scope: WorkerScope): MediaWorker {
  return new MediaWorker(scope);
}
