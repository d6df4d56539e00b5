import { describe, expect, it } from 'vitest';
import { tileE2ee } from './tile-e2ee.js';

describe('tileE2ee', () => {
  it('shows someone the server shows but the group does not hold as not yet encrypted', () => {
    expect(tileE2ee('not-in-group', undefined)).toEqual({
      state: 'waiting-for-key',
      text: 'Not in the encrypted meeting yet: they get no keys until a member adds them',
    });
    expect(tileE2ee('not-in-group', 'encrypted').state).toBe('waiting-for-key');
  });

  it("trusts a member's frames once they flow, and says when they do not authenticate", () => {
    expect(tileE2ee('member', 'encrypted').state).toBe('encrypted');
    expect(tileE2ee('member', 'cannot-decrypt', 'auth-failed')).toEqual({
      state: 'cannot-decrypt',
      text: 'Cannot decrypt: their frames do not authenticate with this meeting’s keys',
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
});
