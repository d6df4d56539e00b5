import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin.js';

describe('originAllowed', () => {
  it('lets in clients that send no Origin (not browsers)', () => {
    expect(originAllowed(undefined, 'meet.example', [])).toBe(true);
  });

  it("lets in a page on the request's own host", () => {
    expect(originAllowed('https://meet.example', 'meet.example', [])).toBe(true);
    expect(originAllowed('https://meet.example:8443', 'meet.example:8443', [])).toBe(true);
  });

  it('lets in the configured origins and no other site', () => {
    expect(originAllowed('https://app.example', 'meet.example', ['https://app.example'])).toBe(true);
    expect(originAllowed('https://evil.example', 'meet.example', ['https://app.example'])).toBe(false);
    expect(originAllowed('https://meet.example', undefined, [])).toBe(false);
  });

  it('refuses an Origin that is not a URL', () => {
    expect(originAllowed('null', 'meet.example', [])).toBe(false);
  });
});
