/**
 * Limits both ends agree on. The server enforces them; the client stays
 * under them so a well-behaved client is never cut off.
 */

/** Largest signaling frame the server parses; larger ones get `too_large`. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Frames above this are refused by the WebSocket layer itself (close 1009,
 * "message too big") while they arrive, before they are buffered whole.
 * Twice MAX_MESSAGE_BYTES: a slightly oversized frame still gets a
 * `too_large` answer; nothing larger costs more than this much memory.
 */
export const HARD_MAX_FRAME_BYTES = 2 * MAX_MESSAGE_BYTES;

/**
 * Deepest nesting of arrays and objects a frame may have, counted by a
 * scan of the raw text before JSON.parse (so `[[[[…` costs nothing). The
 * deepest real message (consume's rtpCapabilities: envelope, data,
 * capabilities, codecs, codec, parameters/rtcpFeedback, entry) is 7 deep.
 */
export const MAX_JSON_DEPTH = 16;

/** Widest object (keys) or array (items) anywhere inside an opaque mediasoup field. */
export const MAX_OPAQUE_WIDTH = 128;

/**
 * Largest opaque mediasoup field, as JSON characters. A browser's receive
 * rtpCapabilities (sent with every consume) is 3–8 KB; simulcast
 * rtpParameters about 2 KB; dtlsParameters a few hundred bytes.
 */
export const MAX_RTP_CAPABILITIES_CHARS = 32 * 1024;
export const MAX_RTP_PARAMETERS_CHARS = 16 * 1024;
export const MAX_DTLS_PARAMETERS_CHARS = 4 * 1024;

/**
 * Token bucket per connection: sustained rate and burst, in messages. The
 * burst covers the busiest honest moment, a (re)join into a full room: a
 * consume and a resumeConsumer per remote producer, all at once (100 people
 * with a microphone and a camera each, one sharing a screen: about 400
 * messages), plus the transports, producers and keys of the join itself.
 */
export const RATE_LIMIT_PER_SECOND = 50;
export const RATE_LIMIT_BURST = 500;

/**
 * Token bucket per connection, in bytes of received frames, beside the
 * message bucket: without it 200 frames of 64 KiB (12.5 MiB) would pass at
 * once. The heaviest honest moment is a (re)join into a full room: one
 * consume of 3–8 KB (it carries rtpCapabilities) per remote producer, so
 * 100 consumes are under 1 MiB; the burst is twice that. A frame the byte
 * bucket cannot pay for is refused like one over the message rate
 * (`rate_limited`, and the connection is cut after FLOOD_DROP_LIMIT).
 */
export const RATE_LIMIT_BYTES_PER_SECOND = 256 * 1024;
export const RATE_LIMIT_BYTES_BURST = 2 * 1024 * 1024;

/**
 * A connection whose unsent output (ws.bufferedAmount: what the kernel has
 * not taken yet) passes this is a member that stopped reading: it is
 * disconnected (close 4009; its client rejoins if it is alive) rather than
 * holding the server's memory. 1 MiB is minutes of ordinary notifications.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** A socket that has neither joined nor entered a lobby this long after the upgrade is closed (4010). */
export const JOIN_DEADLINE_MS = 20_000;

/**
 * MLS handshake bytes the server relays as the group's Delivery Service, in
 * base64url characters. A KeyPackage is about 350 bytes; a CPace message
 * (admission) is 32 bytes, an admission message at most 65. A commit for 100 members is a few KB; a Welcome carries
 * the ratchet tree (about 26 KB at 100 members). A commit and its Welcome
 * travel in one request, so together they stay under MAX_MESSAGE_BYTES.
 */
export const MAX_KEY_PACKAGE_CHARS = 2048;
export const MAX_PAKE_MESSAGE_CHARS = 128;
export const MAX_ADMIT_MESSAGE_CHARS = 256;
export const MAX_GROUP_COMMIT_CHARS = 16 * 1024;
export const MAX_GROUP_WELCOME_CHARS = 44 * 1024;
/** Members one commit may add or remove (as named to the server for routing). */
export const MAX_GROUP_CHANGES = 100;

/** Guests waiting in one room's lobby at once; one more gets `lobby_full`. */
export const MAX_LOBBY_WAITING = 50;

/**
 * A connection whose messages are refused this many times in a row (with
 * less than a second between refusals) is cut off.
 */
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

/**
 * Group messages: the meeting group's own signed notices that are not chat
 * (end-to-end MLS application messages: frame-origin batches, about two a
 * second and at most ~2.1 KB plus MLS framing; leave notices; failed
 * admissions), in base64url characters, and how many a connection may send:
 * a burst, then 8 a second (several times what a sender makes).
 */
export const MAX_GROUP_MESSAGE_CHARS = 4096;
export const GROUP_MESSAGE_RATE_BURST = 16;
export const GROUP_MESSAGE_RATE_PER_SECOND = 8;

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
  /**
   * The account behind this connection was deleted, demoted, had its password
   * reset or signed out: the client rejoins at once with a fresh ticket, as
   * whoever it now is (a guest, or a host of fewer rooms).
   */
  AccountChanged: 4003,
  /** The client stopped reading: its unsent output passed MAX_BUFFERED_BYTES. */
  SlowReader: 4009,
  /** The socket neither joined nor entered a lobby within JOIN_DEADLINE_MS. */
  JoinDeadline: 4010,
  /** WebSocket 1012 "service restart": the server is restarting; the client rejoins once it is back. */
  ServiceRestart: 1012,
} as const;
