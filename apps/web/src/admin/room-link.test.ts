import { describe, expect, it } from 'vitest';
import { meetingSecretFromFragment } from '@conclave/e2ee/keys';
import { roomLink, roomLinkWithNewKey } from './room-link.js';

const ORIGIN = 'https://meet.example';

describe('room links made on the admin page', () => {
  it('without a key: the room address only', () => {
    expect(roomLink('kmt-qzvh-rpwax', ORIGIN)).toBe('https://meet.example/r/kmt-qzvh-rpwax');
  });

  it('with a key: a fresh 32-byte meeting key in the fragment, which the join page reads back', async () => {
    const link = await roomLinkWithNewKey('kmt-qzvh-rpwax', ORIGIN);
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe('https://meet.example/r/kmt-qzvh-rpwax');
    expect(url.search).toBe('');
    expect(url.hash).toMatch(/^#k=[A-Za-z0-9_-]{43}$/);
    expect(meetingSecretFromFragment(url.hash)).toHaveLength(32);
  });

  it('a new key every time', async () => {
    const a = await roomLinkWithNewKey('kmt-qzvh-rpwax', ORIGIN);
    const b = await roomLinkWithNewKey('kmt-qzvh-rpwax', ORIGIN);
    expect(a).not.toBe(b);
  });
});
