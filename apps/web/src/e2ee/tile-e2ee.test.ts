import { describe, expect, it } from 'vitest';
import { originOf, tileE2ee } from './tile-e2ee.js';

describe('tileE2ee', () => {
  it('shows someone the server shows but the group does not hold as not yet encrypted', () => {
    expect(tileE2ee('not-in-group', undefined)).toEqual({
      state: 'waiting-for-key',
      text: 'Not in the encrypted meeting yet: they get no keys until a member adds them',
      origin: 'pending',
    });
    expect(tileE2ee('not-in-group', 'encrypted').state).toBe('waiting-for-key');
  });

  it("trusts a member's frames once they flow, and says when they do not authenticate", () => {
    expect(tileE2ee('member', 'encrypted').state).toBe('encrypted');
    expect(tileE2ee('member', 'cannot-decrypt', 'auth-failed')).toEqual({
      state: 'cannot-decrypt',
      text: 'Cannot decrypt: their frames do not authenticate with this meeting’s keys',
      origin: 'pending',
    });
    expect(tileE2ee('member', 'waiting-for-key').state).toBe('waiting-for-key');
  });

  it('counts a member as encrypted before any frame: we hold their keys', () => {
    expect(tileE2ee('member', undefined).state).toBe('encrypted');
  });

  it('waits while we are being added, and says cannot-decrypt once nobody let us in', () => {
    expect(tileE2ee('member', 'encrypted', undefined, 'joining').state).toBe('waiting-for-key');
    expect(tileE2ee('not-in-group', undefined, undefined, 'refused')).toMatchObject({ state: 'cannot-decrypt' });
    expect(tileE2ee('not-in-group', undefined, undefined, 'refused').text).toMatch(/meeting key/);
  });

  it('says whether frames are shown to be theirs, and why they stopped when not', () => {
    expect(tileE2ee('member', 'encrypted', undefined, 'in-group', { status: 'verified' })).toEqual({
      state: 'encrypted',
      text: 'End-to-end encrypted, signed by them',
      origin: 'verified',
    });
    const forged = tileE2ee('member', 'encrypted', undefined, 'in-group', { status: 'failed', reason: 'forged' });
    expect(forged).toMatchObject({ state: 'encrypted', origin: 'failed' });
    expect(forged.text).toMatch(/did not sign/);
    expect(tileE2ee('member', 'encrypted', undefined, 'in-group', { status: 'failed', reason: 'unsigned' }).text).toMatch(/did not arrive/);
  });

  it("sums up a participant's sources: any failed fails, all verified verifies, else pending", () => {
    expect(originOf([])).toEqual({ status: 'pending' });
    expect(originOf([{ status: 'verified' }, { status: 'pending' }])).toEqual({ status: 'pending' });
    expect(originOf([{ status: 'verified' }, { status: 'verified' }])).toEqual({ status: 'verified' });
    expect(originOf([{ status: 'verified' }, { status: 'failed', reason: 'forged' }])).toEqual({ status: 'failed', reason: 'forged' });
  });
});
