import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { MAX_MESSAGE_BYTES } from './limits.js';
import { notification, parseRequest, parseServerMessage, responseError, responseOk } from './envelope.js';

const parse = (value: unknown) => {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  return parseRequest(raw, Buffer.byteLength(raw));
};

describe('parseRequest', () => {
  it('accepts a well-formed join and trims the display name', () => {
    const r = parse({ type: 'request', id: 1, method: 'join', data: { roomId: 'abc-123', displayName: '  Ada ' } });
    expect(r).toEqual({ ok: true, request: { id: 1, method: 'join', data: { roomId: 'abc-123', displayName: 'Ada' } } });
  });

  it('rejects invalid JSON without an id', () => {
    const r = parse('{nope');
    expect(r).toMatchObject({ ok: false, id: null, error: { code: ErrorCode.BadJson } });
  });

  it('keeps the id of a malformed envelope so the error can be answered', () => {
    const r = parse({ type: 'request', id: 7 });
    expect(r).toMatchObject({ ok: false, id: 7, error: { code: ErrorCode.BadMessage } });
  });

  it('rejects unknown methods with their own code', () => {
    const r = parse({ type: 'request', id: 3, method: 'launchMissiles', data: {} });
    expect(r).toMatchObject({ ok: false, id: 3, error: { code: ErrorCode.UnknownMethod } });
  });

  it('names the bad field when the data fails its schema', () => {
    const r = parse({ type: 'request', id: 4, method: 'join', data: { roomId: 'a b', displayName: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(ErrorCode.BadMessage);
      expect(r.error.message).toContain('roomId');
    }
  });

  it('rejects unexpected extra fields (strict schemas)', () => {
    const r = parse({ type: 'request', id: 5, method: 'leave', data: { evil: true } });
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage } });
  });

  it('rejects empty and over-long display names', () => {
    expect(parse({ type: 'request', id: 1, method: 'join', data: { roomId: 'abc', displayName: '   ' } }).ok).toBe(false);
    expect(parse({ type: 'request', id: 1, method: 'join', data: { roomId: 'abc', displayName: 'x'.repeat(65) } }).ok).toBe(false);
  });

  it('refuses oversized frames before parsing them', () => {
    const raw = JSON.stringify({ type: 'request', id: 1, method: 'leave', data: {}, pad: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(parseRequest(raw, Buffer.byteLength(raw))).toMatchObject({ ok: false, error: { code: ErrorCode.TooLarge } });
  });

  it('rejects negative, fractional and non-numeric ids', () => {
    for (const id of [-1, 1.5, '1', null]) {
      expect(parse({ type: 'request', id, method: 'leave', data: {} }).ok).toBe(false);
    }
  });

  it('only accepts base64url sealed bytes for E2EE relays', () => {
    expect(parse({ type: 'request', id: 1, method: 'e2eeAnnounce', data: { announcement: 'abc_-9' } }).ok).toBe(true);
    expect(parse({ type: 'request', id: 1, method: 'e2eeAnnounce', data: { announcement: '<script>' } }).ok).toBe(false);
    // Announcements are small (about 300 characters) and every newcomer is sent all of them: capped at 1024.
    expect(parse({ type: 'request', id: 1, method: 'e2eeAnnounce', data: { announcement: 'A'.repeat(1024) } }).ok).toBe(true);
    expect(parse({ type: 'request', id: 1, method: 'e2eeAnnounce', data: { announcement: 'A'.repeat(1025) } }).ok).toBe(false);
  });
});

describe('parseServerMessage', () => {
  it('round-trips responses and notifications', () => {
    expect(parseServerMessage(JSON.stringify(responseOk(2, { a: 1 })))).toEqual({ type: 'response', id: 2, ok: true, data: { a: 1 } });
    const err = responseError(3, { code: ErrorCode.NotFound, message: 'no such transport' });
    expect(parseServerMessage(JSON.stringify(err))).toEqual(err);
    const n = notification('peerLeft', { peerId: 'p1' });
    expect(parseServerMessage(JSON.stringify(n))).toEqual(n);
  });

  it('returns null for unknown notifications and bad data', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'notification', method: 'nope', data: {} }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'notification', method: 'peerLeft', data: {} }))).toBeNull();
    expect(parseServerMessage('garbage')).toBeNull();
  });
});
