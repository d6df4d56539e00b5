import { describe, expect, it } from 'vitest';
import { blobWithDuration, withDuration } from './webm-duration.js';

const bytes = (...parts: Array<number[] | Uint8Array>) => new Uint8Array(parts.flatMap((p) => [...p]));
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
/** An element with a one-byte size (payloads under 127 bytes). */
const el = (id: number[], payload: number[] | Uint8Array) => bytes(id, [0x80 | payload.length], payload);
const f64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return [...b];
};

const EBML_HEADER = el([0x1a, 0x45, 0xdf, 0xa3], bytes(el([0x42, 0x82], ascii('webm'))));
const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const infoWith = (...children: Uint8Array[]) => el([0x15, 0x49, 0xa9, 0x66], bytes(...children));
const TIMECODE_SCALE_MS = el([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]); // 1 000 000 ns
const MUXER = el([0x4d, 0x80], ascii('Chrome'));
const TRACKS = el([0x16, 0x54, 0xae, 0x6b], bytes(el([0xae], [0xd7, 0x81, 0x01])));
const CLUSTER_START = bytes([0x1f, 0x43, 0xb6, 0x75], UNKNOWN_SIZE, [0xe7, 0x81, 0x00], [0xa3, 0x85, 0x81, 0, 0, 0x80, 0x42]);

/** A file as Chrome's MediaRecorder writes it: a Segment of unknown size, Info without a Duration. */
function liveWebm(info = infoWith(TIMECODE_SCALE_MS, MUXER)) {
  return bytes(EBML_HEADER, [0x18, 0x53, 0x80, 0x67], UNKNOWN_SIZE, info, TRACKS, CLUSTER_START);
}

/** Reads back the Duration (in ms, with the file's TimecodeScale) and what follows Info. */
function readDuration(file: Uint8Array): { ms: number; after: Uint8Array } {
  const segmentData = EBML_HEADER.length + 4 + 8;
  expect([...file.subarray(segmentData, segmentData + 4)]).toEqual([0x15, 0x49, 0xa9, 0x66]);
  const sizeByte = file[segmentData + 4]!;
  let size: number;
  let dataAt: number;
  if (sizeByte === 0x01) {
    size = Number(new DataView(file.buffer, file.byteOffset + segmentData + 5, 7).getUint32(3));
    dataAt = segmentData + 12;
  } else {
    size = sizeByte & 0x7f;
    dataAt = segmentData + 5;
  }
  let scale = 1_000_000;
  let ticks = NaN;
  for (let at = dataAt; at < dataAt + size;) {
    const id = file[at] === 0x2a ? 3 : 2;
    const idValue = [...file.subarray(at, at + id)];
    const len = file[at + id]! & 0x7f;
    const payload = file.subarray(at + id + 1, at + id + 1 + len);
    if (idValue.join() === '42,215,177') scale = payload.reduce((v, b) => v * 256 + b, 0);
    if (idValue.join() === '68,137')
      ticks =
        len === 8
          ? new DataView(payload.buffer, payload.byteOffset).getFloat64(0)
          : new DataView(payload.buffer, payload.byteOffset).getFloat32(0);
    at += id + 1 + len;
  }
  return { ms: (ticks * scale) / 1_000_000, after: file.subarray(dataAt + size) };
}

describe('withDuration', () => {
  it("adds a Duration to a live recording's Info and keeps everything after it", () => {
    const file = liveWebm();
    const out = withDuration(file, 4321.5)!;
    expect(out).not.toBeNull();
    expect(out.length).toBe(file.length + 11 + 7); // the Duration element, and Info's size now in 8 bytes
    const { ms, after } = readDuration(out);
    expect(ms).toBeCloseTo(4321.5, 6);
    expect([...after]).toEqual([...TRACKS, ...CLUSTER_START]);
    expect([...out.subarray(0, EBML_HEADER.length)]).toEqual([...EBML_HEADER]);
  });

  it('counts in the file’s own TimecodeScale', () => {
    const microseconds = el([0x2a, 0xd7, 0xb1], [0x03, 0xe8]); // 1000 ns
    const out = withDuration(liveWebm(infoWith(microseconds, MUXER)), 2000)!;
    expect(readDuration(out).ms).toBeCloseTo(2000, 6);
  });

  it('corrects a Duration that is already there, in place', () => {
    const file = liveWebm(infoWith(TIMECODE_SCALE_MS, el([0x44, 0x89], f64(1)), MUXER));
    const out = withDuration(file, 9000)!;
    expect(out.length).toBe(file.length);
    expect(readDuration(out).ms).toBe(9000);
    expect(readDuration(file).ms).toBe(1); // the original is not changed
  });

  it('grows a Segment of known size by what was inserted', () => {
    const info = infoWith(TIMECODE_SCALE_MS, MUXER);
    const body = bytes(info, TRACKS);
    const sized = bytes(EBML_HEADER, [0x18, 0x53, 0x80, 0x67], [0x01, 0, 0, 0, 0, 0, 0, body.length], body);
    const out = withDuration(sized, 1000)!;
    const sizeAt = EBML_HEADER.length + 4;
    const segmentSize = new DataView(out.buffer, out.byteOffset + sizeAt + 1, 7).getUint32(3);
    expect(segmentSize).toBe(out.length - sizeAt - 8);
  });

  it('leaves alone what it does not understand', () => {
    expect(withDuration(new Uint8Array([1, 2, 3, 4]), 1000)).toBeNull();
    expect(withDuration(new Uint8Array(), 1000)).toBeNull();
    expect(withDuration(liveWebm(), 0)).toBeNull();
    expect(withDuration(liveWebm(), Number.NaN)).toBeNull();
    // A SeekHead's offsets would be wrong after an insertion.
    const seekHead = el([0x11, 0x4d, 0x9b, 0x74], [0xec, 0x80]);
    expect(withDuration(bytes(EBML_HEADER, [0x18, 0x53, 0x80, 0x67], UNKNOWN_SIZE, seekHead, infoWith(MUXER)), 1000)).toBeNull();
    // Info cut off by the end of what was read.
    expect(withDuration(liveWebm().subarray(0, EBML_HEADER.length + 16), 1000)).toBeNull();
    // Not a Segment after the header.
    expect(withDuration(bytes(EBML_HEADER, TRACKS), 1000)).toBeNull();
  });
});

describe('blobWithDuration', () => {
  it('patches the start of a file and keeps the rest byte for byte', async () => {
    const tail = new Uint8Array(100_000).map((_, i) => i % 251);
    const blob = new Blob([liveWebm(), tail], { type: 'video/webm' });
    const out = await blobWithDuration(blob, 1500);
    expect(out.type).toBe('video/webm');
    expect(out.size).toBe(blob.size + 18);
    const all = new Uint8Array(await out.arrayBuffer());
    expect(readDuration(all).ms).toBeCloseTo(1500, 6);
    expect([...all.subarray(all.length - 1000)]).toEqual([...tail.subarray(tail.length - 1000)]);
  });

  it('gives back the same blob when it cannot patch it', async () => {
    const blob = new Blob([new Uint8Array([9, 9, 9])]);
    expect(await blobWithDuration(blob, 1000)).toBe(blob);
  });
});
