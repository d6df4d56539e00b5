/** Meeting rooms as configured: name, optional password hash, lobby, lock, size limit, owner. */

export interface StoredRoom {
  id: string;
  name: string;
  passwordHash: string | null;
  lobby: boolean;
  locked: boolean;
  maxParticipants: number;
  createdBy: number | null;
  createdByName: string | null;
  createdAt: string;
}

export interface NewRoom {
  id: string;
  name: string;
  passwordHash: string | null;
  lobby: boolean;
  maxParticipants: number;
  createdBy: number | null;
}

export type RoomPatch = Partial<Pick<StoredRoom, 'name' | 'passwordHash' | 'lobby' | 'locked' | 'maxParticipants'>>;

/** The columns a RoomPatch may change, by field. */
export const ROOM_PATCH_COLUMNS = {
  name: 'name',
  passwordHash: 'password_hash',
  lobby: 'lobby',
  locked: 'locked',
  maxParticipants: 'max_participants',
} as const satisfies Record<keyof RoomPatch, string>;

export interface RoomStore {
  /** Throws StoreConflict if the id is taken. */
  create(room: NewRoom): Promise<StoredRoom>;
  get(id: string): Promise<StoredRoom | null>;
  /** Newest first; only `ownerId`'s when given. */
  list(ownerId?: number): Promise<StoredRoom[]>;
  /** The room as it is after the change; null if there is no such room. */
  update(id: string, patch: RoomPatch): Promise<StoredRoom | null>;
  delete(id: string): Promise<boolean>;
}
