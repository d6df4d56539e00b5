import { describe, expect, it } from 'vitest';
import { cleanDisplayName } from './display-name.js';
import { parseRequest } from './envelope.js';
import { ErrorCode } from './errors.js';

const join = (displayName: string) => {
  const raw = JSON.stringify({ type: 'request', id: 1, method: 'join', data: { roomId: 'abc', displayName } });
  return parseRequest(raw, Buffer.byteLength(raw));
};

describe('cleanDisplayName', () => {
  it('keeps ordinary names of every script as they are', () => {
    for (const name of ['Ada', 'Zoë Müller', '李小龙', 'محمد', 'Ngọc Anh', "O'Brien-Smith", 'Ada (Tuesday)', 'Hostess', 'Jo 🙂', 'Ghost']) {
      expect(cleanDisplayName(name)).toBe(name.normalize('NFC'));
    }
  });

  it('NFC-normalizes, so one name has one form', () => {
    expect(cleanDisplayName('Zoe\u0308')).toBe('Zo\u00eb');
  });

  it('removes control, bidi override/isolate and zero-width characters', () => {
    expect(cleanDisplayName('Ad\u0000a\u0007')).toBe('Ada');
    expect(cleanDisplayName('\u202EnimdA')).toBe('nimdA');
    expect(cleanDisplayName('Eve\u2066\u2067\u2068\u2069\u202A\u202B\u202C\u202D')).toBe('Eve');
    expect(cleanDisplayName('A\u200Bd\u200C\u200Da\u2060\uFEFF\u00AD')).toBe('Ada');
    expect(cleanDisplayName('Bob\u200E\u200F\u061C')).toBe('Bob');
    expect(cleanDisplayName('Line\u2028Two\u2029')).toBe('LineTwo');
    expect(cleanDisplayName('\u3164\u115F')).toBe('');
  });

  it('collapses white space runs and trims', () => {
    expect(cleanDisplayName('  Ada \t\n  Lovelace\u00A0\u3000 ')).toBe('Ada Lovelace');
  });

  it('cannot end in a role mark the interface uses, in any look-alike form', () => {
    expect(cleanDisplayName('Mallory (host)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (you)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (Guest)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (ADMIN)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory [host]')).toBe('Mallory');
    expect(cleanDisplayName('Mallory （ｈｏｓｔ）')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (𝐡𝐨𝐬𝐭)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory ( host )')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (host)(you) (admin)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory - moderator')).toBe('Mallory');
    expect(cleanDisplayName('Mallory | host')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (h\u200Bost)')).toBe('Mallory');
    expect(cleanDisplayName('Mallory (host)\u202E')).toBe('Mallory');
    expect(cleanDisplayName('(host)')).toBe('');
  });
});

describe('DisplayName in join', () => {
  it('sends the cleaned name on', () => {
    expect(join(' Mallory\u202E (host) ')).toMatchObject({ ok: true, request: { data: { displayName: 'Mallory' } } });
  });

  it('refuses a name that is nothing but invisible characters or a role mark', () => {
    for (const name of ['\u200B\u200B', '\u202E', '(you)', ' [admin] ']) {
      expect(join(name)).toMatchObject({ ok: false, error: { code: ErrorCode.BadMessage } });
    }
  });

  it('refuses an over-long name, also when most of it is invisible padding', () => {
    expect(join('x'.repeat(65)).ok).toBe(false);
    expect(join(`Ada${'\u200B'.repeat(400)}`).ok).toBe(false);
    expect(join(`Ada${'\u200B'.repeat(100)}`)).toMatchObject({ ok: true, request: { data: { displayName: 'Ada' } } });
  });
});
