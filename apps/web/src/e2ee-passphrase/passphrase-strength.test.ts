import { describe, expect, it } from 'vitest';
import { PASSPHRASE_LONG_LENGTH, PASSPHRASE_MIN_LENGTH, passphraseStrength } from './passphrase-strength.js';

const ok = (p: string) => passphraseStrength(p).ok;

describe('passphraseStrength', () => {
  it('accepts 12 characters with 3 of the 4 kinds', () => {
    expect(ok('Tr0ub4dor&3x')).toBe(true);
    expect(ok('Harbour-lamp9')).toBe(true);
    expect(ok('harbour-lamp9')).toBe(true); // lower, symbol, digit
    expect(passphraseStrength('Tr0ub4dor&3x').kinds).toEqual(['lower', 'upper', 'digit', 'symbol']);
  });

  it('refuses 12 or more characters with only 2 kinds, and says which kinds would do', () => {
    const s = passphraseStrength('harbourlamp9');
    expect(s.ok).toBe(false);
    expect(s.counted).toBe(12);
    expect(s.problem).toMatch(/add one more kind of character \(upper-case letters or symbols\)/);
    expect(s.problem).toMatch(new RegExp(`at least ${PASSPHRASE_LONG_LENGTH} characters`));
  });

  it('refuses 11 characters even with all 4 kinds', () => {
    const s = passphraseStrength('Tr0ub4dor&3');
    expect(s.ok).toBe(false);
    expect(s.problem).toMatch(new RegExp(`at least ${PASSPHRASE_MIN_LENGTH} characters`));
    expect(s.problem).toMatch(/\(11 so far\)/);
  });

  it('accepts 20 characters of anything, such as a few words, and refuses 19', () => {
    expect(ok('quiet little harbour')).toBe(true); // 20
    expect(ok('quiet littl harbour')).toBe(false); // 19, lower-case only
    expect(ok('correct horse battery staple')).toBe(true);
  });

  it('has nothing to say about an empty field, which is still not ok', () => {
    expect(passphraseStrength('')).toMatchObject({ ok: false, problem: null, typed: 0 });
    expect(passphraseStrength('   ')).toMatchObject({ ok: false, problem: null, typed: 0 });
  });

  it('does not count spaces at either end', () => {
    expect(passphraseStrength('  Tr0ub4dor&3  ').typed).toBe(11);
    expect(ok('  Tr0ub4dor&3  ')).toBe(false);
  });

  it('counts code points, not UTF-16 units, and letters without case as lower-case', () => {
    expect(passphraseStrength('🙂🙂').typed).toBe(2);
    expect(passphraseStrength('中文密码').kinds).toEqual(['lower']);
    expect(passphraseStrength('Ünïcödé').kinds).toEqual(['lower', 'upper']);
  });

  it('refuses one character repeated, however long', () => {
    const s = passphraseStrength('a'.repeat(40));
    expect(s).toMatchObject({ ok: false, counted: 1, typed: 40 });
    expect(s.problem).toMatch(/\(40 typed; repeats and runs like .* count as one, which leaves 1\)\.$/);
    expect(ok('1'.repeat(30))).toBe(false);
  });

  it('refuses alphabet, digit and keyboard runs, in either direction and any case', () => {
    expect(ok('abcdefghijklmnopqrstuvwxyz')).toBe(false);
    expect(ok('ZYXWVUTSRQPONMLKJIHGFEDCBA')).toBe(false);
    expect(ok('12345678901234567890123')).toBe(false);
    expect(ok('qwertyuiopasdfghjklzxcvbnm')).toBe(false);
    expect(ok('Qwertyuiop1!')).toBe(false);
    expect(passphraseStrength('Qwertyuiop1!').counted).toBe(3);
    expect(ok('!@#$%^&*()!@#$%^&*()!')).toBe(false);
    expect(ok('azertyuiopqsdfghjklmwxcvbn')).toBe(false);
  });

  it('counts a run as one character but keeps the rest', () => {
    // 'Password' 8 + '1234' as 1 + '!' = 10 counted: too short.
    expect(passphraseStrength('Password1234!')).toMatchObject({ ok: false, counted: 10, typed: 13 });
    // Two-character steps are not runs: ordinary words keep their length.
    expect(passphraseStrength('first staple').counted).toBe(10); // 'rst' is a run of 3
    expect(passphraseStrength('abxy').counted).toBe(4);
  });

  it('counts a text that only repeats itself once', () => {
    expect(passphraseStrength('Ab1!Ab1!Ab1!Ab1!').counted).toBe(4);
    expect(ok('Ab1!Ab1!Ab1!Ab1!')).toBe(false);
    expect(ok('hello hello hello hello ')).toBe(false);
    expect(ok('Tr0ub4dor&3xTr0ub4dor&3x')).toBe(true); // the unit alone is strong enough
  });

  it('normalises to NFC, as the key derivation does', () => {
    const composed = 'Caf\u00e9-lamp-42x';
    const decomposed = 'Cafe\u0301-lamp-42x';
    expect(passphraseStrength(decomposed)).toEqual(passphraseStrength(composed));
  });
});
