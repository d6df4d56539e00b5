import { describe, expect, it } from 'vitest';
import { tileE2ee } from './tile-e2ee.js';

describe('tileE2ee', () => {
  it('shows a different meeting key as cannot-decrypt, whatever the frames do', () => {
    expect(tileE2ee('unverified', undefined).state).toBe('cannot-decrypt');
    expect(tileE2ee('unverified', 'waiting-for-key').text).toMatch(/meeting key is different/);
    expect(tileE2ee('invalid', 'encrypted').state).toBe('cannot-decrypt');
  });

  it('trusts the frames once they flow', () => {
    expect(tileE2ee('verified', 'encrypted').state).toBe('encrypted');
    expect(tileE2ee('verified', 'cannot-decrypt', 'auth-failed')).toEqual({
      state: 'cannot-decrypt',
      text: 'Cannot decrypt: their frames do not authenticate with the key we hold',
    });
  });

  it('waits while keys are missing', () => {
    expect(tileE2ee('unknown', undefined).state).toBe('waiting-for-key');
    expect(tileE2ee('waiting-for-key', undefined).state).toBe('waiting-for-key');
    expect(tileE2ee('verified', 'waiting-for-key').state).toBe('waiting-for-key');
  });

  it('counts a verified member whose key we hold as encrypted before any frame', () => {
    expect(tileE2ee('verified', undefined).state).toBe('encrypted');
  });
});
