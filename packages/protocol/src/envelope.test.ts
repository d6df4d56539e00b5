import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import {
  MAX_ADMIT_MESSAGE_CHARS,
  MAX_PAKE_MESSAGE_CHARS,
  MAX_GROUP_CHANGES,
  MAX_GROUP_COMMIT_CHARS,
  MAX_GROUP_WELCOME_CHARS,
  MAX_KEY_PACKAGE_CHARS,
  MAX_MESSAGE_BYTES,
} from './limits.js';
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

  it('only accepts base64url MLS handshake bytes, each within its cap', () => {
    const join = (keyPackage: string, pake = 'cHJvb2Y') =>
      parse({ type: 'request', id: 1, method: 'groupJoin', data: { keyPackage, pake } });
    expect(join('abc_-9').ok).toBe(true);
    expect(join('<script>').ok).toBe(false);
    expect(join('').ok).toBe(false);
    expect(join('A'.repeat(MAX_KEY_PACKAGE_CHARS)).ok).toBe(true);
    expect(join('A'.repeat(MAX_KEY_PACKAGE_CHARS + 1)).ok).toBe(false);
    expect(join('QQ', 'A'.repeat(MAX_PAKE_MESSAGE_CHARS)).ok).toBe(true);
    expect(join('QQ', 'A'.repeat(MAX_PAKE_MESSAGE_CHARS + 1)).ok).toBe(false);
    expect(join('QQ', '').ok).toBe(false);

    const admit = (data: Record<string, unknown>) =>
      parse({ type: 'request', id: 3, method: 'groupAdmit', data: { to: 'p1', message: 'AQ', ...data } });
    expect(admit({}).ok).toBe(true);
    expect(admit({ message: 'A'.repeat(MAX_ADMIT_MESSAGE_CHARS) }).ok).toBe(true);
    expect(admit({ message: 'A'.repeat(MAX_ADMIT_MESSAGE_CHARS + 1) }).ok).toBe(false);
    expect(admit({ message: 'a+b' }).ok).toBe(false);
    expect(admit({ to: '' }).ok).toBe(false);
    expect(admit({ extra: 1 }).ok).toBe(false);

    const commit = (data: Record<string, unknown>) =>
      parse({ type: 'request', id: 2, method: 'groupCommit', data: { epoch: 0, commit: 'Yw', ...data } });
    expect(commit({ commit: 'A'.repeat(MAX_GROUP_COMMIT_CHARS) }).ok).toBe(true);
    expect(commit({ commit: 'A'.repeat(MAX_GROUP_COMMIT_CHARS + 1) }).ok).toBe(false);
    expect(commit({ commit: 'a+b/' }).ok).toBe(false);
    expect(commit({ welcome: 'A'.repeat(MAX_GROUP_WELCOME_CHARS) }).ok).toBe(true);
    expect(commit({ welcome: 'A'.repeat(MAX_GROUP_WELCOME_CHARS + 1) }).ok).toBe(false);
    expect(commit({ epoch: -1 }).ok).toBe(false);
    expect(commit({ epoch: 1.5 }).ok).toBe(false);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    expect(commit({ added: ids(MAX_GROUP_CHANGES), removed: ids(MAX_GROUP_CHANGES) }).ok).toBe(true);
    expect(commit({ added: ids(MAX_GROUP_CHANGES + 1) }).ok).toBe(false);
    expect(commit({ removed: ids(MAX_GROUP_CHANGES + 1) }).ok).toBe(false);
  });

  it('fills in empty added and removed lists on a commit that names nobody', () => {
    expect(parse({ type: 'request', id: 1, method: 'groupCommit', data: { epoch: 3, commit: 'Yw' } })).toEqual({
      ok: true,
      request: { id: 1, method: 'groupCommit', data: { epoch: 3, commit: 'Yw', added: [], removed: [] } },
    });
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

  it('carries the winning epoch on a stale_epoch error, and nothing but a whole non-negative one', () => {
    const stale = responseError(5, { code: ErrorCode.StaleEpoch, message: 'epoch 2 is over', epoch: 3 });
    expect(parseServerMessage(JSON.stringify(stale))).toEqual(stale);
    for (const epoch of [-1, 2.5, '3']) {
      const bad = { type: 'response', id: 5, ok: false, error: { code: ErrorCode.StaleEpoch, message: 'x', epoch } };
      expect(parseServerMessage(JSON.stringify(bad))).toBeNull();
    }
  });

  it('parses the Delivery Service notifications', () => {
    const request = { peerId: 'p2', keyPackage: 'a2V5', pake: 'cGFrZQ' };
    for (const n of [
      notification('groupJoinRequest', request),
      notification('groupAdmit', { from: 'p1', message: 'AQ' }),
      notification('groupMessage', { from: 'p1', message: 'b3JpZ2lu' }),
      notification('groupCommit', { from: 'p1', epoch: 0, commit: 'Yw' }),
      notification('groupWelcome', { from: 'p1', epoch: 1, welcome: 'dw' }),
      notification('groupFound', { waiting: [request] }),
    ]) {
      expect(parseServerMessage(JSON.stringify(n))).toEqual(n);
    }
    expect(
      parseServerMessage(JSON.stringify({ type: 'notification', method: 'groupCommit', data: { from: 'p1', epoch: 0, commit: '' } })),
    ).toBeNull();
  });

  it('returns null for unknown notifications and bad data', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'notification', method: 'nope', data: {} }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'notification', method: 'peerLeft', data: {} }))).toBeNull();
    expect(parseServerMessage('garbage')).toBeNull();
  });
});
