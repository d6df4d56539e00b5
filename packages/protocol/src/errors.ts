/**
 * Stable error codes carried by error responses. Clients switch on `code`;
 * `message` is for people. Never renumber or rename a code.
 */
export const ErrorCode = {
  /** The frame was not valid JSON. */
  BadJson: 'bad_json',
  /** JSON, but not a well-formed message (fails its schema). */
  BadMessage: 'bad_message',
  /** A request for a method the server does not have. */
  UnknownMethod: 'unknown_method',
  /** The frame exceeds MAX_MESSAGE_BYTES. */
  TooLarge: 'too_large',
  /** The frame nests arrays/objects deeper than MAX_JSON_DEPTH (refused before parsing). */
  TooDeep: 'too_deep',
  /** Too many messages (or bytes); the connection is cut if it continues. */
  RateLimited: 'rate_limited',
  /** Too many chat messages from this connection; wait a few seconds (the connection stays). */
  ChatRateLimited: 'chat_rate_limited',
  /** Recording switched on and off too often on this connection; wait a few seconds (the connection stays). */
  RecordingRateLimited: 'recording_rate_limited',
  /** The request needs a joined peer. */
  NotJoined: 'not_joined',
  /** join was sent twice on one connection. */
  AlreadyJoined: 'already_joined',
  /**
   * This connection has joined once already (and left since): a join ticket
   * admits exactly one join. Open a new connection with a new ticket.
   */
  JoinUsed: 'join_used',
  /** The room's lobby holds MAX_LOBBY_WAITING guests already; try again later. */
  LobbyFull: 'lobby_full',
  /**
   * groupJoin twice on one join: a peer offers one KeyPackage per join (a
   * rejoin is a new join, with a new one).
   */
  GroupJoinRepeated: 'group_join_repeated',
  /**
   * groupCommit on an epoch that is over: another member's commit won it.
   * `epoch` in the error is the group's epoch now; process the winning
   * commit (it was relayed first) and commit again if still needed.
   */
  StaleEpoch: 'stale_epoch',
  /** A group handshake from a peer the Delivery Service does not count as a group member. */
  NotGroupMember: 'not_group_member',
  /** A transport, producer or consumer id that is not this peer's. */
  NotFound: 'not_found',
  /** The room cannot take more participants. */
  RoomFull: 'room_full',
  /** The receiver cannot consume this producer with its capabilities. */
  CannotConsume: 'cannot_consume',
  /** mediasoup refused the operation (bad parameters from the client). */
  MediaRejected: 'media_rejected',
  /** The server is not ready (media workers starting or restarting). */
  Unavailable: 'unavailable',
  /** The connection's ticket or session does not allow this. */
  Forbidden: 'forbidden',
  /** The room is locked against new joins. */
  RoomLocked: 'room_locked',
  /** No such room (or no longer). */
  NoSuchRoom: 'no_such_room',
  /** A bug on the server; details are in its log, not in the response. */
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** stale_epoch only: the epoch that won, i.e. the group's epoch now. */
  epoch?: number;
}
