/**
 * Stateful SFrame endpoints for the per-frame hot path (a media Worker):
 *
 * - `SFrameSender` holds one current key (suite, KID, base key). Setting a key
 *   derives and imports its CryptoKeys once; each frame then takes the next
 *   counter of that KID. Counters start at 0 for a new KID and never repeat
 *   within a sender: the counter is taken synchronously when `encrypt` is
 *   called, and a KID set again later resumes where it stopped. With no key
 *   the sender refuses to encrypt (`no-key`) rather than send anything in
 *   clear; past `maxCounter` it refuses (`counter-exhausted`).
 * - `SFrameReceiver` maps KID → imported key + its own replay window. A frame
 *   is refused with `unknown-key`, `replay` or `auth-failed` (all
 *   `SFrameError`s, carrying the KID); the window only records counters of
 *   frames that authenticated.
 *
 * Per frame there is no key derivation or import: one output buffer, what
 * WebCrypto returns, and for CTR+HMAC the HMAC input (see sframe.ts, aead.ts).
 */
import { cipherSuite } from './cipher-suites.js';
import { SFrameError } from './errors.js';
import { decodeHeader, MAX_HEADER_VALUE } from './header.js';
import { ReplayWindow } from './replay-window.js';
import { decryptWithKey, encryptWithKey, type SFramePrefix } from './sframe.js';
import { importSFrameKey, type SFrameKey } from './sframe-key.js';

/** Synchronous argument checks, so a bad call fails before it changes any state. */
function checkKeyArguments(suite: number, kid: bigint, baseKey: Uint8Array): void {
  cipherSuite(suite);
  if (typeof kid !== 'bigint' || kid < 0n || kid > MAX_HEADER_VALUE) {
    throw new SFrameError('invalid-argument', 'KID must be a bigint in [0, 2^64-1]');
  }
  if (!(baseKey instanceof Uint8Array) || baseKey.length === 0) {
    throw new SFrameError('invalid-argument', 'base key must be a non-empty Uint8Array');
  }
}

export interface SFrameSenderOptions {
  /**
   * Highest counter the sender will use for one KID (default 2^64 − 1, the
   * most a header can carry). Lower it to force an earlier key change.
   */
  maxCounter?: bigint;
}

interface SenderState {
  readonly key: SFrameKey;
  next: bigint;
}

export class SFrameSender {
  readonly maxCounter: bigint;
  #current: SenderState | undefined;
  /** Next counter of every KID this sender has used and left. */
  readonly #resume = new Map<bigint, bigint>();
  /** Bumped by every setKey/clearKey, so a slow import cannot undo a later call. */
  #generation = 0;

  constructor(options: SFrameSenderOptions = {}) {
    const max = options.maxCounter ?? MAX_HEADER_VALUE;
    if (typeof max !== 'bigint' || max < 0n || max > MAX_HEADER_VALUE) {
      throw new SFrameError('invalid-argument', 'maxCounter must be a bigint in [0, 2^64-1]');
    }
    this.maxCounter = max;
  }

  /**
   * Makes (suite, kid, baseKey) the current key once it is derived and
   * imported. If another setKey or clearKey is called meanwhile, the later
   * call wins. Frames encrypted before this resolves use the previous key.
   * `firstCounter`: where a KID this sender has not used starts counting
   * (default 0).
   */
  async setKey(suite: number, kid: bigint, baseKey: Uint8Array, firstCounter = 0n): Promise<void> {
    checkKeyArguments(suite, kid, baseKey); // a bad call must not cancel a pending good one
    const generation = ++this.#generation;
    const key = await importSFrameKey(suite, baseKey, kid);
    if (generation !== this.#generation) return;
    const cur = this.#current;
    if (cur) this.#resume.set(cur.key.kid, cur.next);
    this.#current = { key, next: this.#resume.get(kid) ?? firstCounter };
  }

  /** Drops the current key: encrypt refuses until a new key is set. */
  clearKey(): void {
    this.#generation++;
    const cur = this.#current;
    if (cur) this.#resume.set(cur.key.kid, cur.next);
    this.#current = undefined;
  }

  get hasKey(): boolean {
    return this.#current !== undefined;
  }

  /** KID of the current key, if any. */
  get kid(): bigint | undefined {
    return this.#current?.key.kid;
  }

  /** Suite of the current key, if any. */
  get suite(): number | undefined {
    return this.#current?.key.suite.id;
  }

  /** Counter the next frame will carry, if a key is set. */
  get nextCounter(): bigint | undefined {
    return this.#current?.next;
  }

  /**
   * Encrypts one frame under the current key and the next counter; returns
   * header || ciphertext || tag, or with `prefix` one buffer `prefix ||
   * header || ciphertext || tag` (see `encryptWithKey`). The counter is
   * reserved before this method first awaits, so concurrent calls never
   * share one.
   */
  async encrypt(metadata: Uint8Array, plaintext: Uint8Array, prefix?: SFramePrefix): Promise<Uint8Array> {
    const cur = this.#current;
    if (!cur) throw new SFrameError('no-key', 'no sender key set: refusing to send');
    const ctr = cur.next;
    if (ctr > this.maxCounter) {
      throw new SFrameError('counter-exhausted', `counter space of KID ${cur.key.kid} used up: set a new key`, cur.key.kid);
    }
    cur.next = ctr + 1n;
    return encryptWithKey(cur.key, ctr, metadata, plaintext, prefix);
  }
}

export interface SFrameReceiverOptions {
  /** Replay window size per KID (default 128 counters). */
  replayWindow?: number;
}

interface ReceiverEntry {
  readonly key: SFrameKey;
  readonly window: ReplayWindow;
}

export interface DecryptedFrame {
  kid: bigint;
  ctr: bigint;
  /** The plaintext, after the prefix when `decrypt` was given one. */
  plaintext: Uint8Array;
}

export class SFrameReceiver {
  readonly replayWindowSize: number;
  readonly #keys = new Map<bigint, ReceiverEntry>();
  /** Token of the latest addKey per KID still importing; removeKey clears it. */
  readonly #pending = new Map<bigint, number>();
  #tokens = 0;

  constructor(options: SFrameReceiverOptions = {}) {
    this.replayWindowSize = options.replayWindow ?? 128;
    new ReplayWindow(this.replayWindowSize); // validates the size now
  }

  /**
   * Installs the key for `kid` once derived and imported. Replacing the key of
   * a KID keeps that KID's replay window, so re-adding the same key cannot
   * re-open old frames. A removeKey or later addKey for the same KID made
   * meanwhile wins.
   */
  async addKey(suite: number, kid: bigint, baseKey: Uint8Array): Promise<void> {
    checkKeyArguments(suite, kid, baseKey);
    const token = ++this.#tokens;
    this.#pending.set(kid, token);
    let key: SFrameKey;
    try {
      key = await importSFrameKey(suite, baseKey, kid);
    } catch (e) {
      if (this.#pending.get(kid) === token) this.#pending.delete(kid);
      throw e;
    }
    if (this.#pending.get(kid) !== token) return;
    this.#pending.delete(kid);
    const window = this.#keys.get(kid)?.window ?? new ReplayWindow(this.replayWindowSize);
    this.#keys.set(kid, { key, window });
  }

  /**
   * Forgets `kid` (its key and replay window); frames under it become
   * `unknown-key`. Returns whether a key was installed.
   */
  removeKey(kid: bigint): boolean {
    this.#pending.delete(kid);
    return this.#keys.delete(kid);
  }

  hasKey(kid: bigint): boolean {
    return this.#keys.has(kid);
  }

  /** KIDs with an installed key. */
  get kids(): bigint[] {
    return [...this.#keys.keys()];
  }

  /**
   * Authenticates and decrypts one SFrame (header || ciphertext || tag) with
   * `metadata`. With `prefix`, `plaintext` is one buffer `prefix ||
   * plaintext` (see `decryptWithKey`). Throws `SFrameError` with code
   * `truncated`/`malformed-header`, `unknown-key`, `replay` or `auth-failed`.
   */
  async decrypt(metadata: Uint8Array, sframe: Uint8Array, prefix?: Uint8Array): Promise<DecryptedFrame> {
    const header = decodeHeader(sframe, 0);
    const { kid, ctr } = header;
    const entry = this.#keys.get(kid);
    if (!entry) throw new SFrameError('unknown-key', `no key for KID ${kid}`, kid);
    const before = entry.window.check(ctr);
    if (before !== 'fresh') throw new SFrameError('replay', `counter ${ctr} of KID ${kid} is ${before}`, kid);
    const plaintext = await decryptWithKey(entry.key, header, metadata, sframe, prefix);
    const after = entry.window.commit(ctr);
    if (after !== 'fresh') throw new SFrameError('replay', `counter ${ctr} of KID ${kid} is ${after}`, kid);
    return { kid, ctr, plaintext };
  }
}
