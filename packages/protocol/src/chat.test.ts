import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { MAX_CHAT_SEALED_CHARS } from './limits.js';
import { notification, parseRequest, parseServerMessage } from './envelope.js';

const parse = (data: unknown) => {
  const raw = JSON.stringify({ type: 'request', id: 1, method: 'chatSend', data });
  return parseRequest(raw, Buffer.byteLength(raw));
};

describe('chatSend', () => {
  it('accepts base64url ciphertext up to the limit', () => {
    expect(parse({ message: 'AQID_-' }).ok).toBe(true);
    expect(parse({ message: 'A'.repeat(MAX_CHAT_SEALED_CHARS) }).ok).toBe(true);
  });

  it('refuses empty, oversized, non-base64url and extra fields', () => {
    for (const data of [
      {},
      { message: '' },
      { message: 'A'.repeat(MAX_CHAT_SEALED_CHARS + 1) },
      { message: 'hello world' },
      { message: 42 },
      { message: 'AAAA', text: 'plaintext' },
    ]) {
      expect(parse(data)).toMatchObject({ ok: false, id: 1, error: { code: ErrorCode.BadMessage } });
    }
  });
});

describe('chatMessage', () => {
  it('round-trips, and refuses a missing or non-ISO time', () => {
    const n = notification('chatMessage', { from: 'p1', message: 'AQID', at: '2026-11-21T10:00:00.000Z' });
    expect(parseServerMessage(JSON.stringify(n))).toEqual(n);
    const bad = (data: unknown) => parseServerMessage(JSON.stringify({ type: 'notification', method: 'chatMessage', data }));
    expect(bad({ from: 'p1', message: 'AQID' })).toBeNull();
    expect(bad({ from: 'p1', message: 'AQID', at: 'yesterday' })).toBeNull();
    expect(bad({ from: 'p1', message: '<b>hi</b>', at: '2026-11-21T10:00:00.000Z' })).toBeNull();
  });
});
