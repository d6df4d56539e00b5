import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyManager, fromBase64url, toBase64url } from '@conclave/e2ee/keys';
import { MAX_CHAT_TEXT_LENGTH, type NotificationData } from '@conclave/protocol';
import { SignalingError } from '../signaling/signaling-client.js';
import {
  CHAT_RETRY_FOR_MS,
  ChatSession,
  chatOutcome,
  type ChatCrypto,
  type ChatDecryptOutcome,
  type ChatSignaling,
} from './chat-session.js';

type ChatNotification = NotificationData<'chatMessage'>;

/** A signaling connection that records chatSend requests and delivers chatMessage notifications on demand. */
function fakeSignaling(answer: (message: string) => Promise<{ at: string }> = async () => ({ at: '2026-11-21T10:00:00.000Z' })) {
  const handlers = new Set<(d: ChatNotification) => void>();
  const sent: string[] = [];
  const signaling = {
    request: vi.fn(async (method: string, data: { message: string }) => {
      expect(method).toBe('chatSend');
      sent.push(data.message);
      return answer(data.message);
    }),
    on: vi.fn((name: string, h: (d: ChatNotification) => void) => {
      expect(name).toBe('chatMessage');
      handlers.add(h);
      return () => handlers.delete(h);
    }),
  };
  return {
    signaling: signaling as unknown as ChatSignaling,
    sent,
    deliver: (d: ChatNotification) => handlers.forEach((h) => h(d)),
    listeners: () => handlers.size,
  };
}

/** "Encryption" that is easy to read in tests: the text reversed, base64url; decryptable per sender on demand. */
function fakeCrypto() {
  const keys = new Set<string>(['known']);
  let ready = true;
  const crypto: ChatCrypto & { keys: Set<string>; setReady(r: boolean): void } = {
    keys,
    setReady: (r) => void (ready = r),
    encryptChat: (text) => (ready ? Buffer.from(`${text}|${Math.random()}`).toString('base64url') : null),
    decryptChat: (from, message): ChatDecryptOutcome => {
      if (from === 'forger') return { ok: false, retry: false, reason: 'bad-ciphertext' };
      if (!keys.has(from)) return { ok: false, retry: true, reason: 'no-key' };
      return { ok: true, text: Buffer.from(message, 'base64url').toString().split('|')[0]! };
    },
  };
  return crypto;
}

const sealed = (text: string) => Buffer.from(`${text}|${Math.random()}`).toString('base64url');
const names: Record<string, string> = { known: 'Grace', late: 'Linus', forger: 'Mallory' };

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined); // undecryptable messages are logged
});
afterEach(() => vi.restoreAllMocks());

describe('ChatSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(answer?: (message: string) => Promise<{ at: string }>) {
    const crypto = fakeCrypto();
    const net = fakeSignaling(answer);
    const chat = new ChatSession({ crypto, nameOf: (id) => names[id] });
    chat.attach(net.signaling);
    return { chat, crypto, net };
  }

  it('sends ciphertext only, shows the message at once, then with the server time', async () => {
    const { chat, net } = setup();
    expect(chat.send('  hello\nworld  ', 'Ada')).toBe(true);
    expect(chat.store.getSnapshot().messages[0]).toMatchObject({ mine: true, name: 'Ada', text: 'hello\nworld', status: 'sending' });
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]).not.toContain('hello');
    await vi.runAllTimersAsync();
    expect(chat.store.getSnapshot().messages[0]).toMatchObject({ status: 'sent', at: '2026-11-21T10:00:00.000Z' });
  });

  it('refuses blank and over-long messages', () => {
    const { chat, net } = setup();
    expect(chat.send(' \n ', 'Ada')).toBe(false);
    expect(chat.send('x'.repeat(MAX_CHAT_TEXT_LENGTH + 1), 'Ada')).toBe(false);
    expect(chat.send('x'.repeat(MAX_CHAT_TEXT_LENGTH), 'Ada')).toBe(true);
    expect(net.sent).toHaveLength(1);
  });

  it('marks a refused message failed with a reason, and sends it again on retry, freshly encrypted', async () => {
    let refuse = true;
    const { chat, net } = setup(async () => {
      if (refuse) throw new SignalingError('chat_rate_limited', 'too many');
      return { at: '2026-11-21T10:00:01.000Z' };
    });
    chat.send('hi', 'Ada');
    await vi.runAllTimersAsync();
    const failed = chat.store.getSnapshot().messages[0]!;
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.error).toMatch(/too many messages/);
    refuse = false;
    chat.retry(failed.id);
    expect(chat.store.getSnapshot().messages[0]?.status).toBe('sending');
    await vi.runAllTimersAsync();
    expect(chat.store.getSnapshot().messages).toHaveLength(1);
    expect(chat.store.getSnapshot().messages[0]).toMatchObject({ status: 'sent', at: '2026-11-21T10:00:01.000Z' });
    expect(net.sent).toHaveLength(2);
    expect(net.sent[0]).not.toBe(net.sent[1]);
  });

  it('does not send while encryption has no keys', async () => {
    const { chat, crypto, net } = setup();
    crypto.setReady(false);
    chat.send('hi', 'Ada');
    await vi.runAllTimersAsync();
    expect(net.sent).toHaveLength(0);
    expect(chat.store.getSnapshot().messages[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/encryption is not ready/),
    });
  });

  it('decrypts what others send, with their name and the server time, counting unread while closed', () => {
    const { chat, net } = setup();
    const listener = vi.fn();
    chat.store.subscribe(listener);
    net.deliver({ from: 'known', message: sealed('hi <b>there</b>'), at: '2026-11-21T10:00:02.000Z' });
    expect(chat.store.getSnapshot().messages[0]).toMatchObject({
      mine: false,
      from: 'known',
      name: 'Grace',
      text: 'hi <b>there</b>',
      status: 'received',
      at: '2026-11-21T10:00:02.000Z',
    });
    expect(chat.store.getSnapshot().unread).toBe(1);
    expect(listener).toHaveBeenCalled();
    chat.setOpen(true);
    expect(chat.store.getSnapshot().unread).toBe(0);
    net.deliver({ from: 'known', message: sealed('seen'), at: '2026-11-21T10:00:03.000Z' });
    expect(chat.store.getSnapshot().unread).toBe(0);
  });

  it('retries a message whose key has not arrived, and shows it once the key comes', async () => {
    const { chat, crypto, net } = setup();
    net.deliver({ from: 'late', message: sealed('early bird'), at: '2026-11-21T10:00:02.000Z' });
    net.deliver({ from: 'known', message: sealed('after it'), at: '2026-11-21T10:00:02.100Z' });
    expect(chat.store.getSnapshot().messages.map((m) => m.status)).toEqual(['decrypting', 'received']);
    await vi.advanceTimersByTimeAsync(1000);
    crypto.keys.add('late');
    await vi.advanceTimersByTimeAsync(300);
    // In arrival order, not decryption order.
    expect(chat.store.getSnapshot().messages.map((m) => [m.text, m.status])).toEqual([
      ['early bird', 'received'],
      ['after it', 'received'],
    ]);
  });

  it('gives up after a few seconds, and at once for a message that can never decrypt', async () => {
    const { chat, net } = setup();
    net.deliver({ from: 'forger', message: sealed('x'), at: '2026-11-21T10:00:02.000Z' });
    expect(chat.store.getSnapshot().messages[0]).toMatchObject({ status: 'undecryptable', name: 'Mallory', text: '' });
    net.deliver({ from: 'late', message: sealed('never'), at: '2026-11-21T10:00:02.000Z' });
    await vi.advanceTimersByTimeAsync(CHAT_RETRY_FOR_MS - 500);
    expect(chat.store.getSnapshot().messages[1]?.status).toBe('decrypting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(chat.store.getSnapshot().messages[1]).toMatchObject({ status: 'undecryptable', error: 'This message could not be decrypted.' });
    expect(chat.store.getSnapshot().unread).toBe(2);
  });

  it('ignores a replayed ciphertext, including our own sent back to us', async () => {
    const { chat, net } = setup();
    const m = sealed('once');
    net.deliver({ from: 'known', message: m, at: '2026-11-21T10:00:02.000Z' });
    net.deliver({ from: 'known', message: m, at: '2026-11-21T10:00:09.000Z' });
    chat.send('mine', 'Ada');
    await vi.runAllTimersAsync();
    net.deliver({ from: 'known', message: net.sent[0]!, at: '2026-11-21T10:00:10.000Z' });
    expect(chat.store.getSnapshot().messages.map((x) => x.text)).toEqual(['once', 'mine']);
  });

  it('listens only on the latest connection, keeps the log across it, and stops when disposed', async () => {
    const { chat, net } = setup();
    net.deliver({ from: 'known', message: sealed('before'), at: '2026-11-21T10:00:02.000Z' });
    const next = fakeSignaling();
    chat.attach(next.signaling);
    expect(net.listeners()).toBe(0);
    next.deliver({ from: 'known', message: sealed('after'), at: '2026-11-21T10:00:03.000Z' });
    chat.send('via the new one', 'Ada');
    await vi.runAllTimersAsync();
    expect(next.sent).toHaveLength(1);
    expect(chat.store.getSnapshot().messages.map((m) => m.text)).toEqual(['before', 'after', 'via the new one']);
    chat.dispose();
    expect(next.listeners()).toBe(0);
    expect(chat.send('gone', 'Ada')).toBe(false);
  });
});

describe('with the real key schedule', () => {
  it('retries a message that outruns its sender key box, then decrypts it', async () => {
    const roomId = 'room-chat';
    const secret = randomBytes(32);
    const ada = await KeyManager.create({ roomId, selfId: 'ada', senderIndex: 0, meetingSecret: secret });
    const bob = await KeyManager.create({ roomId, selfId: 'bob', senderIndex: 1, meetingSecret: secret });
    ada.onRoster([]);
    const bobJoin = bob.onRoster([{ peerId: 'ada', bytes: ada.announcement() }]);
    const adaSees = ada.onAnnouncement('bob', bob.announcement());
    for (const box of adaSees.send) bob.onKeyBundle('ada', box.bytes);

    const crypto: ChatCrypto = {
      encryptChat: () => null,
      decryptChat: (from, message) => chatOutcome(ada.decryptChat(from, fromBase64url(message))),
    };
    const net = fakeSignaling();
    const chat = new ChatSession({ crypto, nameOf: () => 'Bob', retryEveryMs: 10, retryForMs: 5000 });
    chat.attach(net.signaling);
    // Bob's message reaches Ada before his key box does.
    net.deliver({ from: 'bob', message: toBase64url(bob.encryptChat('secret plan ✓')), at: new Date().toISOString() });
    expect(chat.store.getSnapshot().messages[0]?.status).toBe('decrypting');
    for (const box of bobJoin.send) ada.onKeyBundle('bob', box.bytes);
    await vi.waitFor(() => expect(chat.store.getSnapshot().messages[0]).toMatchObject({ status: 'received', text: 'secret plan ✓' }));
    // Tampered with: never.
    const bad = bob.encryptChat('x');
    bad[bad.length - 1]! ^= 1;
    net.deliver({ from: 'bob', message: toBase64url(bad), at: new Date().toISOString() });
    expect(chat.store.getSnapshot().messages[1]?.status).toBe('undecryptable');
    // Relabelled by the server as someone else's: never (the sender is bound into the ciphertext).
    expect(chatOutcome(ada.decryptChat('ada', bob.encryptChat('x')))).toMatchObject({ ok: false });
    chat.dispose();
    ada.dispose();
    bob.dispose();
  });
});
