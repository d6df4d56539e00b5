/**
 * A sliding replay window over 64-bit SFrame counters (one per KID).
 *
 * It remembers the highest counter accepted so far and, as a ring bitmap, which
 * of the `size` counters just below it were seen. A counter is fresh when it is
 * above the highest, or inside the window and not yet seen; a duplicate or a
 * counter `size` or more below the highest is refused.
 *
 * `check` only looks; `commit` records. A receiver checks before decrypting
 * (cheap early refusal) and commits only after the frame authenticated, so a
 * forged frame can never move the window. `commit` re-checks, so two copies of
 * one frame decrypted concurrently still yield one acceptance.
 */

/** Outcome of a window test. */
export type ReplayStatus = 'fresh' | 'duplicate' | 'too-old';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class ReplayWindow {
  /** How many counters below the highest are tracked. */
  readonly size: number;
  readonly #sizeN: bigint;
  readonly #bits: Uint32Array;
  /** Highest committed counter; -1 before the first commit. */
  #top = -1n;

  constructor(size = 128) {
    if (!Number.isInteger(size) || size < 1 || size > 1 << 16) {
      throw new RangeError('replay window size must be an integer in [1, 65536]');
    }
    this.size = size;
    this.#sizeN = BigInt(size);
    this.#bits = new Uint32Array(Math.ceil(size / 32));
  }

  /** The highest counter committed so far, or undefined. */
  get highest(): bigint | undefined {
    return this.#top < 0n ? undefined : this.#top;
  }

  #slot(ctr: bigint): number {
    return ctr <= SAFE ? Number(ctr) % this.size : Number(ctr % this.#sizeN);
  }

  #isSet(slot: number): boolean {
    return (this.#bits[slot >>> 5]! & (1 << (slot & 31))) !== 0;
  }

  /** Whether `ctr` would be accepted now. Records nothing. */
  check(ctr: bigint): ReplayStatus {
    if (ctr < 0n) return 'too-old';
    if (ctr > this.#top) return 'fresh';
    if (this.#top - ctr >= this.#sizeN) return 'too-old';
    return this.#isSet(this.#slot(ctr)) ? 'duplicate' : 'fresh';
  }

  /**
   * Records `ctr` as accepted if it is fresh. Returns the status it had:
   * anything but 'fresh' means nothing was recorded.
   */
  commit(ctr: bigint): ReplayStatus {
    const status = this.check(ctr);
    if (status !== 'fresh') return status;
    if (ctr > this.#top) {
      const advance = ctr - this.#top;
      if (this.#top < 0n || advance >= this.#sizeN) {
        this.#bits.fill(0);
      } else {
        // Forget the slots that the counters top+1 .. ctr now reuse.
        let slot = this.#slot(this.#top + 1n);
        for (let n = Number(advance); n > 0; n--) {
          this.#bits[slot >>> 5]! &= ~(1 << (slot & 31));
          slot = slot + 1 === this.size ? 0 : slot + 1;
        }
      }
      this.#top = ctr;
    }
    const slot = this.#slot(ctr);
    this.#bits[slot >>> 5]! |= 1 << (slot & 31);
    return 'fresh';
  }

  /** Forgets everything (e.g. when a KID's key is replaced). */
  reset(): void {
    this.#top = -1n;
    this.#bits.fill(0);
  }
}
