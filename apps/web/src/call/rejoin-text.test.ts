import { describe, expect, it } from 'vitest';
import { rejoinText } from './rejoin-text.js';

describe('rejoinText', () => {
  it('says the meeting server is restarting', () => {
    expect(rejoinText('server-restart')).toBe('The meeting server is restarting.');
  });

  it('says the media server restarted after a worker death', () => {
    expect(rejoinText('media-restarted')).toBe('The media server restarted.');
  });

  it('has words for any other reason the server gives', () => {
    expect(rejoinText('deleted')).toMatch(/reconnect/);
  });
});
