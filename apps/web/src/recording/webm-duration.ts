/**
 * Writes a recording's length into its WebM file. MediaRecorder writes WebM
 * as a live stream, without a Duration, so players show no length and
 * cannot seek; this adds the Duration element to the Segment's Info (or
 * corrects one that is there). Only the first bytes of the file are touched.
 *
 * A file laid out differently than expected (no EBML header, Info not near
 * the start, a SeekHead whose offsets the insertion would break) is left as
 * it is: `withDuration` answers null.
 */

const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
} as const;

/** How many bytes from the start of a file withDuration needs to see. */
export const WEBM_HEAD_BYTES = 64 * 1024;

interface Element {
  id: number;
  /** Where the size field starts, and its length in bytes. */
  sizeAt: number;
  sizeLength: number;
  size: number;
  /** All size bits set: "unknown size" (a live stream's Segment). */
  unknown: boolean;
  dataAt: number;
}

/** The length of a variable-size integer from its first byte (1–8), or 0 for an invalid one. */
function vintLength(first: number): number {
  for (let length = 1; length <= 8; length += 1) if (first & (0x80 >> (length - 1))) return length;
  return 0;
}

function readElement(b: Uint8Array, at: number): Element | null {
  const idLength = vintLength(b[at] ?? 0);
  if (idLength === 0 || idLength > 4 || at + idLength > b.length) return null;
  let id = 0;
  for (let i = 0; i < idLength; i += 1) id = id * 256 + b[at + i]!;
  const sizeAt = at + idLength;
  const sizeLength = vintLength(b[sizeAt] ?? 0);
  if (sizeLength === 0 || sizeAt + sizeLength > b.length) return null;
  const firstBits = b[sizeAt]! & (0xff >> sizeLength);
  let size = firstBits;
  let unknown = firstBits === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i += 1) {
    const byte = b[sizeAt + i]!;
    size = size * 256 + byte;
    if (byte !== 0xff) unknown = false;
  }
  return { id, sizeAt, sizeLength, size, unknown, dataAt: sizeAt + sizeLength };
}

/** `value` as an EBML size of exactly `length` bytes, or null if it does not fit. */
function encodeSize(value: number, length: number): Uint8Array | null {
  // All ones is reserved for "unknown"; the largest size is one less.
  if (value < 0 || value >= 2 ** (7 * length) - 1) return null;
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i -= 1) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[0]! |= 0x80 >> (length - 1);
  return out;
}

function readUint(b: Uint8Array, at: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i += 1) v = v * 256 + b[at + i]!;
  return v;
}

function float64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value);
  return out;
}

/**
 * The file's first bytes (`head`, at least up to the end of its Info) with
 * the duration written in, or null when the layout is not one this handles.
 */
export function withDuration(head: Uint8Array, durationMs: number): Uint8Array | null {
  if (!(durationMs > 0) || !Number.isFinite(durationMs)) return null;
  const ebml = readElement(head, 0);
  if (!ebml || ebml.id !== ID.EBML || ebml.unknown) return null;
  const segment = readElement(head, ebml.dataAt + ebml.size);
  if (!segment || segment.id !== ID.Segment) return null;
  for (let at = segment.dataAt; at < head.length;) {
    const el = readElement(head, at);
    if (!el || el.unknown || el.id === ID.SeekHead) return null;
    const end = el.dataAt + el.size;
    if (el.id !== ID.Info) {
      at = end;
      continue;
    }
    if (end > head.length) return null;
    let scale = 1_000_000;
    let existing: Element | null = null;
    for (let c = el.dataAt; c < end;) {
      const child = readElement(head, c);
      if (!child || child.unknown || child.dataAt + child.size > end) return null;
      if (child.id === ID.TimecodeScale) scale = readUint(head, child.dataAt, child.size) || scale;
      if (child.id === ID.Duration) existing = child;
      c = child.dataAt + child.size;
    }
    const ticks = (durationMs * 1_000_000) / scale;
    if (existing) {
      if (existing.size !== 8 && existing.size !== 4) return null;
      const out = head.slice();
      const view = new DataView(out.buffer, out.byteOffset + existing.dataAt, existing.size);
      if (existing.size === 8) view.setFloat64(0, ticks);
      else view.setFloat32(0, ticks);
      return out;
    }
    // Duration: ID 0x4489, size 8, a 64-bit float.
    const duration = new Uint8Array([0x44, 0x89, 0x88, ...float64(ticks)]);
    const infoSize = encodeSize(el.size + duration.length, 8)!;
    const out = new Uint8Array(head.length - el.sizeLength + infoSize.length + duration.length);
    let o = 0;
    const put = (bytes: Uint8Array) => {
      out.set(bytes, o);
      o += bytes.length;
    };
    put(head.subarray(0, el.sizeAt));
    put(infoSize);
    put(head.subarray(el.dataAt, end));
    put(duration);
    put(head.subarray(end));
    if (!segment.unknown) {
      const grown = encodeSize(segment.size + out.length - head.length, segment.sizeLength);
      if (!grown) return null;
      out.set(grown, segment.sizeAt);
    }
    return out;
  }
  return null;
}

/** The recording with its duration written in, or the recording as it was when that cannot be done. */
export async function blobWithDuration(blob: Blob, durationMs: number): Promise<Blob> {
  const head = new Uint8Array(await blob.slice(0, WEBM_HEAD_BYTES).arrayBuffer());
  const patched = withDuration(head, durationMs);
  return patched ? new Blob([patched as BlobPart, blob.slice(head.length)], { type: blob.type }) : blob;
}
