/**
 * Chat: the server relays each member's end-to-end encrypted message to the
 * other members of its room, stamped with the server's time, and forgets it.
 * There is no history: nothing is stored, and the message is never logged
 * (it is ciphertext, but its size and timing are nobody's business either).
 *
 * Each connection may send a burst of CHAT_RATE_BURST messages, then
 * CHAT_RATE_PER_SECOND; beyond that it gets `chat_rate_limited` and may try
 * again shortly. This sits under the connection-wide message limit, so a
 * chatty client is slowed down, never cut off.
 */
import { CHAT_RATE_BURST, CHAT_RATE_PER_SECOND, ErrorCode, notification } from '@conclave/protocol';
import { TokenBucket } from './rate-limiter.js';
import { RequestError } from './request-error.js';
import type { Handler } from './handler.js';
import { joined, type Session } from './session.js';

/** One bucket per connection, gone with it. */
const buckets = new WeakMap<Session, TokenBucket>();

function chatBucket(session: Session): TokenBucket {
  let bucket = buckets.get(session);
  if (!bucket) buckets.set(session, (bucket = new TokenBucket(CHAT_RATE_PER_SECOND, CHAT_RATE_BURST)));
  return bucket;
}

export const chatHandlers: { chatSend: Handler<'chatSend'> } = {
  async chatSend(session, { message }) {
    const { peer, room } = joined(session);
    if (!chatBucket(session).take()) {
      throw new RequestError(ErrorCode.ChatRateLimited, 'too many chat messages: wait a few seconds and send again');
    }
    const at = new Date().toISOString();
    room.broadcast(notification('chatMessage', { from: peer.id, message, at }), peer.id);
    return { at };
  },
};
