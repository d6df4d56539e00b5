import { describe, expect, it } from 'vitest';
import { formatBytes, formatElapsed, recordingFileName, roomSlug } from './recording-file.js';

describe('recordingFileName', () => {
  it('names the file after the room and the local date and time', () => {
    expect(recordingFileName('Weekly sync', new Date(2025, 2, 7, 9, 5, 3), 'webm')).toBe('conclave-weekly-sync-2025-03-07-090503.webm');
    expect(recordingFileName('abc-123', new Date(2025, 11, 31, 23, 59, 59), 'mp4')).toBe('conclave-abc-123-2025-12-31-235959.mp4');
  });

  it('keeps only safe characters of the room name', () => {
    expect(roomSlug('Équipe: "Café" / Q3?')).toBe('equipe-cafe-q3');
    expect(roomSlug('../../etc/passwd')).toBe('etc-passwd');
    expect(roomSlug('会議')).toBe('meeting');
    expect(roomSlug('')).toBe('meeting');
    expect(roomSlug('x'.repeat(100))).toHaveLength(40);
  });
});

describe('formatting', () => {
  it('says sizes and durations as people read them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(3.45 * 1024 * 1024)).toBe('3.5 MB');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.50 GB');
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(7_900)).toBe('0:07');
    expect(formatElapsed(754_000)).toBe('12:34');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
  });
});
