/**
 * Every request a client may send, with the data it carries and the data of
 * its successful response. One entry per method; server handlers and the
 * client's typed `request()` are both derived from this table.
 */
import { z } from 'zod';
import { TileView } from './simulcast.js';
import { cleanDisplayName } from './display-name.js';
import {
  MAX_ADMIT_MESSAGE_CHARS,
  MAX_GROUP_MESSAGE_CHARS,
  MAX_PAKE_MESSAGE_CHARS,
  MAX_CHAT_SEALED_CHARS,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_GROUP_CHANGES,
  MAX_GROUP_COMMIT_CHARS,
  MAX_GROUP_WELCOME_CHARS,
  MAX_KEY_PACKAGE_CHARS,
  ROOM_ID_PATTERN,
} from './limits.js';
import {
  DtlsParameters,
  E2eeStatus,
  IceCandidates,
  IceParameters,
  IceServer,
  Id,
  MediaKind,
  MediaSource,
  ProducerInfo,
  RtpCapabilities,
  RtpParameters,
  TransportDirection,
} from './media.js';

export const RoomId = z.string().regex(ROOM_ID_PATTERN, 'room id: 3-64 letters, digits, - or _');

/** Cleaned by cleanDisplayName (no control/bidi/zero-width characters, no role mark at the end), then checked. */
export const DisplayName = z
  .string()
  .max(4 * MAX_DISPLAY_NAME_LENGTH, `display name is longer than ${MAX_DISPLAY_NAME_LENGTH} characters`)
  .transform(cleanDisplayName)
  .pipe(
    z
      .string()
      .min(1, 'display name is empty')
      .max(MAX_DISPLAY_NAME_LENGTH, `display name is longer than ${MAX_DISPLAY_NAME_LENGTH} characters`),
  );

function sealed(max: number, what: string) {
  return z
    .string()
    .min(1, `empty ${what}`)
    .max(max, `${what} is longer than ${max} characters`)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url');
}

/** An MLS KeyPackage (RFC 9420), as the newcomer made it; opaque to the server. */
export const SealedKeyPackage = sealed(MAX_KEY_PACKAGE_CHARS, 'key package');
/** The newcomer's first CPace message (admission by the meeting secret); opaque to the server. */
export const PakeMessage = sealed(MAX_PAKE_MESSAGE_CHARS, 'PAKE message');
/** A later admission message between a newcomer and the member admitting it; opaque to the server. */
export const AdmitMessage = sealed(MAX_ADMIT_MESSAGE_CHARS, 'admission message');
/** An MLS commit message; opaque to the server. */
export const SealedCommit = sealed(MAX_GROUP_COMMIT_CHARS, 'commit');
/** An MLS Welcome message; opaque to the server. */
export const SealedWelcome = sealed(MAX_GROUP_WELCOME_CHARS, 'welcome');
/** A group epoch as the Delivery Service counts it: commits accepted since the group was founded. */
export const Epoch = z.number().int().nonnegative();

/** A newcomer's request to be added to the meeting's MLS group. */
export const GroupJoinRequest = z.object({ peerId: Id, keyPackage: SealedKeyPackage, pake: PakeMessage });
export type GroupJoinRequest = z.infer<typeof GroupJoinRequest>;

/** A group message (not chat: origin batches, leave notices…), end-to-end encrypted (base64url); relayed, never kept. */
export const SealedGroupMessage = sealed(MAX_GROUP_MESSAGE_CHARS, 'group message');

/** One chat message, end-to-end encrypted (base64url); the server relays it and keeps nothing. */
export const SealedChat = z
  .string()
  .min(1, 'empty chat message')
  .max(MAX_CHAT_SEALED_CHARS, `chat message is longer than ${MAX_CHAT_SEALED_CHARS} characters`)
  .regex(/^[A-Za-z0-9_-]*$/, 'base64url');

export const ParticipantRole = z.enum(['host', 'guest']);
export type ParticipantRole = z.infer<typeof ParticipantRole>;

export const PeerInfo = z.object({
  peerId: Id,
  displayName: z.string(),
  role: ParticipantRole,
  /** Small integer, unique in the room while the peer is in it; names the peer in SFrame KIDs. */
  senderIndex: z.number().int().nonnegative(),
  producers: z.array(ProducerInfo),
  /** The peer is recording the meeting in their own browser (see `setRecording`). */
  recording: z.boolean(),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

const Empty = z.object({}).strict();

export const methods = {
  /**
   * Enter the room the connection's ticket (or session) allows. In a room
   * with a lobby, a guest first gets `waiting`, then a `lobbyDecision`
   * notification; once admitted, it sends `join` again.
   */
  join: {
    request: z.object({ roomId: RoomId, displayName: DisplayName }).strict(),
    response: z.discriminatedUnion('status', [
      z.object({
        status: z.literal('joined'),
        peerId: Id,
        senderIndex: z.number().int().nonnegative(),
        role: ParticipantRole,
        room: z.object({ name: z.string(), locked: z.boolean() }),
        routerRtpCapabilities: RtpCapabilities,
        iceServers: z.array(IceServer),
        iceTransportPolicy: z.enum(['all', 'relay']),
        peers: z.array(PeerInfo),
        /**
         * Brings this participant back if the connection drops, even into a
         * meeting locked (or with a lobby) since: give it when asking for the
         * next join ticket. Single use; void after leaving or being removed.
         */
        rejoinPass: z.string(),
      }),
      z.object({ status: z.literal('waiting') }),
    ]),
  },
  createTransport: {
    request: z.object({ direction: TransportDirection }).strict(),
    response: z.object({
      transportId: Id,
      iceParameters: IceParameters,
      iceCandidates: IceCandidates,
      dtlsParameters: DtlsParameters,
    }),
  },
  connectTransport: {
    request: z.object({ transportId: Id, dtlsParameters: DtlsParameters }).strict(),
    response: Empty,
  },
  /**
   * New ICE credentials for a transport. `iceServers`, when present, are
   * fresh TURN credentials (the join's may have expired: they live minutes):
   * give them to the transport (updateIceServers) before restarting ICE.
   * Absent without TURN, or past the address's credential budget.
   */
  restartIce: {
    request: z.object({ transportId: Id }).strict(),
    response: z.object({ iceParameters: IceParameters, iceServers: z.array(IceServer).optional() }),
  },
  produce: {
    request: z
      .object({
        transportId: Id,
        kind: MediaKind,
        rtpParameters: RtpParameters,
        source: MediaSource,
        paused: z.boolean().default(false),
      })
      .strict(),
    response: z.object({ producerId: Id }),
  },
  pauseProducer: { request: z.object({ producerId: Id }).strict(), response: Empty },
  resumeProducer: { request: z.object({ producerId: Id }).strict(), response: Empty },
  closeProducer: { request: z.object({ producerId: Id }).strict(), response: Empty },
  consume: {
    request: z.object({ producerId: Id, rtpCapabilities: RtpCapabilities }).strict(),
    response: z.object({
      consumerId: Id,
      producerId: Id,
      peerId: Id,
      kind: MediaKind,
      source: MediaSource,
      rtpParameters: RtpParameters,
      producerPaused: z.boolean(),
    }),
  },
  resumeConsumer: { request: z.object({ consumerId: Id }).strict(), response: Empty },
  /**
   * How this client shows the videos it consumes (size in device pixels, and
   * whether on screen). The server picks each consumer's simulcast layers
   * from it and from the client's bandwidth, and pauses videos nobody sees.
   * Each call may name any subset; consumers not named keep their last view.
   */
  setViews: {
    request: z.object({ views: z.array(TileView).max(300) }).strict(),
    response: Empty,
  },
  /**
   * E2EE (the server as the MLS group's Delivery Service). Offer this
   * peer's KeyPackage and the first message of its admission (CPace), once
   * per join. The server relays
   * them to every other peer that has offered one (`groupJoinRequest`) and
   * keeps them until a commit adds this peer or it leaves.
   * `found`: nobody is in the group, so this peer founds it (epoch 0);
   * otherwise it waits for a `groupWelcome`. `waiting`: the other peers
   * whose requests are still open, so this peer can take over adding them.
   */
  groupJoin: {
    request: z.object({ keyPackage: SealedKeyPackage, pake: PakeMessage }).strict(),
    response: z.object({ found: z.boolean(), epoch: Epoch, waiting: z.array(GroupJoinRequest) }),
  },
  /**
   * A commit on `epoch`. The first commit of each epoch wins: the server
   * relays it to every other peer in the group or waiting to join
   * (`groupCommit`), delivers `welcome` to each peer in `added`, and answers
   * with the new epoch. A commit on an older epoch is refused (stale_epoch,
   * with the epoch now). `added` and `removed` only route the Welcome and
   * keep the server's count of who is in the group; the group itself decides.
   */
  /**
   * One admission message to one peer (the rest of a CPace run between a
   * newcomer and the member admitting it, and that member's proof over the
   * newcomer's Welcome), relayed as `groupAdmit`. Both must be in the group
   * or waiting to join it.
   */
  groupAdmit: {
    request: z.object({ to: Id, message: AdmitMessage }).strict(),
    response: Empty,
  },
  groupCommit: {
    request: z
      .object({
        epoch: Epoch,
        commit: SealedCommit,
        welcome: SealedWelcome.optional(),
        added: z.array(Id).max(MAX_GROUP_CHANGES).default([]),
        removed: z.array(Id).max(MAX_GROUP_CHANGES).default([]),
      })
      .strict(),
    response: z.object({ epoch: Epoch }),
  },
  /**
   * Relay an encrypted chat message to the other members of the room, who get
   * a `chatMessage` notification. The answer is the server's time for it.
   * Rate-limited per connection (chat_rate_limited); nothing is stored.
   */
  chatSend: {
    request: z.object({ message: SealedChat }).strict(),
    response: z.object({ at: z.iso.datetime() }),
  },
  /**
   * Relay one of the meeting group's own signed messages that are not chat
   * (a batch of this sender's frame hashes, a leave notice, a failed
   * admission) to the other members of the room, who get a `groupMessage`
   * notification. Kept apart from chat so chat shows only chat, and under its
   * own allowance. Rate-limited per connection (rate_limited); nothing is
   * stored.
   */
  groupMessage: {
    request: z.object({ message: SealedGroupMessage }).strict(),
    response: Empty,
  },
  /**
   * Tells the room this participant started or stopped recording the meeting
   * in their own browser; the recording never reaches the server. The others
   * get `peerRecording`, later joiners see it in PeerInfo. Rate-limited per
   * connection (recording_rate_limited).
   */
  setRecording: { request: z.object({ recording: z.boolean() }).strict(), response: Empty },
  leave: { request: Empty, response: Empty },
  /**
   * Is the server still there? Clients ask when they have heard nothing for a
   * while: a connection that died silently is noticed in seconds, not when
   * TCP gives up. Allowed before joining.
   */
  ping: { request: Empty, response: Empty },
  /** What this participant's client sees of encryption, for the admin page. */
  reportStatus: {
    request: z.object({ e2ee: E2eeStatus }).strict(),
    response: Empty,
  },
  // Host controls: refused for guests.
  lobbyAdmit: { request: z.object({ requestId: Id }).strict(), response: Empty },
  lobbyDeny: { request: z.object({ requestId: Id }).strict(), response: Empty },
  mutePeer: { request: z.object({ peerId: Id }).strict(), response: Empty },
  removePeer: { request: z.object({ peerId: Id }).strict(), response: Empty },
  lockRoom: { request: z.object({ locked: z.boolean() }).strict(), response: Empty },
  endMeeting: { request: Empty, response: Empty },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type RequestData<M extends MethodName> = z.input<Methods[M]['request']>;
export type ParsedRequestData<M extends MethodName> = z.output<Methods[M]['request']>;
export type ResponseData<M extends MethodName> = z.output<Methods[M]['response']>;
/** The server's answer to a join that got in (not the lobby's "waiting"). */
export type JoinAnswer = Extract<ResponseData<'join'>, { status: 'joined' }>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
