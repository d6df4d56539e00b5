import { describe, expect, it } from 'vitest';
import { extensionFor, MIME_PREFERENCE, pickMimeType } from './meeting-recorder.js';

describe('pickMimeType', () => {
  it('takes WebM with VP8 and Opus when the browser has it', () => {
    expect(pickMimeType(() => true)).toBe('video/webm;codecs=vp8,opus');
  });

  it('falls back in order of preference', () => {
    const only =
      (...types: string[]) =>
      (t: string) =>
        types.includes(t);
    expect(pickMimeType(only('video/webm', 'video/mp4'))).toBe('video/webm');
    expect(pickMimeType(only('video/mp4;codecs=avc1,mp4a.40.2', 'video/mp4'))).toBe('video/mp4;codecs=avc1,mp4a.40.2');
    expect(pickMimeType(only('video/mp4'))).toBe('video/mp4');
    expect(pickMimeType(only('video/vp9'))).toBeNull();
  });

  it('treats a type the browser throws on as unsupported', () => {
    const asked: string[] = [];
    const picky = (t: string) => {
      asked.push(t);
      if (t.includes('vp8')) throw new Error('unknown codec');
      return t.includes('vp9');
    };
    expect(pickMimeType(picky)).toBe('video/webm;codecs=vp9,opus');
    expect(asked).toEqual(MIME_PREFERENCE.slice(0, 2));
  });
});

describe('extensionFor', () => {
  it('names MP4 recordings .mp4 and everything else .webm', () => {
    expect(extensionFor('video/mp4;codecs=avc1')).toBe('mp4');
    expect(extensionFor('video/webm;codecs=vp8,opus')).toBe('webm');
    expect(extensionFor('video/x-matroska')).toBe('webm');
  });
});
