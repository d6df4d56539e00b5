/**
 * Limits both ends agree on. The server enforces them; the client stays
 * under them so a well-behaved client is never cut off.
 */

/** Largest signaling frame the server parses; larger ones get `too_large`. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Frames above this are refused by the WebSocket layer itself (connection closed). */
export const HARD_MAX_FRAME_BYTES = 1024 * 1024;

/** Token bucket per connection: sustained rate and burst, in messages. */
export const RATE_LIMIT_PER_SECOND = 50;
export const RATE_LIMIT_BURST = 200;

/** A connection whose messages are refused this many times in a row is cut off. */
export const FLOOD_DROP_LIMIT = 100;

export const MAX_DISPLAY_NAME_LENGTH = 64;

/**
 * Chat. The longest message people may type (UTF-16 code units): at most 3
 * UTF-8 bytes each, so with padding, nonce and tag its ciphertext stays under
 * MAX_CHAT_SEALED_CHARS.
 */
export const MAX_CHAT_TEXT_LENGTH = 2000;
/** The largest chat ciphertext the server relays, in base64url characters (6 KiB of bytes). */
export const MAX_CHAT_SEALED_CHARS = 8192;
/** Chat per connection: a burst of this many messages, then one a second (10 messages per 10 s). */
export const CHAT_RATE_BURST = 10;
export const CHAT_RATE_PER_SECOND = 1;

/** Recording announcements per connection: a burst of this many changes, then one every 5 s. */
export const RECORDING_RATE_BURST = 6;
export const RECORDING_RATE_PER_SECOND = 0.2;

/** Room ids are URL-safe, short and case-sensitive. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** WebSocket close codes the server uses. */
export const CloseCode = {
  /** Policy violation: the client flooded. */
  Flooding: 4008,
  /** The peer was replaced by a newer connection or removed. */
  Removed: 4001,
} as const;
