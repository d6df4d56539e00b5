import { describe, expect, it } from 'vitest';
import { ROOM_ID_PATTERN } from '@conclave/protocol';
import { newRoomId, roomIdFromInput } from './room-id.js';

describe('room ids', () => {
  it('makes valid, distinct ids', () => {
    const ids = new Set(Array.from({ length: 200 }, newRoomId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(ROOM_ID_PATTERN.test(id)).toBe(true);
  });

  it('reads an id from a link or a code', () => {
    expect(roomIdFromInput('https://meet.example/r/abcd-efgh-ijkmn#k=xyz')).toBe('abcd-efgh-ijkmn');
    expect(roomIdFromInput('  abcd-efgh  ')).toBe('abcd-efgh');
    expect(roomIdFromInput('not a room!')).toBeNull();
    expect(roomIdFromInput('')).toBeNull();
  });
});
