/**
 * The REST API (accounts, rooms, admin), defined once in zod like the
 * signaling messages. Every error is JSON `{error: {code, message}}` with a
 * 4xx status for bad input; see RestErrorCode.
 */
import { z } from 'zod';
import { E2eeStatus } from './media.js';
import { RoomId } from './methods.js';

export const RestErrorCode = {
  BadRequest: 'bad_request',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  InvalidCredentials: 'invalid_credentials',
  WrongRoomPassword: 'wrong_room_password',
  RoomLocked: 'room_locked',
  RoomFull: 'room_full',
  TooManyAttempts: 'too_many_attempts',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  MethodNotAllowed: 'method_not_allowed',
  SetupNotAvailable: 'setup_not_available',
  /** 503: the server is too busy for this now (see Retry-After). */
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type RestErrorCode = (typeof RestErrorCode)[keyof typeof RestErrorCode];

export interface RestError {
  error: { code: RestErrorCode; message: string };
}

export const Role = z.enum(['admin', 'host']);
export type Role = z.infer<typeof Role>;

export const Username = z
  .string()
  .trim()
  .min(2, 'username: at least 2 characters')
  .max(40, 'username: at most 40 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'username: letters, digits, dot, dash and underscore only');

/** Account passwords: long enough to matter, short enough to hash quickly. */
export const NewPassword = z.string().min(10, 'password: at least 10 characters').max(256, 'password: at most 256 characters');
/** Room passwords: guessing is throttled per address, but many addresses together get many tries, so not too short. */
export const ROOM_PASSWORD_MIN_LENGTH = 8;
export const RoomPassword = z
  .string()
  .min(ROOM_PASSWORD_MIN_LENGTH, `room password: at least ${ROOM_PASSWORD_MIN_LENGTH} characters`)
  .max(128, 'room password: at most 128 characters');

export const LoginBody = z.object({ username: z.string().max(200), password: z.string().max(1024) }).strict();
export const SetupBody = z.object({ token: z.string().min(1).max(200), username: Username, password: NewPassword }).strict();

export const User = z.object({ id: z.number().int(), username: z.string(), role: Role, createdAt: z.string() });
export type User = z.infer<typeof User>;

export const CreateUserBody = z.object({ username: Username, password: NewPassword, role: Role }).strict();
export const UpdateUserBody = z.object({ role: Role.optional(), password: NewPassword.optional() }).strict();

export const RoomName = z.string().trim().min(1, 'name is empty').max(80, 'name: at most 80 characters');

export const CreateRoomBody = z
  .object({
    name: RoomName,
    password: RoomPassword.optional(),
    lobby: z.boolean().optional(),
    maxParticipants: z.number().int().min(2).max(100).optional(),
  })
  .strict();

export const UpdateRoomBody = z
  .object({
    name: RoomName.optional(),
    /** null removes the password. */
    password: RoomPassword.nullable().optional(),
    lobby: z.boolean().optional(),
    maxParticipants: z.number().int().min(2).max(100).optional(),
    locked: z.boolean().optional(),
  })
  .strict();

export const LiveParticipant = z.object({
  peerId: z.string(),
  displayName: z.string(),
  role: z.enum(['host', 'guest']),
  /** Sum of the participant's sending bitrates, as the SFU measures them. */
  bitrateKbps: z.number(),
  /** As the participant's own client reports it. */
  e2ee: z.union([E2eeStatus, z.literal('unknown')]),
  joinedAt: z.string(),
});
export type LiveParticipant = z.infer<typeof LiveParticipant>;

export const RoomSummary = z.object({
  id: RoomId,
  name: z.string(),
  hasPassword: z.boolean(),
  lobby: z.boolean(),
  locked: z.boolean(),
  maxParticipants: z.number().int(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  live: z.object({ participants: z.array(LiveParticipant), waiting: z.number().int() }),
});
export type RoomSummary = z.infer<typeof RoomSummary>;

/** What anyone with the link may know before joining. */
export const PublicRoom = z.object({ id: RoomId, name: z.string(), hasPassword: z.boolean(), lobby: z.boolean(), locked: z.boolean() });
export type PublicRoom = z.infer<typeof PublicRoom>;

export const TicketBody = z
  .object({
    password: z.string().max(1024).optional(),
    /** The pass the last join gave, to come back into a meeting locked (or with a lobby) since. */
    rejoinPass: z.string().max(128).optional(),
  })
  .strict();
export const Ticket = z.object({
  ticket: z.string(),
  expiresAt: z.string(),
  role: z.enum(['host', 'guest']),
  /**
   * Cluster mode: the node whose meeting this is. The client names it in the WebSocket URL (`&node=`), so a proxy
   * in front may route the socket straight there (any node would pass it on; the ticket, not this, decides).
   */
  node: z.string().max(40).optional(),
});
export type Ticket = z.infer<typeof Ticket>;

export const KickBody = z.object({ peerId: z.string().min(1).max(128) }).strict();

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const WorkerHealth = z.object({
  slot: z.number().int(),
  pid: z.number().int().nullable(),
  alive: z.boolean(),
  /** Percent of one core over the last sampling interval. */
  cpuPercent: z.number(),
  memoryMb: z.number(),
  routers: z.number().int(),
  transports: z.number().int(),
  producers: z.number().int(),
  consumers: z.number().int(),
});
export type WorkerHealth = z.infer<typeof WorkerHealth>;

export const HealthSample = z.object({ at: z.string(), workers: z.array(WorkerHealth) });
export type HealthSample = z.infer<typeof HealthSample>;

/** One node of a cluster, as its last heartbeat described it. */
export const ClusterNodeHealth = z.object({
  id: z.string(),
  /** The node answering this request. */
  self: z.boolean(),
  state: z.enum(['serving', 'draining']),
  version: z.string(),
  /** CPU percent of one core, averaged over its media workers. */
  cpu: z.number(),
  rooms: z.number().int(),
  peers: z.number().int(),
  workers: z.number().int(),
  /** Milliseconds since its last heartbeat. */
  heartbeatAgeMs: z.number(),
});
export type ClusterNodeHealth = z.infer<typeof ClusterNodeHealth>;

export const HealthReport = z.object({
  now: HealthSample,
  /** Samples of the last minutes, oldest first. */
  history: z.array(HealthSample),
  rooms: z.number().int(),
  peers: z.number().int(),
  uptimeSeconds: z.number(),
  /** Cluster mode: every live node (the figures above are this node's). Absent on a single node. */
  nodes: z.array(ClusterNodeHealth).optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;

/**
 * The REST routes, for reference and for the admin client:
 *   POST   /api/auth/login         LoginBody            → 200 {user} + session cookie
 *   POST   /api/auth/logout                             → 204
 *   GET    /api/auth/me                                 → 200 {user} | 401
 *   GET    /api/setup                                   → 200 {needed: boolean}
 *   POST   /api/setup              SetupBody            → 201 {user} + session cookie (first admin only)
 *   GET    /api/rooms                                   → 200 {rooms: RoomSummary[]}   (admin: all; host: own)
 *   POST   /api/rooms              CreateRoomBody       → 201 {id}
 *   GET    /api/rooms/:id                               → 200 RoomSummary              (owner or admin)
 *   PATCH  /api/rooms/:id          UpdateRoomBody       → 200 RoomSummary              (owner or admin)
 *   DELETE /api/rooms/:id                               → 204                          (owner or admin)
 *   POST   /api/rooms/:id/end                           → 204                          (owner or admin)
 *   POST   /api/rooms/:id/kick     KickBody             → 204                          (owner or admin)
 *   GET    /api/rooms/:id/public                        → 200 PublicRoom               (anyone)
 *   POST   /api/rooms/:id/ticket   TicketBody           → 200 Ticket                   (anyone; password checked)
 *   GET    /api/users                                   → 200 {users: User[]}          (admin)
 *   POST   /api/users              CreateUserBody       → 201 {user}                   (admin)
 *   PATCH  /api/users/:id          UpdateUserBody       → 200 {user}                   (admin)
 *   DELETE /api/users/:id                               → 204                          (admin)
 *   GET    /api/audit?limit=&before=                    → 200 {entries: AuditEntry[]}  (admin)
 *   GET    /api/health                                  → 200 HealthReport             (admin)
 */
export const REST_BODY_LIMIT_BYTES = 16 * 1024;
