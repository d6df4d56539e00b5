/**
 * The bytes of an origin batch: (KID, CTR, origin hash) for each of a
 * sender's recent frames. The sender's Worker encodes them, the page signs
 * and relays these bytes as they are, and each receiver's Worker decodes
 * them once its page has checked the signature.
 *
 *     batch = version (1 byte, 1) || run+
 *     run   = KID (8 bytes) || first CTR (8 bytes) || n (1 byte, 1..64) || n × hash (16 bytes)
 *
 * Integers are big-endian. A run covers the consecutive counters first CTR …
 * first CTR + n − 1 of one KID, so a sender's usual batch (each source's
 * counters in a row) costs 17 bytes per source plus 16 per frame. Runs are
 * in increasing (KID, CTR) order and do not touch or overlap, so each batch
 * has one encoding; at most ORIGIN_BATCH_MAX_ENTRIES entries in all.
 * Anything else is refused (`OriginBatchError`), never half-read.
 */
import { ORIGIN_BATCH_MAX_ENTRIES } from '../worker-messages.js';

export const ORIGIN_BATCH_VERSION = 1;
export const ORIGIN_HASH_BYTES = 16;
const RUN_HEAD_BYTES = 8 + 8 + 1;
const MAX_U64 = (1n << 64n) - 1n;

export interface OriginEntry {
  kid: bigint;
  ctr: bigint;
  /** The first ORIGIN_HASH_BYTES of the frame's origin hash (frame-origin.ts). */
  hash: Uint8Array;
}

export class OriginBatchError extends Error {
  override readonly name = 'OriginBatchError';
}

function checkEntry(e: OriginEntry): void {
  if (typeof e.kid !== 'bigint' || e.kid < 0n || e.kid > MAX_U64) throw new OriginBatchError('KID out of range');
  if (typeof e.ctr !== 'bigint' || e.ctr < 0n || e.ctr > MAX_U64) throw new OriginBatchError('CTR out of range');
  if (!(e.hash instanceof Uint8Array) || e.hash.length !== ORIGIN_HASH_BYTES) throw new OriginBatchError('hash must be 16 bytes');
}

const compare = (a: OriginEntry, b: OriginEntry) =>
  a.kid !== b.kid ? (a.kid < b.kid ? -1 : 1) : a.ctr < b.ctr ? -1 : a.ctr > b.ctr ? 1 : 0;

/** Encodes 1..ORIGIN_BATCH_MAX_ENTRIES entries, in any order (the same (KID, CTR) twice is refused). */
export function encodeOriginBatch(entries: readonly OriginEntry[]): Uint8Array {
  if (entries.length === 0 || entries.length > ORIGIN_BATCH_MAX_ENTRIES) {
    throw new OriginBatchError(`a batch holds 1 to ${ORIGIN_BATCH_MAX_ENTRIES} entries, not ${entries.length}`);
  }
  entries.forEach(checkEntry);
  const sorted = [...entries].sort(compare);
  // Runs: [start, end) into sorted.
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const e = sorted[i]!;
    if (prev && prev.kid === e.kid && prev.ctr === e.ctr) throw new OriginBatchError(`KID ${e.kid} CTR ${e.ctr} listed twice`);
    if (prev && prev.kid === e.kid && prev.ctr + 1n === e.ctr) runs[runs.length - 1]![1] = i + 1;
    else runs.push([i, i + 1]);
  }
  const out = new Uint8Array(1 + runs.length * RUN_HEAD_BYTES + sorted.length * ORIGIN_HASH_BYTES);
  const view = new DataView(out.buffer);
  out[0] = ORIGIN_BATCH_VERSION;
  let at = 1;
  for (const [start, end] of runs) {
    view.setBigUint64(at, sorted[start]!.kid);
    view.setBigUint64(at + 8, sorted[start]!.ctr);
    out[at + 16] = end - start;
    at += RUN_HEAD_BYTES;
    for (let i = start; i < end; i++, at += ORIGIN_HASH_BYTES) out.set(sorted[i]!.hash, at);
  }
  return out;
}

/**
 * Decodes a batch; the entries' hashes are views into `bytes`. Throws
 * `OriginBatchError` on anything `encodeOriginBatch` would not have written.
 */
export function decodeOriginBatch(bytes: Uint8Array): OriginEntry[] {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new OriginBatchError('empty batch');
  if (bytes[0] !== ORIGIN_BATCH_VERSION) throw new OriginBatchError(`unknown batch version ${bytes[0]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: OriginEntry[] = [];
  let at = 1;
  let last: OriginEntry | undefined;
  while (at < bytes.length) {
    if (bytes.length - at < RUN_HEAD_BYTES) throw new OriginBatchError('truncated run');
    const kid = view.getBigUint64(at);
    const first = view.getBigUint64(at + 8);
    const n = bytes[at + 16]!;
    at += RUN_HEAD_BYTES;
    if (n === 0) throw new OriginBatchError('empty run');
    if (entries.length + n > ORIGIN_BATCH_MAX_ENTRIES) throw new OriginBatchError(`more than ${ORIGIN_BATCH_MAX_ENTRIES} entries`);
    if (first + BigInt(n - 1) > MAX_U64) throw new OriginBatchError('run passes the largest CTR');
    // In order, apart, and not adjacent to the previous run (which would have been one run).
    if (last && (kid < last.kid || (kid === last.kid && first <= last.ctr + 1n))) throw new OriginBatchError('runs out of order');
    if (bytes.length - at < n * ORIGIN_HASH_BYTES) throw new OriginBatchError('truncated hashes');
    for (let i = 0; i < n; i++, at += ORIGIN_HASH_BYTES) {
      last = { kid, ctr: first + BigInt(i), hash: bytes.subarray(at, at + ORIGIN_HASH_BYTES) };
      entries.push(last);
    }
  }
  if (entries.length === 0) throw new OriginBatchError('no entries');
  return entries;
}
