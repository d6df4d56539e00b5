/**
 * Everything the server tells a client without being asked.
 */
import { z } from 'zod';
import { Id, MediaKind, MediaSource } from './media.js';
import { PeerInfo, SealedBytes } from './methods.js';

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
  /** A consumer of this client's was closed by the server (its producer went away). */
  consumerClosed: z.object({ consumerId: Id }),
  e2eeAnnounce: z.object({ peerId: Id, announcement: SealedBytes }),
  e2eeKey: z.object({ from: Id, box: SealedBytes }),
  /**
   * The room is gone for this client. `rejoin` says whether joining again is
   * expected to work (a media worker was replaced) or not.
   */
  roomClosed: z.object({
    reason: z.enum(['media-restarted', 'server-shutdown']),
    rejoin: z.boolean(),
  }),
} as const;

export type Notifications = typeof notifications;
export type NotificationName = keyof Notifications;
export type NotificationData<N extends NotificationName> = z.output<Notifications[N]>;
