/**
 * The chat as the UI shows it: an immutable list of messages in the order
 * they reached this browser, and how many arrived unread. Pure functions
 * only; ChatSession does the sending, receiving and decrypting.
 *
 * A message's life:
 *   mine:    sending → sent (with the server's time) | failed → (retry) sending …
 *   theirs:  decrypting → received | undecryptable
 */

export type ChatStatus = 'sending' | 'sent' | 'failed' | 'decrypting' | 'received' | 'undecryptable';

export interface ChatMessage {
  /** Unique in this log. */
  id: string;
  /** Sender's peer id ('' for our own messages). */
  from: string;
  /** Sender's display name at the time (ours for our own). */
  name: string;
  /** Plaintext; empty until decrypted. */
  text: string;
  /** ISO time: the server's for delivered messages, this browser's until then. */
  at: string;
  mine: boolean;
  status: ChatStatus;
  /** Why it failed or could not be decrypted, in words. */
  error?: string;
}

export interface ChatLog {
  messages: readonly ChatMessage[];
  /** Messages from others that became readable while the chat was closed. */
  unread: number;
}

/** Oldest messages are forgotten beyond this many. */
export const MAX_CHAT_MESSAGES = 500;

export const emptyChatLog: ChatLog = { messages: [], unread: 0 };

function append(log: ChatLog, message: ChatMessage): ChatLog {
  const messages = [...log.messages, message];
  if (messages.length > MAX_CHAT_MESSAGES) messages.splice(0, messages.length - MAX_CHAT_MESSAGES);
  return { ...log, messages };
}

function patch(log: ChatLog, id: string, change: (m: ChatMessage) => ChatMessage | null): ChatLog {
  const i = log.messages.findIndex((m) => m.id === id);
  const current = log.messages[i];
  if (!current) return log;
  const next = change(current);
  if (!next) return log;
  const messages = log.messages.slice();
  messages[i] = next;
  return { ...log, messages };
}

/** Our own message, shown at once while it is on its way. */
export function addOwn(log: ChatLog, m: { id: string; name: string; text: string; at: string }): ChatLog {
  return append(log, { ...m, from: '', mine: true, status: 'sending' });
}

/** The server relayed our message; `at` is its time, the one everyone else sees. */
export function ownSent(log: ChatLog, id: string, at: string): ChatLog {
  return patch(log, id, (m) => (m.mine && m.status === 'sending' ? { ...m, status: 'sent', at, error: undefined } : null));
}

export function ownFailed(log: ChatLog, id: string, error: string): ChatLog {
  return patch(log, id, (m) => (m.mine && m.status === 'sending' ? { ...m, status: 'failed', error } : null));
}

/** A failed message of ours goes out again. */
export function ownRetry(log: ChatLog, id: string, at: string): ChatLog {
  return patch(log, id, (m) => (m.mine && m.status === 'failed' ? { ...m, status: 'sending', at, error: undefined } : null));
}

/** Someone's message arrived; its text follows once it decrypts. */
export function addIncoming(log: ChatLog, m: { id: string; from: string; name: string; at: string }): ChatLog {
  return append(log, { ...m, text: '', mine: false, status: 'decrypting' });
}

/** It decrypted. `open`: whether the chat is on screen (otherwise it counts as unread). */
export function received(log: ChatLog, id: string, text: string, open: boolean, name?: string): ChatLog {
  const next = patch(log, id, (m) => (m.status === 'decrypting' ? { ...m, text, status: 'received', ...(name ? { name } : {}) } : null));
  return next === log || open ? next : { ...next, unread: next.unread + 1 };
}

/** It cannot be decrypted (wrong key, tampered, or its key never came). Shown, and counted unread. */
export function undecryptable(log: ChatLog, id: string, error: string, open: boolean, name?: string): ChatLog {
  const next = patch(log, id, (m) =>
    m.status === 'decrypting' ? { ...m, status: 'undecryptable', error, ...(name ? { name } : {}) } : null,
  );
  return next === log || open ? next : { ...next, unread: next.unread + 1 };
}

/** A line still decrypting that turned out not to be chat (a member's leave notice): it goes. */
export function dropIncoming(log: ChatLog, id: string): ChatLog {
  const i = log.messages.findIndex((m) => m.id === id && m.status === 'decrypting');
  if (i < 0) return log;
  return { ...log, messages: [...log.messages.slice(0, i), ...log.messages.slice(i + 1)] };
}

export function markRead(log: ChatLog): ChatLog {
  return log.unread === 0 ? log : { ...log, unread: 0 };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "14:05", in this browser's time zone. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The whole date and time, for a tooltip. */
export function fullTime(iso: string, locale?: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(locale, { dateStyle: 'full', timeStyle: 'medium' });
}

/**
 * The text people may send: outer blank lines and spaces dropped, line breaks
 * inside kept. Empty means there is nothing to send.
 */
export function normalizeChatText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}
