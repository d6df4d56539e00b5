import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupAgent, type CommitAnswer, type RawJoinRequest } from '@conclave/e2ee/group';
import { fromBase64url, sodiumReady, toBase64url } from '@conclave/e2ee/keys';
import { MAX_CHAT_TEXT_LENGTH, type NotificationData } from '@conclave/protocol';
import { SignalingError } from '../signaling/signaling-client.js';
import { CHAT_RETRY_FOR_MS, ChatSession, type ChatCrypto, type ChatDecryptOutcome, type ChatSignaling } from './chat-session.js';
import { groupChat } from '../e2ee/group-chat.js';

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

/**
 * "Encryption" that is easy to read in tests, async like the group's:
 * `chat:<text>|<random>` or `leave:|<random>` as base64url. A sender whose
 * keys are not in `keys` may still come (retry); `forger` never decrypts.
 */
function fakeCrypto() {
  const keys = new Set<string>(['known']);
  let ready = true;
  const crypto = {
    keys,
    setReady: (r: boolean) => void (ready = r),
    encryptChat: vi.fn(async (text: string): Promise<string | null> => (ready ? sealed(text) : null)),
    decryptChat: vi.fn(async (from: string, message: string): Promise<ChatDecryptOutcome> => {
      if (from === 'forger') return { ok: false, retry: false, reason: 'bad-ciphertext' };
      if (!keys.has(from)) return { ok: false, retry: true, reason: 'not in the group yet' };
      const plain = Buffer.from(message, 'base64url').toString();
      if (plain.startsWith('leave:')) return { ok: false, retry: false, reason: 'leave notice', silent: true };
      return { ok: true, text: plain.slice('chat:'.length).split('|')[0]! };
    }),
  };
  return crypto;
}

const sealed = (text: string) => Buffer.from(`chat:${text}|${Math.random()}`).toString('base64url');
const leaveNotice = () => Buffer.from(`leave:|${Math.random()}`).toString('base64url');
const names: Record<string, string> = { known: 'Grace', late: 'Linus', forger: 'Mallory' };

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined); // undecryptable messages are logged
});
afterEach(() => vi.restoreAllMocks());

describe('ChatSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** Lets every pending encryption, decryption and request settle, without moving the clock. */
  const settled = () => vi.advanceTimersByTimeAsync(0);

  function setup(answer?: (message: string) => Promise<{ at: string }>) {
    const crypto = fakeCrypto();
    const net = fakeSignaling(answer);
    const chat = new ChatSession({ crypto, nameOf: (id) => names[id] });
    chat.attach(net.signaling);
    return { chat, crypto, net };
  }

  const log = (chat: ChatSession) => chat.store.getSnapshot();

  it('sends ciphertext only, shows the message at once, then with the server time', async () => {
    const { chat, net } = setup();
    expect(chat.send('  hello\nworld  ', 'Ada')).toBe(true);
    expect(log(chat).messages[0]).toMatchObject({ mine: true, name: 'Ada', text: 'hello\nworld', status: 'sending' });
    await settled();
    expect(net.sent).toHaveLength(1);
    expect(Buffer.from(net.sent[0]!, 'base64url').toString()).toContain('hello'); // it went through the "encryption"…
    expect(net.sent[0]).not.toContain('hello'); // …and only its output was sent
    expect(log(chat).messages[0]).toMatchObject({ status: 'sent', at: '2026-11-21T10:00:00.000Z' });
  });

  it('refuses blank and over-long messages', async () => {
    const { chat, crypto, net } = setup();
    expect(chat.send(' \n ', 'Ada')).toBe(false);
    expect(chat.send('x'.repeat(MAX_CHAT_TEXT_LENGTH + 1), 'Ada')).toBe(false);
    expect(chat.send('x'.repeat(MAX_CHAT_TEXT_LENGTH), 'Ada')).toBe(true);
    await settled();
    expect(crypto.encryptChat).toHaveBeenCalledTimes(1);
    expect(net.sent).toHaveLength(1);
    expect(log(chat).messages).toHaveLength(1);
  });

  it('marks a refused message failed with a reason, and sends it again on retry, freshly encrypted', async () => {
    let refuse = true;
    const { chat, net } = setup(async () => {
      if (refuse) throw new SignalingError('chat_rate_limited', 'too many');
      return { at: '2026-11-21T10:00:01.000Z' };
    });
    chat.send('hi', 'Ada');
    await settled();
    const failed = log(chat).messages[0]!;
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.error).toMatch(/too many messages/);
    refuse = false;
    chat.retry(failed.id);
    expect(log(chat).messages[0]?.status).toBe('sending');
    await settled();
    expect(log(chat).messages).toHaveLength(1);
    expect(log(chat).messages[0]).toMatchObject({ status: 'sent', at: '2026-11-21T10:00:01.000Z' });
    expect(net.sent).toHaveLength(2);
    expect(net.sent[0]).not.toBe(net.sent[1]);
  });

  it('does not send while encryption has no keys, nor when it fails', async () => {
    const { chat, crypto, net } = setup();
    crypto.setReady(false);
    chat.send('hi', 'Ada');
    crypto.encryptChat.mockRejectedValueOnce(new Error('the group agent was disposed'));
    chat.send('again', 'Ada');
    await settled();
    expect(net.sent).toHaveLength(0);
    for (const m of log(chat).messages) {
      expect(m).toMatchObject({ status: 'failed', error: expect.stringMatching(/encryption is not ready/) });
    }
    expect(log(chat).messages).toHaveLength(2);
  });

  it('decrypts what others send, with their name and the server time, counting unread while closed', async () => {
    const { chat, net } = setup();
    const listener = vi.fn();
    chat.store.subscribe(listener);
    net.deliver({ from: 'known', message: sealed('hi <b>there</b>'), at: '2026-11-21T10:00:02.000Z' });
    await settled();
    expect(log(chat).messages).toEqual([
      expect.objectContaining({
        mine: false,
        from: 'known',
        name: 'Grace',
        text: 'hi <b>there</b>',
        status: 'received',
        at: '2026-11-21T10:00:02.000Z',
      }),
    ]);
    expect(log(chat).unread).toBe(1);
    expect(listener).toHaveBeenCalled();
    chat.setOpen(true);
    expect(log(chat).unread).toBe(0);
    net.deliver({ from: 'known', message: sealed('seen'), at: '2026-11-21T10:00:03.000Z' });
    await settled();
    expect(log(chat).messages[1]).toMatchObject({ text: 'seen', status: 'received' });
    expect(log(chat).unread).toBe(0);
  });

  it('shows nothing for a leave notice, and does not retry it', async () => {
    const { chat, crypto, net } = setup();
    net.deliver({ from: 'known', message: sealed('bye all'), at: '2026-11-21T10:00:02.000Z' });
    net.deliver({ from: 'known', message: leaveNotice(), at: '2026-11-21T10:00:02.100Z' });
    net.deliver({ from: 'known', message: sealed('after it'), at: '2026-11-21T10:00:02.200Z' });
    await settled();
    expect(crypto.decryptChat).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(CHAT_RETRY_FOR_MS + 1000);
    expect(crypto.decryptChat).toHaveBeenCalledTimes(3);
    expect(log(chat).messages.map((m) => [m.text, m.status])).toEqual([
      ['bye all', 'received'],
      ['after it', 'received'],
    ]);
    expect(log(chat).unread).toBe(2);
  });

  it('drops the decrypting line of a leave notice that could only be opened on a retry', async () => {
    const { chat, crypto, net } = setup();
    net.deliver({ from: 'late', message: leaveNotice(), at: '2026-11-21T10:00:02.000Z' });
    await settled();
    expect(log(chat).messages.map((m) => m.status)).toEqual(['decrypting']);
    crypto.keys.add('late'); // we are in the group now
    await vi.advanceTimersByTimeAsync(500);
    expect(log(chat).messages).toEqual([]);
    expect(log(chat).unread).toBe(0);
  });

  it('retries a message while the keys may still come, and shows it once they do', async () => {
    const { chat, crypto, net } = setup();
    net.deliver({ from: 'late', message: sealed('early bird'), at: '2026-11-21T10:00:02.000Z' });
    net.deliver({ from: 'known', message: sealed('after it'), at: '2026-11-21T10:00:02.100Z' });
    await settled();
    expect(log(chat).messages.map((m) => m.status)).toEqual(['decrypting', 'received']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(crypto.decryptChat.mock.calls.filter(([from]) => from === 'late').length).toBeGreaterThan(2);
    expect(log(chat).messages[0]?.status).toBe('decrypting');
    crypto.keys.add('late');
    await vi.advanceTimersByTimeAsync(300);
    // In arrival order, not decryption order; placed once.
    expect(log(chat).messages.map((m) => [m.text, m.status])).toEqual([
      ['early bird', 'received'],
      ['after it', 'received'],
    ]);
    expect(log(chat).unread).toBe(2);
  });

  it('gives up after a few seconds, and at once for a message that can never decrypt', async () => {
    const { chat, crypto, net } = setup();
    net.deliver({ from: 'forger', message: sealed('x'), at: '2026-11-21T10:00:02.000Z' });
    await settled();
    expect(log(chat).messages[0]).toMatchObject({ status: 'undecryptable', name: 'Mallory', text: '' });
    net.deliver({ from: 'late', message: sealed('never'), at: '2026-11-21T10:00:02.000Z' });
    await vi.advanceTimersByTimeAsync(CHAT_RETRY_FOR_MS - 500);
    expect(log(chat).messages[1]?.status).toBe('decrypting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(log(chat).messages[1]).toMatchObject({ status: 'undecryptable', error: 'This message could not be decrypted.' });
    expect(log(chat).unread).toBe(2);
    // Given up: no more attempts.
    const attempts = crypto.decryptChat.mock.calls.length;
    await vi.advanceTimersByTimeAsync(CHAT_RETRY_FOR_MS);
    expect(crypto.decryptChat).toHaveBeenCalledTimes(attempts);
  });

  it('ignores a replayed ciphertext without opening it again, including our own sent back to us', async () => {
    const { chat, crypto, net } = setup();
    const m = sealed('once');
    net.deliver({ from: 'known', message: m, at: '2026-11-21T10:00:02.000Z' });
    net.deliver({ from: 'known', message: m, at: '2026-11-21T10:00:09.000Z' });
    await settled();
    chat.send('mine', 'Ada');
    await settled();
    net.deliver({ from: 'known', message: net.sent[0]!, at: '2026-11-21T10:00:10.000Z' });
    await settled();
    expect(crypto.decryptChat).toHaveBeenCalledTimes(1);
    expect(log(chat).messages.map((x) => x.text)).toEqual(['once', 'mine']);
  });

  it('listens only on the latest connection, keeps the log across it, and stops when disposed', async () => {
    const { chat, net } = setup();
    net.deliver({ from: 'known', message: sealed('before'), at: '2026-11-21T10:00:02.000Z' });
    await settled();
    const next = fakeSignaling();
    chat.attach(next.signaling);
    expect(net.listeners()).toBe(0);
    next.deliver({ from: 'known', message: sealed('after'), at: '2026-11-21T10:00:03.000Z' });
    await settled();
    chat.send('via the new one', 'Ada');
    await settled();
    expect(net.sent).toHaveLength(0);
    expect(next.sent).toHaveLength(1);
    expect(log(chat).messages.map((m) => m.text)).toEqual(['before', 'after', 'via the new one']);
    // A message still being decrypted when the meeting ends is never shown.
    next.deliver({ from: 'known', message: sealed('too late'), at: '2026-11-21T10:00:04.000Z' });
    chat.dispose();
    await settled();
    expect(log(chat).messages.map((m) => m.text)).toEqual(['before', 'after', 'via the new one']);
    expect(next.listeners()).toBe(0);
    expect(chat.send('gone', 'Ada')).toBe(false);
  });
});

describe('with real MLS group agents', () => {
  beforeAll(() => sodiumReady()); // for base64url
  /** MLS work is quick, but the machine may be busy. */
  const soon = { timeout: 10_000 };

  /** Chat through a GroupAgent, exactly as E2eeSession does it. */
  const chatOf = (agent: GroupAgent): ChatCrypto => groupChat(() => agent);

  /**
   * The smallest honest Delivery Service: the first to join founds the group,
   * a join request goes to the others, the first commit of an epoch wins and
   * goes to the others, its Welcome to whom it adds. What goes to a peer on
   * hold waits until it is released (a Welcome still on its way).
   */
  class Delivery {
    epoch = 0;
    private readonly agents = new Map<string, GroupAgent>();
    private readonly inGroup = new Set<string>();
    private readonly held = new Map<string, Array<() => Promise<void>>>();

    constructor(private readonly linkKey: Uint8Array) {}

    private admit(from: string, to: string, message: Uint8Array): void {
      // Admission goes straight through (a hold is for the Welcome only).
      const agent = this.agents.get(to);
      if (agent) void agent.onAdmit(from, message).catch(() => undefined);
    }

    member(peerId: string, displayName: string): GroupAgent {
      const agent = new GroupAgent({
        roomId: 'room-chat',
        secret: { kind: 'link', key: this.linkKey },
        self: { peerId, displayName },
        port: {
          join: async (keyPackage, pake) => this.join({ peerId, keyPackage, pake }),
          admit: async (to, message) => this.admit(peerId, to, message),
          broadcast: async () => undefined,
          commit: async (c) => this.commit(peerId, c),
        },
        events: { onEpoch: () => undefined },
      });
      this.agents.set(peerId, agent);
      return agent;
    }

    hold(peerId: string): void {
      this.held.set(peerId, []);
    }

    release(peerId: string): void {
      const queued = this.held.get(peerId) ?? [];
      this.held.delete(peerId);
      for (const deliver of queued) void deliver().catch(() => undefined);
    }

    private send(to: string, deliver: (agent: GroupAgent) => Promise<void>): void {
      const agent = this.agents.get(to);
      if (!agent) return;
      const run = () => deliver(agent);
      const queue = this.held.get(to);
      if (queue) queue.push(run);
      else void run().catch(() => undefined);
    }

    private join(request: RawJoinRequest): { found: boolean; epoch: number; waiting: RawJoinRequest[] } {
      if (this.inGroup.size === 0) {
        this.inGroup.add(request.peerId);
        return { found: true, epoch: 0, waiting: [] };
      }
      for (const to of this.inGroup) this.send(to, (a) => a.onJoinRequest(request));
      return { found: false, epoch: this.epoch, waiting: [] };
    }

    private commit(from: string, c: { epoch: number; commit: Uint8Array; welcome?: Uint8Array; added: string[] }): CommitAnswer {
      if (c.epoch !== this.epoch) return { ok: false, staleEpoch: this.epoch };
      this.epoch += 1;
      for (const to of this.inGroup) if (to !== from) this.send(to, (a) => a.onCommit(from, c.epoch, c.commit));
      for (const peerId of c.added) {
        this.inGroup.add(peerId);
        const welcome = c.welcome;
        if (welcome) this.send(peerId, (a) => a.onWelcome(from, welcome));
      }
      return { ok: true, epoch: this.epoch };
    }
  }

  it('opens a message sealed by another member, retried while we are still being added', async () => {
    const ds = new Delivery(randomBytes(32));
    const ada = ds.member('ada', 'Ada');
    const bob = ds.member('bob', 'Bob');
    await ada.start();
    ds.hold('bob'); // Bob's Welcome is late: Ada's first message reaches him before it.
    await bob.start();
    await vi.waitFor(() => expect(ada.members().map((m) => m.peerId)).toEqual(['ada', 'bob']), soon);
    expect(bob.members()).toEqual([]);

    const bobCrypto = chatOf(bob);
    const bobDecrypt = vi.spyOn(bobCrypto, 'decryptChat');
    const bobNet = fakeSignaling();
    const bobChat = new ChatSession({ crypto: bobCrypto, nameOf: (id) => ({ ada: 'Ada' })[id], retryEveryMs: 10, retryForMs: 10_000 });
    bobChat.attach(bobNet.signaling);
    // Ada's chat sends through a server that relays to Bob, as the room would.
    const adaNet = fakeSignaling(async (message) => {
      const at = new Date().toISOString();
      bobNet.deliver({ from: 'ada', message, at });
      return { at };
    });
    const adaChat = new ChatSession({ crypto: chatOf(ada), nameOf: () => 'Bob' });
    adaChat.attach(adaNet.signaling);

    expect(adaChat.send('secret plan ✓', 'Ada')).toBe(true);
    await vi.waitFor(() => expect(adaChat.store.getSnapshot().messages[0]?.status).toBe('sent'), soon);
    expect(Buffer.from(fromBase64url(adaNet.sent[0]!)).toString()).not.toContain('secret plan');
    // Bob is not in the group yet: shown as being decrypted, and tried again.
    await vi.waitFor(() => expect(bobDecrypt.mock.calls.length).toBeGreaterThanOrEqual(3), soon);
    expect(bobChat.store.getSnapshot().messages).toEqual([expect.objectContaining({ from: 'ada', status: 'decrypting' })]);

    ds.release('bob');
    await vi.waitFor(() => expect(bob.members().map((m) => m.peerId)).toEqual(['ada', 'bob']), soon);
    await vi.waitFor(
      () =>
        expect(bobChat.store.getSnapshot().messages).toEqual([
          expect.objectContaining({ from: 'ada', name: 'Ada', status: 'received', text: 'secret plan ✓' }),
        ]),
      soon,
    );

    // Tampered with, or relabelled by the server as someone else's: never (the sender's signature is checked).
    const bytes = (await ada.sealChat('x'))!;
    bytes[bytes.length - 1]! ^= 1;
    bobNet.deliver({ from: 'ada', message: toBase64url(bytes), at: new Date().toISOString() });
    bobNet.deliver({ from: 'mallory', message: toBase64url((await ada.sealChat('y'))!), at: new Date().toISOString() });
    await vi.waitFor(
      () => expect(bobChat.store.getSnapshot().messages.map((m) => m.status)).toEqual(['received', 'undecryptable', 'undecryptable']),
      soon,
    );
    // Their text is never shown: only a message whose signature checked has any.
    expect(
      bobChat.store
        .getSnapshot()
        .messages.slice(1)
        .map((m) => m.text),
    ).toEqual(['', '']);

    // Ada's leave notice: nothing in Bob's chat.
    const notice = (await ada.sealLeaving())!;
    const calls = bobDecrypt.mock.calls.length;
    bobNet.deliver({ from: 'ada', message: toBase64url(notice), at: new Date().toISOString() });
    await vi.waitFor(() => expect(bobDecrypt.mock.calls.length).toBe(calls + 1), soon);
    await expect(bobDecrypt.mock.results.at(-1)!.value).resolves.toMatchObject({ ok: false, silent: true });
    expect(bobChat.store.getSnapshot().messages).toHaveLength(3);

    adaChat.dispose();
    bobChat.dispose();
    ada.dispose();
    bob.dispose();
  }, 30_000);
});
