import { describe, expect, it } from 'vitest';
import {
  MAX_CHAT_MESSAGES,
  addIncoming,
  addOwn,
  dropIncoming,
  emptyChatLog,
  fullTime,
  markRead,
  normalizeChatText,
  ownFailed,
  ownRetry,
  ownSent,
  received,
  shortTime,
  undecryptable,
  type ChatLog,
} from './chat-log.js';

const T0 = '2026-11-21T14:05:09.000Z';
const T1 = '2026-11-21T14:05:10.250Z';

describe('own messages', () => {
  it('shows at once as sending, then sent with the server time', () => {
    let log = addOwn(emptyChatLog, { id: 'o1', name: 'Ada', text: 'hi', at: T0 });
    expect(log.messages).toEqual([{ id: 'o1', from: '', name: 'Ada', text: 'hi', at: T0, mine: true, status: 'sending' }]);
    log = ownSent(log, 'o1', T1);
    expect(log.messages[0]).toMatchObject({ status: 'sent', at: T1 });
    expect(log.unread).toBe(0);
  });

  it('fails with a reason, and a retry goes back to sending', () => {
    let log = addOwn(emptyChatLog, { id: 'o1', name: 'Ada', text: 'hi', at: T0 });
    log = ownFailed(log, 'o1', 'Not sent.');
    expect(log.messages[0]).toMatchObject({ status: 'failed', error: 'Not sent.' });
    // Only a failed message can be retried, only a sending one can become sent or failed.
    expect(ownSent(log, 'o1', T1)).toBe(log);
    log = ownRetry(log, 'o1', T1);
    expect(log.messages[0]).toMatchObject({ status: 'sending', at: T1, error: undefined });
    expect(ownRetry(log, 'o1', T1)).toBe(log);
    log = ownSent(log, 'o1', T1);
    expect(log.messages[0]?.status).toBe('sent');
    expect(ownFailed(log, 'o1', 'late')).toBe(log);
  });

  it('leaves the log unchanged for unknown ids', () => {
    const log = addOwn(emptyChatLog, { id: 'o1', name: 'Ada', text: 'hi', at: T0 });
    expect(ownSent(log, 'nope', T1)).toBe(log);
    expect(received(log, 'nope', 'x', false)).toBe(log);
  });
});

describe('messages from others', () => {
  it('wait for decryption in their place, then show their text', () => {
    let log = addIncoming(emptyChatLog, { id: 'i1', from: 'p1', name: 'Grace', at: T0 });
    log = addIncoming(log, { id: 'i2', from: 'p2', name: 'Linus', at: T1 });
    expect(log.messages.map((m) => m.status)).toEqual(['decrypting', 'decrypting']);
    log = received(log, 'i2', 'second', true);
    log = received(log, 'i1', 'first\nwith a line break', true);
    expect(log.messages.map((m) => [m.id, m.text, m.status, m.mine])).toEqual([
      ['i1', 'first\nwith a line break', 'received', false],
      ['i2', 'second', 'received', false],
    ]);
    expect(log.unread).toBe(0);
  });

  it('count as unread while the chat is closed, undecryptable ones too, until read', () => {
    let log: ChatLog = emptyChatLog;
    log = addIncoming(log, { id: 'i1', from: 'p1', name: 'Grace', at: T0 });
    log = addIncoming(log, { id: 'i2', from: 'p1', name: 'Grace', at: T0 });
    expect(log.unread).toBe(0); // not readable yet
    log = received(log, 'i1', 'hello', false);
    log = undecryptable(log, 'i2', 'This message could not be decrypted.', false);
    expect(log.unread).toBe(2);
    expect(log.messages[1]).toMatchObject({ status: 'undecryptable', text: '', error: 'This message could not be decrypted.' });
    // Settled messages do not change again, nor count twice.
    expect(received(log, 'i1', 'again', false)).toBe(log);
    expect(undecryptable(log, 'i1', 'x', false)).toBe(log);
    log = markRead(log);
    expect(log.unread).toBe(0);
    expect(markRead(log)).toBe(log);
  });

  it('take a name learned after arrival', () => {
    let log = addIncoming(emptyChatLog, { id: 'i1', from: 'p1', name: 'Someone', at: T0 });
    log = received(log, 'i1', 'hi', true, 'Grace');
    expect(log.messages[0]?.name).toBe('Grace');
  });
});

it(`keeps the latest ${MAX_CHAT_MESSAGES} messages`, () => {
  let log: ChatLog = emptyChatLog;
  for (let i = 0; i < MAX_CHAT_MESSAGES + 5; i++) log = addOwn(log, { id: `o${i}`, name: 'Ada', text: String(i), at: T0 });
  expect(log.messages).toHaveLength(MAX_CHAT_MESSAGES);
  expect(log.messages[0]?.text).toBe('5');
  expect(log.messages.at(-1)?.text).toBe(String(MAX_CHAT_MESSAGES + 4));
});

describe('formatting', () => {
  it('shows HH:MM in local time, and the full time for a tooltip', () => {
    const d = new Date(T0);
    const hhmm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    expect(shortTime(T0)).toBe(hhmm);
    expect(shortTime(T0)).toMatch(/^\d\d:\d\d$/);
    expect(fullTime(T0, 'en-GB')).toContain('2026');
    expect(shortTime('not a time')).toBe('');
    expect(fullTime('not a time')).toBe('');
  });

  it('trims outer whitespace, keeps inner line breaks, and normalises CRLF', () => {
    expect(normalizeChatText('  \n hello\r\n  world \n\n')).toBe('hello\n  world');
    expect(normalizeChatText(' \n\t ')).toBe('');
    expect(normalizeChatText('<b>not html</b>')).toBe('<b>not html</b>');
  });
});

describe('dropIncoming', () => {
  it('removes a line still decrypting, and nothing else', () => {
    let log = addIncoming(emptyChatLog, { id: 'a', from: 'p', name: 'P', at: T0 });
    log = addIncoming(log, { id: 'b', from: 'p', name: 'P', at: T1 });
    log = received(log, 'b', 'hello', true);
    expect(dropIncoming(log, 'a').messages.map((m) => m.id)).toEqual(['b']);
    expect(dropIncoming(log, 'b')).toBe(log);
    expect(dropIncoming(log, 'nope')).toBe(log);
  });
});
