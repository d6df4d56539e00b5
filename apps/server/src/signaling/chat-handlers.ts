/**
 * Chat: the server relays each member's end-to-end encrypted message to the
 * other members of its room, stamped with the server's time, and forgets it.
 * There is no history: nothing is stored, and the message is never logged
 * (it is ciphertext, but its size and timing are nobody's business either).
 *
 * Each connection may send a burst of CHAT_RATE_BURST messages, then
 * CHAT_RATE_PER_SECOND (its session's chat bucket); beyond that it gets
 * `chat_rate_limited` and may try again shortly. This sits under the
 * connection-wide message limit, so a chatty client is slowed down, never cut off.
 */
import { ErrorCode, notification } from '@conclave/protocol';
import { RequestError } from './request-error.js';
import type { Handler } from './handler.js';
import { joined } from './session.js';

export const chatHandlers: { chatSend: Handler<'chatSend'>; groupMessage: Handler<'groupMessage'> } = {
  async chatSend(session, { message }) {
    const { peer, room } = joined(session);
    if (!session.buckets.chat.take()) {
      throw new RequestError(ErrorCode.ChatRateLimited, 'too many chat messages: wait a few seconds and send again');
    }
    const at = new Date().toISOString();
    room.broadcast(notification('chatMessage', { from: peer.id, message, at }), peer.id);
    return { at };
  },

  /** The group's own signed messages that are not chat (origin batches, notices): relayed like chat, under their own allowance, and forgotten. */
  async groupMessage(session, { message }) {
    const { peer, room } = joined(session);
    if (!session.buckets.group.take()) throw new RequestError(ErrorCode.RateLimited, 'too many group messages: slow down');
    room.broadcast(notification('groupMessage', { from: peer.id, message }), peer.id);
    return {};
  },
};
