/**
 * The media Worker: holds this participant's sender keys and every other
 * participant's receive keys, and runs the frame transform on every sender
 * and receiver the page attaches (RTCRtpScriptTransform, or streams handed
 * over by the createEncodedStreams fallback).
 *
 * Start it from a module Worker with `startMediaWorker(self)`. Keys arrive as
 * messages (../worker-messages.ts); status goes back the same way.
 *
 * Frame origin (docs: design "Origin: frames signed by their sender"): every
 * frame encrypted here goes into an origin batch for the page to sign
 * (origin-batcher.ts); every frame decrypted here is matched against the
 * batches its sender signed, per (peer, source) (origin-tracker.ts), and a
 * source whose origin failed stops being shown once the page turns
 * enforcement on ('origin-enforce').
 *
 * Worker side of the boundary: files in media/worker/ run only in the media
 * Worker and import nothing from media/page/ (worker-boundary.test.ts checks).
 */
import { FrameCrypto, type FrameOrigin } from '../../frame-crypto.js';
import { kidFor, SOURCES } from '../../group/sframe-epoch-keys.js';
import { SFrameReceiver, SFrameSender } from '../../sframe/sframe-context.js';
import { createFrameTransform, type EncodedFrame } from './frame-transformer.js';
import { originHash } from './frame-origin.js';
import { kidOwner } from './kid-owner.js';
import { decodeOriginBatch } from './origin-batch.js';
import { OriginBatcher } from './origin-batcher.js';
import { OriginTracker } from './origin-tracker.js';
import {
  KIND_OF_SOURCE,
  SUITE_FOR_KIND,
  type FromWorker,
  type MediaKind,
  type MediaSource,
  type OriginFailure,
  type OriginStatus,
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

/** How often frames waiting for their origin entry are checked against the deadline. */
const ORIGIN_SWEEP_MS = 100;

export interface MediaWorkerOptions {
  /** Milliseconds on a monotonic clock (default performance.now). */
  now?: () => number;
}

/** Origin batches and entries refused, for diagnostics and tests. */
export interface OriginRefusals {
  /** Batches that did not decode. */
  batches: number;
  /** Entries for a KID that is not the signer's leaf (or no KID of ours at all). */
  entries: number;
}

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
  /** Origin of each source, shared by every receiver of it like its SFrameReceiver. */
  origin: Map<MediaSource, OriginTracker>;
}

export class MediaWorker {
  /** One sender (own KID, key and counters) per source; a new epoch sets all of them. */
  private readonly send = new Map<MediaSource, FrameCrypto>(SOURCES.map((s) => [s, new FrameCrypto({ sender: new SFrameSender() })]));
  private readonly sendTransformers = new Set<ScriptTransformer>();
  private readonly peers = new Map<string, PeerReceive>();
  private sending = false;
  private activation: ReturnType<typeof setTimeout> | null = null;
  private readonly originBatcher = new OriginBatcher((batch) => this.scope.postMessage({ type: 'origin-batch', batch }));
  private enforceOrigin = false;
  private originSweep: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;
  readonly originRefusals: OriginRefusals = { batches: 0, entries: 0 };

  constructor(
    private readonly scope: WorkerScope,
    options: MediaWorkerOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
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
        origin: new Map(),
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
          await Promise.all(
            SOURCES.map((s) => this.send.get(s)!.sender.setKey(suiteOf(s), kidFor(s, msg.leaf, msg.epoch), msg.baseKey, msg.firstCounter)),
          );
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
        const newEpoch = !p.keys.has(msg.epoch);
        p.keys.set(msg.epoch, { leaf: msg.leaf, baseKey: msg.baseKey });
        if (newEpoch) for (const t of p.origin.values()) t.newEpoch();
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
        this.originBatcher.clear();
        for (const [peerId, p] of this.peers) this.forgetPeer(peerId, p);
        this.setSending(false);
        return;
      }
      case 'origin-verified': {
        this.vouch(msg.peerId, msg.leaf, msg.batch);
        return;
      }
      case 'origin-enforce': {
        if (this.enforceOrigin === msg.enforce) return;
        this.enforceOrigin = msg.enforce;
        // Sources held back until now are shown again: their decoders need a key frame.
        if (!msg.enforce) {
          for (const p of this.peers.values()) for (const [source, t] of p.origin) if (!t.showing) this.requestKeyFrame(p, source);
        }
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
    p.origin.clear();
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
            onEncrypted: (origin) => this.originBatcher.add(origin),
          })
        : createFrameTransform(options, {
            crypto: () => stream?.crypto ?? null,
            onReceiveStatus: (status, reason) => peerId && this.reportReceive(peerId, kind, status, reason),
            onDecrypted: (origin) => !peerId || this.admit(peerId, source, origin),
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

  /** How a peer's source stands, and how many of its frames and entries wait for each other (diagnostics). */
  originState(
    peerId: string,
    source: MediaSource,
  ): { status: OriginStatus; reason?: OriginFailure; frames: number; entries: number } | null {
    const t = this.peers.get(peerId)?.origin.get(source);
    return t ? { status: t.status, ...(t.reason ? { reason: t.reason } : {}), ...t.waiting } : null;
  }

  /** The origin tracker of a peer's source, made on first use. */
  private originOf(peerId: string, p: PeerReceive, source: MediaSource): OriginTracker {
    let t = p.origin.get(source);
    if (!t) {
      const tracker = new OriginTracker({
        onChange: (status, reason, resumed) => {
          if (p.origin.get(source) !== tracker) return; // forgotten meanwhile
          this.scope.postMessage({ type: 'origin-status', peerId, source, status, ...(reason ? { reason } : {}) });
          if (resumed && this.enforceOrigin) this.requestKeyFrame(p, source);
        },
      });
      t = tracker;
      p.origin.set(source, t);
    }
    return t;
  }

  /**
   * A frame of `peerId`'s `source` authenticated: records its origin, and
   * says whether to pass it on (not while that source's origin is failed,
   * when enforced). The hash may finish after the frame has gone on.
   */
  private admit(peerId: string, source: MediaSource, origin: FrameOrigin): boolean {
    const p = this.peers.get(peerId);
    if (!p) return !this.enforceOrigin; // its keys were just dropped: nothing to record against
    const t = this.originOf(peerId, p, source);
    const shown = t.showing;
    const at = this.now();
    const { kid, ctr } = origin;
    const hash = originHash(origin);
    if (hash instanceof Uint8Array) t.frame(kid, ctr, hash, at, shown);
    else
      hash.then(
        (h) => t.frame(kid, ctr, h, at, shown),
        () => undefined,
      );
    this.armOriginSweep();
    // A frame found forged on arrival (its entry came first) is not shown either.
    return (shown && t.showing) || !this.enforceOrigin;
  }

  /** A batch the page verified as signed by `leaf` (`peerId`): its entries for that leaf's KIDs cover frames. */
  private vouch(peerId: string, leaf: number, batch: Uint8Array): void {
    let entries;
    try {
      entries = decodeOriginBatch(batch);
    } catch {
      this.originRefusals.batches++;
      return;
    }
    const p = this.peer(peerId);
    const now = this.now();
    for (const e of entries) {
      const owner = kidOwner(e.kid);
      // A member vouches for its own frames only.
      if (!owner || owner.leaf !== leaf) {
        this.originRefusals.entries++;
        continue;
      }
      this.originOf(peerId, p, owner.source).vouch(e.kid, e.ctr, e.hash, now);
    }
    this.armOriginSweep();
  }

  private armOriginSweep(): void {
    this.originSweep ??= setInterval(() => {
      const now = this.now();
      let waiting = 0;
      for (const p of this.peers.values()) {
        for (const t of p.origin.values()) {
          t.sweep(now);
          waiting += t.waiting.frames + t.waiting.entries;
        }
      }
      if (waiting === 0 && this.originSweep !== null) {
        clearInterval(this.originSweep);
        this.originSweep = null;
      }
    }, ORIGIN_SWEEP_MS);
  }

  private requestKeyFrame(p: PeerReceive, source: MediaSource): void {
    for (const t of p.transformers) {
      if (t.options.source === source && t.options.kind === 'video') void t.sendKeyFrameRequest?.().catch(() => undefined);
    }
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

export function startMediaWorker(scope: WorkerScope, options?: MediaWorkerOptions): MediaWorker {
  return new MediaWorker(scope, options);
}
