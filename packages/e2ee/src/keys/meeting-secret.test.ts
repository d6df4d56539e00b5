/** Tests for meeting-secret.ts: base64url link form and fragment parsing. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MEETING_SECRET_CHARS,
  MeetingSecretError,
  decodeMeetingSecret,
  encodeMeetingSecret,
  generateMeetingSecret,
  meetingSecretFragment,
  meetingSecretFromFragment,
} from './meeting-secret.js';
import { sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

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
