import { describe, expect, it } from 'vitest';
import { roomIdFromInput } from './room-id.js';

describe('room ids', () => {
  it('reads an id from a link or a code', () => {
    expect(roomIdFromInput('https://meet.example/r/abcd-efgh-ijkmn#k=xyz')).toBe('abcd-efgh-ijkmn');
    expect(roomIdFromInput('  abcd-efgh  ')).toBe('abcd-efgh');
    expect(roomIdFromInput('not a room!')).toBeNull();
    expect(roomIdFromInput('')).toBeNull();
  });
});
