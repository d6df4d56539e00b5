/**
 * Sender side of frame origin: collects (KID, CTR, origin hash) of every
 * frame this Worker encrypts, of every source, and hands the page one batch
 * (origin-batch.ts) ORIGIN_BATCH_MS after the batch's first entry, or as
 * soon as it holds ORIGIN_BATCH_MAX_ENTRIES. The page signs the bytes and
 * relays them to the receivers.
 *
 * Off the frame's path: `add` reads the frame's bytes and returns; the entry
 * joins the batch when its hash is ready (at once for small frames,
 * frame-origin.ts).
 */
import type { FrameOrigin } from '../../frame-crypto.js';
import { ORIGIN_BATCH_MAX_ENTRIES, ORIGIN_BATCH_MS } from '../worker-messages.js';
import { originHash } from './frame-origin.js';
import { encodeOriginBatch, type OriginEntry } from './origin-batch.js';

export type OriginHashFn = (origin: FrameOrigin) => Uint8Array | Promise<Uint8Array>;

export class OriginBatcher {
  #entries: OriginEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by `clear`, so hashes still pending from before it are not added after. */
  #generation = 0;

  constructor(
    private readonly post: (batch: Uint8Array) => void,
    private readonly hash: OriginHashFn = originHash,
  ) {}

  /** Records one encrypted frame. Reads `origin` before it returns. */
  add(origin: FrameOrigin): void {
    const { kid, ctr } = origin;
    const hash = this.hash(origin);
    if (hash instanceof Uint8Array) return this.#push({ kid, ctr, hash });
    const generation = this.#generation;
    hash.then(
      (h) => generation === this.#generation && this.#push({ kid, ctr, hash: h }),
      () => undefined, // no entry: receivers will see the frame as unsigned, which is what it is
    );
  }

  /** Hands the page what is collected, if anything. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#entries.length === 0) return;
    const batch = encodeOriginBatch(this.#entries);
    this.#entries = [];
    this.post(batch);
  }

  /** Forgets what is collected and any hash still being computed. */
  clear(): void {
    this.#generation++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#entries = [];
  }

  #push(entry: OriginEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length >= ORIGIN_BATCH_MAX_ENTRIES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), ORIGIN_BATCH_MS);
  }
}
