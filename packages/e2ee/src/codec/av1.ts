/**
 * AV1 framing for frames in the low-overhead bitstream format: a sequence of
 * OBUs, each `header (1 byte) [extension (1 byte)] leb128(size) payload`.
 *
 * Clear: every OBU before the first OBU that carries frame data (temporal
 * delimiter, sequence header, metadata, padding…), plus the header byte(s) of
 * that first frame-data OBU (types FRAME_HEADER 3, TILE_GROUP 4, FRAME 6,
 * REDUNDANT_FRAME_HEADER 7, TILE_LIST 8). Payload: everything after those
 * header bytes, starting with the OBU's original leb128 size, to the end of
 * the frame.
 *
 * On the wire, that OBU's size field is rewritten as leb128(length of the
 * SFrame), followed by the SFrame, so the frame still parses as OBUs. The
 * metadata is the clear bytes (which do not include the rewritten size).
 *
 * OBUs before the first frame-data OBU and that OBU itself must have
 * obu_has_size_field = 1; otherwise the frame is refused as `unsupported`.
 */
import { concatBytes } from './bytes.js';
import { CodecError } from './errors.js';
import type { CodecFraming, ParsedFrame, SplitFrame } from './framing.js';
import { leb128Size, readLeb128, writeLeb128 } from './leb128.js';

export const AV1_OBU_SEQUENCE_HEADER = 1;
export const AV1_OBU_TEMPORAL_DELIMITER = 2;
export const AV1_OBU_FRAME_HEADER = 3;
export const AV1_OBU_TILE_GROUP = 4;
export const AV1_OBU_METADATA = 5;
export const AV1_OBU_FRAME = 6;
export const AV1_OBU_REDUNDANT_FRAME_HEADER = 7;
export const AV1_OBU_TILE_LIST = 8;
export const AV1_OBU_PADDING = 15;

const FRAME_DATA_TYPES =
  (1 << AV1_OBU_FRAME_HEADER) |
  (1 << AV1_OBU_TILE_GROUP) |
  (1 << AV1_OBU_FRAME) |
  (1 << AV1_OBU_REDUNDANT_FRAME_HEADER) |
  (1 << AV1_OBU_TILE_LIST);

/** Whether OBUs of `type` carry frame data (and so are encrypted). */
export function isFrameDataObu(type: number): boolean {
  return ((FRAME_DATA_TYPES >>> type) & 1) === 1;
}

export interface ObuHeader {
  type: number;
  /** 1, or 2 with the extension byte. */
  headerLength: number;
  hasSize: boolean;
}

/** Reads the OBU header at `offset`. */
export function readObuHeader(frame: Uint8Array, offset: number): ObuHeader {
  if (offset >= frame.length) throw new CodecError('truncated', 'OBU header runs past the end of the frame');
  const b = frame[offset]!;
  if ((b & 0x80) !== 0) throw new CodecError('malformed', 'OBU forbidden bit is set');
  const headerLength = (b & 0x04) !== 0 ? 2 : 1;
  if (offset + headerLength > frame.length) {
    throw new CodecError('truncated', 'OBU extension header runs past the end of the frame');
  }
  return { type: (b >>> 3) & 0x0f, headerLength, hasSize: (b & 0x02) !== 0 };
}

interface FrameObu {
  /** Offset of the first frame-data OBU. */
  offset: number;
  header: ObuHeader;
}

/** Walks the OBUs before the first frame-data OBU, checking each fits in the frame. */
function findFirstFrameObu(frame: Uint8Array): FrameObu {
  let offset = 0;
  while (offset < frame.length) {
    const header = readObuHeader(frame, offset);
    if (!header.hasSize) {
      throw new CodecError('unsupported', `OBU of type ${header.type} has no size field`);
    }
    if (isFrameDataObu(header.type)) return { offset, header };
    const size = readLeb128(frame, offset + header.headerLength);
    const end = offset + header.headerLength + size.length + size.value;
    if (end > frame.length) throw new CodecError('truncated', `OBU of type ${header.type} runs past the end of the frame`);
    offset = end;
  }
  throw new CodecError('unsupported', 'AV1 frame has no OBU carrying frame data');
}

/** Checks that the OBUs from `offset` to the end are well formed (the last may lack a size). */
function checkObus(frame: Uint8Array, offset: number): void {
  while (offset < frame.length) {
    const header = readObuHeader(frame, offset);
    if (!header.hasSize) return; // extends to the end of the frame
    const size = readLeb128(frame, offset + header.headerLength);
    const end = offset + header.headerLength + size.length + size.value;
    if (end > frame.length) throw new CodecError('truncated', `OBU of type ${header.type} runs past the end of the frame`);
    offset = end;
  }
}

export const AV1_FRAMING: CodecFraming = Object.freeze({
  codec: 'AV1',
  split(frame: Uint8Array): SplitFrame {
    const { offset, header } = findFirstFrameObu(frame);
    checkObus(frame, offset);
    const cut = offset + header.headerLength;
    return { clear: frame.subarray(0, cut), payload: frame.subarray(cut) };
  },
  join(clear: Uint8Array, sframe: Uint8Array): Uint8Array {
    const sizeLen = leb128Size(sframe.length);
    const out = new Uint8Array(clear.length + sizeLen + sframe.length);
    out.set(clear, 0);
    writeLeb128(sframe.length, out, clear.length);
    out.set(sframe, clear.length + sizeLen);
    return out;
  },
  joinHead(clear: Uint8Array, sframeLength: number): Uint8Array {
    const head = new Uint8Array(clear.length + leb128Size(sframeLength));
    head.set(clear, 0);
    writeLeb128(sframeLength, head, clear.length);
    return head;
  },
  finishJoin(joined: Uint8Array): Uint8Array {
    return joined;
  },
  parse(frame: Uint8Array): ParsedFrame {
    const { offset, header } = findFirstFrameObu(frame);
    const cut = offset + header.headerLength;
    const size = readLeb128(frame, cut);
    const start = cut + size.length;
    const end = start + size.value;
    if (end > frame.length) throw new CodecError('truncated', 'SFrame OBU runs past the end of the frame');
    if (end < frame.length) throw new CodecError('malformed', 'bytes after the SFrame OBU');
    return { clear: frame.subarray(0, cut), sframe: frame.subarray(start, end) };
  },
  restore(clear: Uint8Array, payload: Uint8Array): Uint8Array {
    return concatBytes(clear, payload);
  },
});
