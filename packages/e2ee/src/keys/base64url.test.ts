import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.js';
import { sodiumReady } from './sodium.js';

beforeAll(() => sodiumReady());

describe('base64url', () => {
  it('round-trips without padding and with the URL-safe alphabet', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 1, 2]);
    const text = toBase64url(bytes);
    expect(text).toBe('-__-AQI');
    expect(fromBase64url(text)).toEqual(bytes);
  });

  it('rejects other alphabets', () => {
    expect(() => fromBase64url('+/+/')).toThrow();
  });
});
