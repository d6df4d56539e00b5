/** Tests for meeting-secret.ts: base64url link form, fragment parsing, argon2id passphrase derivation. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MEETING_SECRET_CHARS,
  MeetingSecretError,
  PASSPHRASE_MEMLIMIT,
  PASSPHRASE_OPSLIMIT,
  decodeMeetingSecret,
  encodeMeetingSecret,
  generateMeetingSecret,
  meetingSecretFragment,
  meetingSecretFromFragment,
  secretFromPassphrase,
} from './meeting-secret.js';
import { sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

// Tiny argon2id limits so tests stay fast; production uses the defaults.
const fast = { limits: { opsLimit: 1, memLimit: 8192 } };

describe('meeting secret', () => {
  it('is 32 random bytes', () => {
    const a = generateMeetingSecret();
    expect(a).toHaveLength(32);
    expect(a).not.toEqual(generateMeetingSecret());
  });

  it('round-trips through base64url without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret) => {
        const text = encodeMeetingSecret(secret);
        expect(text).toHaveLength(MEETING_SECRET_CHARS);
        expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(decodeMeetingSecret(text)).toEqual(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects wrong lengths and bad input with a clear error', () => {
    const good = encodeMeetingSecret(generateMeetingSecret());
    const cases: [string, RegExp][] = [
      ['', /43 base64url characters/],
      [good.slice(0, 42), /got 42 characters/],
      [`${good}A`, /got 44 characters/],
      [`${good.slice(0, 42)}=`, /only base64url characters/],
      [`${good.slice(0, 42)}+`, /only base64url characters/],
      [`${good.slice(0, 41)} A`, /only base64url characters/],
      [encodeMeetingSecret(new Uint8Array(32)).slice(0, 42) + 'B', /not valid canonical base64url/], // low bits set
    ];
    for (const [input, message] of cases) {
      expect(() => decodeMeetingSecret(input)).toThrow(MeetingSecretError);
      expect(() => decodeMeetingSecret(input)).toThrow(message);
    }
    expect(() => encodeMeetingSecret(new Uint8Array(31))).toThrow(/32 bytes, got 31/);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          expect(decodeMeetingSecret(s)).toHaveLength(32);
        } catch (e) {
          expect(e).toBeInstanceOf(MeetingSecretError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is read from the link fragment', () => {
    const secret = generateMeetingSecret();
    const frag = meetingSecretFragment(secret);
    expect(frag).toMatch(/^k=[A-Za-z0-9_-]{43}$/);
    expect(meetingSecretFromFragment(`#${frag}`)).toEqual(secret);
    expect(meetingSecretFromFragment(`pw=hunter2&${frag}`)).toEqual(secret);
    expect(meetingSecretFromFragment('#pw=hunter2')).toBeNull();
    expect(meetingSecretFromFragment('')).toBeNull();
    expect(() => meetingSecretFromFragment('#k=short')).toThrow(MeetingSecretError);
    expect(() => meetingSecretFromFragment(`#${frag}&${frag}`)).toThrow(/more than one/);
  });
});

describe('secretFromPassphrase', () => {
  it('production parameters are at least argon2id t=3, m=64 MiB', () => {
    expect(PASSPHRASE_OPSLIMIT).toBeGreaterThanOrEqual(3);
    expect(PASSPHRASE_MEMLIMIT).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  });

  it('is deterministic per (passphrase, room) and differs across rooms and passphrases', async () => {
    const a1 = await secretFromPassphrase('correct horse battery staple', 'room-1', fast);
    const a2 = await secretFromPassphrase('correct horse battery staple', 'room-1', fast);
    const b = await secretFromPassphrase('correct horse battery staple', 'room-2', fast);
    const c = await secretFromPassphrase('correct horse battery stapler', 'room-1', fast);
    expect(a1).toHaveLength(32);
    expect(a1).toEqual(a2);
    expect(a1).not.toEqual(b);
    expect(a1).not.toEqual(c);
  });

  it('normalises Unicode (NFC), so é typed two ways agrees', async () => {
    const composed = await secretFromPassphrase('caf\u00e9', 'room', fast);
    const decomposed = await secretFromPassphrase('cafe\u0301', 'room', fast);
    expect(composed).toEqual(decomposed);
  });

  it('depends on the limits, and rejects empty input', async () => {
    const other = await secretFromPassphrase('pw', 'room', { limits: { opsLimit: 2, memLimit: 8192 } });
    expect(await secretFromPassphrase('pw', 'room', fast)).not.toEqual(other);
    await expect(secretFromPassphrase('', 'room', fast)).rejects.toThrow(MeetingSecretError);
    await expect(secretFromPassphrase('pw', '', fast)).rejects.toThrow(MeetingSecretError);
  });

  it('runs with the production parameters', async () => {
    const t = performance.now();
    const s = await secretFromPassphrase('a real passphrase', 'room');
    const ms = performance.now() - t;
    expect(s).toHaveLength(32);
    expect(s).not.toEqual(await secretFromPassphrase('a real passphrase', 'room', fast));
    console.info(`argon2id t=${PASSPHRASE_OPSLIMIT} m=${PASSPHRASE_MEMLIMIT >> 20} MiB: ${ms.toFixed(0)} ms`);
  }, 20_000);
});
