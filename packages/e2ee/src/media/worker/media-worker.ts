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
import { kidFor, SOURCES } from '../../group/sframe-epoch-keys.js';
import { SFrameReceiver, SFrameSender } from '../../sframe/sframe-context.js';
import { createFrameTransform, type EncodedFrame } from './frame-transformer.js';
import {
  KIND_OF_SOURCE,
  SUITE_FOR_KIND,
  type FromWorker,
  type MediaKind,
  type MediaSource,
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

const suiteOf = (source: MediaSource) => SUITE_FOR_KIND[KIND_OF_SOURCE[source]];

/** One receiver's decryption state: the shared receiver of its (peer, source), ready once its keys are imported. */
interface ReceiveStream {
  kind: MediaKind;
  crypto: FrameCrypto;
  /** Settles when the keys the peer had when this receiver was attached are imported. */
  ready: Promise<unknown>;
}

interface PeerReceive {
  /** The peer's base keys by epoch, with its leaf index in that epoch. */
  keys: Map<bigint, { leaf: number; baseKey: Uint8Array }>;
  /**
   * One SFrameReceiver per source of the peer, shared by every receiver of
   * that source in this page: a KID belongs to one (sender, source), so its
   * replay window is one, however many receivers the server makes. A frame
   * of one source copied into another source's stream finds no key there.
   */
  receivers: Map<MediaSource, SFrameReceiver>;
  /** Settles when every key given so far is imported: a new receiver's first frames wait for it. */
  importing: Promise<unknown>;
  streams: Set<ReceiveStream>;
  transformers: Set<ScriptTransformer>;
  status: Partial<Record<MediaKind, ReceiveStatus>>;
  lastGoodAt: Partial<Record<MediaKind, number>>;
}

export class MediaWorker {
  /** One sender (own KID, key and counters) per source; a new epoch sets all of them. */
  private readonly send = new Map<MediaSource, FrameCrypto>(SOURCES.map((s) => [s, new FrameCrypto({ sender: new SFrameSender() })]));
  private readonly sendTransformers = new Set<ScriptTransformer>();
  private readonly peers = new Map<string, PeerReceive>();
  private sending = false;
  private activation: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly scope: WorkerScope) {
    scope.addEventListener('message', (event) => void this.handle(event.data));
    scope.addEventListener('rtctransform', (event) => this.attachScriptTransformer(event.transformer));
  }

  private peer(peerId: string): PeerReceive {
    let p = this.peers.get(peerId);
    if (!p) {
      p = {
        keys: new Map(),
        receivers: new Map(SOURCES.map((s) => [s, new SFrameReceiver()])),
        importing: Promise.resolve(),
        streams: new Set(),
        transformers: new Set(),
        status: {},
        lastGoodAt: {},
      };
      this.peers.set(peerId, p);
    }
    return p;
  }

  private get hasSendKey(): boolean {
    return [...this.send.values()].some((c) => c.sender.hasKey);
  }

  /** One message from the page; settles when it is carried out (keys imported, or the activation timer set). */
  async handle(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'set-send-key': {
        if (this.activation) clearTimeout(this.activation);
        const activate = async () => {
          this.activation = null;
          await Promise.all(SOURCES.map((s) => this.send.get(s)!.sender.setKey(suiteOf(s), kidFor(s, msg.leaf, msg.epoch), msg.baseKey)));
          this.scope.postMessage({ type: 'send-key-active', epoch: msg.epoch });
          // Receivers that had nothing decodable need a key frame under the new key.
          for (const t of this.sendTransformers) if (t.options.kind === 'video') void t.generateKeyFrame?.().catch(() => undefined);
        };
        if (msg.activateAfterMs > 0 && this.hasSendKey) {
          this.activation = setTimeout(() => void activate(), msg.activateAfterMs);
        } else await activate();
        return;
      }
      case 'add-receive-key': {
        const p = this.peer(msg.peerId);
        p.keys.set(msg.epoch, { leaf: msg.leaf, baseKey: msg.baseKey });
        const imported = Promise.all(
          SOURCES.map((s) => p.receivers.get(s)!.addKey(suiteOf(s), kidFor(s, msg.leaf, msg.epoch), msg.baseKey)),
        );
        p.importing = Promise.all([p.importing, imported]).catch(() => undefined);
        await imported;
        if (p.status.video !== 'encrypted') {
          for (const t of p.transformers) if (t.options.kind === 'video') void t.sendKeyFrameRequest?.().catch(() => undefined);
        }
        return;
      }
      case 'drop-receive-keys': {
        const p = this.peers.get(msg.peerId);
        if (!p) return;
        if (msg.epoch === undefined) this.forgetPeer(msg.peerId, p);
        else {
          const k = p.keys.get(msg.epoch);
          if (!k) return;
          p.keys.delete(msg.epoch);
          for (const s of SOURCES) p.receivers.get(s)!.removeKey(kidFor(s, k.leaf, msg.epoch));
        }
        return;
      }
      case 'reset': {
        if (this.activation) clearTimeout(this.activation);
        // clearKey keeps each KID's next counter: a key set again later never reuses a counter.
        for (const c of this.send.values()) c.sender.clearKey();
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
    for (const [epoch, k] of p.keys) for (const s of SOURCES) p.receivers.get(s)!.removeKey(kidFor(s, k.leaf, epoch));
    p.keys.clear();
    p.status = {};
    p.lastGoodAt = {};
    if (p.streams.size === 0) this.peers.delete(peerId);
  }

  /** A new receiver of `peerId`'s `source`: the shared receiver of that source, ready once pending imports settle. */
  private addStream(peerId: string, kind: MediaKind, source: MediaSource): ReceiveStream {
    const p = this.peer(peerId);
    const receiver = p.receivers.get(source)!;
    const stream: ReceiveStream = { kind, crypto: new FrameCrypto({ receiver }), ready: p.importing };
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
    const { kind, peerId, source } = options;
    const stream = options.operation === 'decrypt' && peerId ? this.addStream(peerId, kind, source) : null;
    const transform =
      options.operation === 'encrypt'
        ? createFrameTransform(options, {
            crypto: () => this.send.get(source) ?? null,
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
