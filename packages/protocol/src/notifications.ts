/**
 * Everything the server tells a client without being asked.
 */
import { z } from 'zod';
import { Id, MediaKind, MediaSource } from './media.js';
import { MAX_LOBBY_WAITING } from './limits.js';
import { AdmitMessage, Epoch, GroupJoinRequest, PeerInfo, SealedChat, SealedCommit, SealedGroupMessage, SealedWelcome } from './methods.js';

/** One guest waiting in a lobby, as hosts see them. */
export const LobbyEntry = z.object({ requestId: Id, displayName: z.string() });

export const notifications = {
  /** A frame the server could not answer by id (bad JSON, no id, rate limited). */
  protocolError: z.object({ code: z.string(), message: z.string() }),
  peerJoined: PeerInfo,
  peerLeft: z.object({ peerId: Id }),
  producerAdded: z.object({
    peerId: Id,
    producerId: Id,
    kind: MediaKind,
    source: MediaSource,
    paused: z.boolean(),
  }),
  producerPaused: z.object({ peerId: Id, producerId: Id }),
  producerResumed: z.object({ peerId: Id, producerId: Id }),
  /**
   * Who is speaking now, from the room's ActiveSpeakerObserver (null: nobody,
   * e.g. the speaker muted or left). Sent to everyone, the speaker included.
   */
  activeSpeaker: z.object({ peerId: Id.nullable() }),
  /**
   * The simulcast layer a video consumer of this client's now receives (null
   * while nothing is sent: paused because unseen, or no layer fits).
   */
  consumerLayers: z.object({
    consumerId: Id,
    spatialLayer: z.number().int().nonnegative().nullable(),
    temporalLayer: z.number().int().nonnegative().nullable(),
  }),
  /** A consumer of this client's was closed by the server (its producer went away). */
  consumerClosed: z.object({ consumerId: Id }),
  /** Someone asks to be added to the meeting's MLS group (see the groupJoin method). */
  groupJoinRequest: GroupJoinRequest,
  /** The commit that won `epoch` (the group moves to epoch + 1); never echoed to its sender. */
  groupCommit: z.object({ from: Id, epoch: Epoch, commit: SealedCommit }),
  /** An admission message from `from` (see the groupAdmit method). */
  groupAdmit: z.object({ from: Id, message: AdmitMessage }),
  /** To a peer a commit added: its Welcome into the group at `epoch`. */
  groupWelcome: z.object({ from: Id, epoch: Epoch, welcome: SealedWelcome }),
  /**
   * To a peer waiting to join the group: nobody is left in it, so this peer
   * founds a new one (epoch 0) and adds the others who wait.
   */
  groupFound: z.object({ waiting: z.array(GroupJoinRequest) }),
  /** Another member started or stopped recording the meeting in their browser. */
  peerRecording: z.object({ peerId: Id, recording: z.boolean() }),
  /** A chat message another member sent (never echoed to its sender), at the server's time. */
  chatMessage: z.object({ from: Id, message: SealedChat, at: z.iso.datetime() }),
  /** A member's signed group message that is not chat (see the groupMessage method). */
  groupMessage: z.object({ from: Id, message: SealedGroupMessage }),
  /**
   * The room is gone for this client. `rejoin` says whether joining again is
   * expected to work (a media worker was replaced, the server is restarting:
   * the client rejoins by itself, with its rejoin pass) or not.
   */
  /**
   * This client's media path is gone (the server's media worker under it
   * died, or it was moved): its transports, producers and consumers no
   * longer exist. It stays in the meeting (same peer id, sender index and
   * keys) and makes new transports, produces and consumes again.
   */
  mediaReset: z.object({ reason: z.enum(['worker-restarted', 'rebalanced']) }),
  roomClosed: z.object({
    reason: z.enum(['media-restarted', 'server-restart', 'ended-by-host', 'removed', 'deleted']),
    rejoin: z.boolean(),
    /** Who did it, for the words on screen. */
    by: z.string().optional(),
  }),
  /**
   * To a host as it joins: everyone waiting in the lobby now (at most
   * MAX_LOBBY_WAITING). Changes after that come one by one, as
   * lobbyEntered and lobbyLeft.
   */
  lobbyWaiting: z.object({ waiting: z.array(LobbyEntry).max(MAX_LOBBY_WAITING) }),
  /** To hosts: a guest started waiting in the lobby. */
  lobbyEntered: LobbyEntry,
  /** To hosts: a guest stopped waiting (admitted, denied, or gone). */
  lobbyLeft: z.object({ requestId: Id }),
  /** To a waiting guest: the host's answer. Admitted guests send `join` again. */
  lobbyDecision: z.object({ admitted: z.boolean(), by: z.string().optional() }),
  /** To a participant whose microphone a host turned off. */
  youWereMuted: z.object({ by: z.string() }),
  roomUpdated: z.object({ locked: z.boolean() }),
  /** To everyone: what a host did, so every participant can be told in words. */
  hostAction: z.object({
    action: z.enum(['mute', 'remove', 'lock', 'unlock', 'end', 'admit', 'deny']),
    by: z.string(),
    target: z.string().optional(),
  }),
} as const;

export type Notifications = typeof notifications;
export type NotificationName = keyof Notifications;
export type NotificationData<N extends NotificationName> = z.output<Notifications[N]>;
