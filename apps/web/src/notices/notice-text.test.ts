import { describe, expect, it } from 'vitest';
import { closedText, gaveUpText, hostActionText, noticeText, rejoinText } from './notice-text.js';

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

describe('closedText', () => {
  it('names the host who ended the meeting or removed the person', () => {
    expect(closedText({ reason: 'ended-by-host', by: 'Ada', rejoin: false })).toBe('Ada ended the meeting.');
    expect(closedText({ reason: 'removed', rejoin: false })).toBe('A host removed you from the meeting.');
    expect(closedText({ reason: 'deleted', rejoin: false })).toBe('This meeting room was deleted.');
  });
});

describe('hostActionText', () => {
  it('says who did what to whom', () => {
    expect(hostActionText({ action: 'mute', by: 'Ada', target: 'Linus' })).toBe('Ada muted Linus');
    expect(hostActionText({ action: 'lock', by: 'Ada' })).toMatch(/locked the meeting/);
    expect(hostActionText({ action: 'admit', by: 'Ada' })).toBe('Ada let someone in');
  });
});

describe('noticeText and gaveUpText', () => {
  it('agree in number about who records', () => {
    expect(noticeText.recorders(['Ada'])).toBe('Ada is recording this meeting');
    expect(noticeText.recorders(['Ada', 'Linus'])).toBe('Ada, Linus are recording this meeting');
  });

  it('gives the server’s refusal as it is, or how long it tried', () => {
    expect(gaveUpText('Lost.', 'The meeting is locked.', true, 2)).toBe('Lost. The meeting is locked.');
    expect(gaveUpText('Lost.', 'Cannot reach it.', false, 2)).toBe(
      'Lost. Reconnecting did not succeed for 2 minutes (Cannot reach it). Check your connection, then rejoin.',
    );
  });
});
