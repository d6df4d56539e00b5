import { describe, expect, it } from 'vitest';
import { reconnectText } from './reconnect-text.js';

describe('reconnectText', () => {
  it('says the server connection is being restored, which attempt, and when the next one starts', () => {
    const t = reconnectText(
      { cause: 'server', attempt: 3, nextAttemptAt: 10_000 },
      'The connection to the meeting server was lost.',
      6_200,
    );
    expect(t.title).toBe('Reconnecting to the meeting…');
    expect(t.detail).toMatch(/^The connection to the meeting server was lost\. .*keeps trying/);
    expect(t.progress).toBe('Attempt 3 · next try in 4 s');
  });

  it('says "trying now" while an attempt runs or its time has come', () => {
    expect(reconnectText({ cause: 'server', attempt: 1, nextAttemptAt: null }, null, 0).progress).toBe('Attempt 1 · trying now…');
    expect(reconnectText({ cause: 'server', attempt: 2, nextAttemptAt: 1000 }, null, 1500).progress).toBe('Attempt 2 · trying now…');
  });

  it('has a default reason', () => {
    expect(reconnectText({ cause: 'server', attempt: 1, nextAttemptAt: null }, null, 0).detail).toMatch(
      /connection to the meeting server was lost/,
    );
  });

  it('tells a media-only outage apart: still in the meeting, no attempt count', () => {
    const t = reconnectText({ cause: 'media', attempt: 0, nextAttemptAt: null }, null, 0);
    expect(t.title).toBe('Reconnecting audio and video…');
    expect(t.detail).toMatch(/still in the meeting/);
    expect(t.progress).toBeNull();
  });
});
