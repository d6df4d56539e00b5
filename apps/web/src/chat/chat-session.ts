/**
 * The chat of one person in one meeting: sends what they type, encrypted, and
 * decrypts what the others send. Its store holds the chat log.
 *
 * The server relays `chatMessage` notifications holding ciphertext only:
 * MLS application messages, signed by the sender's leaf and numbered, so a
 * replayed, reordered or relabelled message is refused by the group layer.
 * A message we cannot open yet (we are still being added, or are rejoining)
 * is retried for a few seconds before it is shown as undecryptable.
 *
 * The log outlives reconnections (each new signaling connection is
 * `attach`ed) and ends with the meeting: nothing is stored.
 */
import { MAX_CHAT_TEXT_LENGTH, type NotificationData } from '@conclave/protocol';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import {
  addIncoming,
  addOwn,
  dropIncoming,
  emptyChatLog,
  markRead,
  normalizeChatText,
  ownFailed,
  ownRetry,
  ownSent,
  received,
  undecryptable,
  type ChatLog,
} from './chat-log.js';

export type ChatDecryptOutcome =
  | { ok: true; text: string }
  /** `retry`: the keys may still come (we are being added). `silent`: not a chat message (a leave notice): show nothing. */
  | { ok: false; retry: boolean; reason: string; silent?: boolean };

/** What chat needs of end-to-end encryption (E2eeSession). */
export interface ChatCrypto {
  /** base64url ciphertext for the group's current epoch, or null while we are not in the group. */
  encryptChat(text: string): Promise<string | null>;
  decryptChat(from: string, message: string): Promise<ChatDecryptOutcome>;
}

export type ChatSignaling = Pick<Signaling, 'request' | 'on'>;

export interface ChatSessionOptions {
  crypto: ChatCrypto;
  /** Display name of a participant, if known. */
  nameOf: (peerId: string) => string | undefined;
  /** How long an undecryptable message is retried, and how often. */
  retryForMs?: number;
  retryEveryMs?: number;
  now?: () => number;
}

export const CHAT_RETRY_FOR_MS = 3000;
export const CHAT_RETRY_EVERY_MS = 250;
/** Ciphertexts remembered to recognise replays. */
const SEEN_LIMIT = 2000;

interface Incoming {
  id: string;
  from: string;
  message: string;
  at: string;
  firstTry: number;
  /** Whether its place in the log is taken (a "decrypting…" line shown while it is retried). */
  placed?: boolean;
}

function failureText(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'chat_rate_limited') return 'Not sent: too many messages at once. Wait a few seconds and try again.';
  if (code === 'disconnected' || code === 'timeout' || code === 'not_joined') return 'Not sent: the connection to the meeting dropped.';
  return 'Not sent.';
}

export class ChatSession {
  private typed = '';
  readonly store = new Store<ChatLog>(emptyChatLog);
  private signaling: ChatSignaling | null = null;
  private detach: (() => void) | null = null;
  private open = false;
  private seq = 0;
  private readonly seen = new Set<string>();
  private readonly waiting = new Map<string, Incoming>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly retryForMs: number;
  private readonly retryEveryMs: number;
  private readonly now: () => number;
  private disposed = false;

  constructor(private readonly options: ChatSessionOptions) {
    this.retryForMs = options.retryForMs ?? CHAT_RETRY_FOR_MS;
    this.retryEveryMs = options.retryEveryMs ?? CHAT_RETRY_EVERY_MS;
    this.now = options.now ?? Date.now;
  }

  /** Listens on a (new) signaling connection; the previous one is forgotten. */
  attach(signaling: ChatSignaling): void {
    if (this.disposed) return;
    this.detach?.();
    this.signaling = signaling;
    this.detach = signaling.on('chatMessage', (data) => this.onMessage(data));
  }

  /** Typed but not sent yet, kept while the chat panel is closed. */
  get draft(): string {
    return this.typed;
  }

  setDraft(draft: string): void {
    this.typed = draft;
  }

  /** Whether the chat is on screen: while it is, nothing counts as unread. */
  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.set(markRead(this.log));
  }

  /** Sends a message to everyone in the meeting. Returns false if there was nothing to send. */
  send(text: string, selfName: string): boolean {
    const clean = normalizeChatText(text);
    if (clean.length === 0 || clean.length > MAX_CHAT_TEXT_LENGTH || this.disposed) return false;
    const id = `own-${++this.seq}`;
    this.set(addOwn(this.log, { id, name: selfName, text: clean, at: new Date(this.now()).toISOString() }));
    void this.deliver(id, clean);
    return true;
  }

  /** Sends a failed message of ours again (re-encrypted under the current key). */
  retry(id: string): void {
    const m = this.log.messages.find((x) => x.id === id);
    if (!m || !m.mine || m.status !== 'failed') return;
    this.set(ownRetry(this.log, id, new Date(this.now()).toISOString()));
    void this.deliver(id, m.text);
  }

  dispose(): void {
    this.disposed = true;
    this.detach?.();
    this.detach = null;
    this.signaling = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting.clear();
    this.store.clear();
  }

  private async deliver(id: string, text: string): Promise<void> {
    const signaling = this.signaling;
    let sealed: string | null = null;
    try {
      sealed = await this.options.crypto.encryptChat(text);
    } catch (err) {
      console.warn('conclave chat: could not encrypt', err);
    }
    if (!sealed || !signaling) {
      this.set(ownFailed(this.log, id, 'Not sent: encryption is not ready yet. Try again in a moment.'));
      return;
    }
    this.remember(sealed);
    try {
      const { at } = await signaling.request('chatSend', { message: sealed });
      this.set(ownSent(this.log, id, at));
    } catch (err) {
      this.set(ownFailed(this.log, id, failureText(err)));
    }
  }

  private onMessage({ from, message, at }: NotificationData<'chatMessage'>): void {
    if (this.disposed || this.seen.has(message)) return;
    this.remember(message);
    const id = `in-${++this.seq}`;
    void this.attempt({ id, from, message, at, firstTry: this.now() });
  }

  private remember(ciphertext: string): void {
    this.seen.add(ciphertext);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string);
  }

  /** One decryption attempt; schedules another while the key may still come. */
  private async attempt(m: Incoming): Promise<void> {
    let r: ChatDecryptOutcome;
    try {
      r = await this.options.crypto.decryptChat(m.from, m.message);
    } catch (err) {
      r = { ok: false, retry: false, reason: String(err) };
    }
    if (this.disposed) return;
    if (!r.ok && r.silent) {
      this.waiting.delete(m.id);
      if (m.placed) this.set(dropIncoming(this.log, m.id)); // shown as decrypting while it was retried
      return;
    }
    const name = this.options.nameOf(m.from);
    if (!m.placed) {
      m.placed = true;
      this.set(addIncoming(this.log, { id: m.id, from: m.from, name: name ?? 'Someone', at: m.at }));
    }
    if (r.ok) {
      this.waiting.delete(m.id);
      this.set(received(this.log, m.id, r.text, this.open, name));
    } else if (r.retry && this.now() - m.firstTry < this.retryForMs) {
      this.waiting.set(m.id, m);
      this.schedule();
    } else {
      this.waiting.delete(m.id);
      console.warn(`conclave chat: message from ${m.from} could not be decrypted: ${r.reason}`);
      this.set(undecryptable(this.log, m.id, 'This message could not be decrypted.', this.open, name));
    }
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const m of [...this.waiting.values()]) void this.attempt(m);
    }, this.retryEveryMs);
  }

  private get log(): ChatLog {
    return this.store.getSnapshot();
  }

  private set(log: ChatLog): void {
    this.store.set(log);
  }
}
