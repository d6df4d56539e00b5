import { describe, expect, it } from 'vitest';
import { parseRequest } from './envelope.js';
import { ErrorCode } from './errors.js';
import { jsonDepthWithin } from './json-depth.js';
import { MAX_JSON_DEPTH, MAX_RTP_CAPABILITIES_CHARS } from './limits.js';
import { opaqueProblem } from './opaque-json.js';

const request = (method: string, data: unknown) => {
  const raw = JSON.stringify({ type: 'request', id: 9, method, data });
  return parseRequest(raw, Buffer.byteLength(raw));
};
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

describe('jsonDepthWithin', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonDepthWithin('{"a":[1,{"b":2}]}', 3)).toBe(true);
    expect(jsonDepthWithin('{"a":[1,{"b":2}]}', 2)).toBe(false);
    expect(jsonDepthWithin('{"a":"[[[[[[{{{{"}', 1)).toBe(true);
    expect(jsonDepthWithin('{"a":"\\"[[[[[["}', 1)).toBe(true);
    expect(jsonDepthWithin('{"a":"\\\\"}', 1)).toBe(true);
    expect(jsonDepthWithin('[]'.repeat(1000), 1)).toBe(true);
  });

  it('stops at once on absurd depth, even in text that is not JSON', () => {
    const text = '['.repeat(10_000_000);
    const t = performance.now();
    expect(jsonDepthWithin(text, MAX_JSON_DEPTH)).toBe(false);
    expect(performance.now() - t).toBeLessThan(50);
    expect(jsonDepthWithin('{{{{"x', 10)).toBe(true);
  });
});

describe('parseRequest and nesting', () => {
  it('refuses deep frames before parsing, with too_deep', () => {
    const raw = `{"type":"request","id":1,"method":"consume","data":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(parseRequest(raw, raw.length)).toMatchObject({ ok: false, id: null, error: { code: ErrorCode.TooDeep } });
  });

  it('accepts the depth real messages have', () => {
    const caps = {
      codecs: [
        {
          mimeType: 'audio/opus',
          kind: 'audio',
          clockRate: 48000,
          parameters: { useinbandfec: 1 },
          rtcpFeedback: [{ type: 'nack', parameter: '' }],
        },
      ],
      headerExtensions: [],
    };
    expect(request('consume', { producerId: 'p', rtpCapabilities: caps }).ok).toBe(true);
  });
});

describe('opaque mediasoup fields', () => {
  it('refuses one nested too deep for its field, even within the frame depth', () => {
    const r = request('connectTransport', { transportId: 't', dtlsParameters: nested(6) });
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage } });
    if (!r.ok) expect(r.error.message).toContain('dtlsParameters');
  });

  it('refuses oversized and over-wide fields with the reason', () => {
    const big = { codecs: [{ mimeType: 'x'.repeat(MAX_RTP_CAPABILITIES_CHARS) }] };
    const r = request('consume', { producerId: 'p', rtpCapabilities: big });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/rtpCapabilities: larger than/);
    const wide = { headerExtensions: Array.from({ length: 200 }, (_, i) => i) };
    const w = request('consume', { producerId: 'p', rtpCapabilities: wide });
    expect(w.ok).toBe(false);
    if (!w.ok) expect(w.error.message).toMatch(/more than 128 items/);
    const keys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    expect(request('produce', { transportId: 't', kind: 'audio', source: 'mic', rtpParameters: keys }).ok).toBe(false);
  });

  it('bounds a walk of many small values by the size cap', () => {
    const many = { a: Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => 0)) };
    expect(opaqueProblem(many, { maxChars: 1000, maxWidth: 128, maxDepth: 8 })).toMatch(/larger than 1000/);
    expect(opaqueProblem({ a: [1, 'two', null, true, { b: 'c' }] }, { maxChars: 1000, maxWidth: 8, maxDepth: 8 })).toBeNull();
  });
});
