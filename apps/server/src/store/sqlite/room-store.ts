/** Rooms in SQLite (synchronous; sqlite/store.ts serves it as the async RoomStore). */
import { ROOM_PATCH_COLUMNS, type NewRoom, type RoomPatch, type StoredRoom } from '../room-store.js';
import { nowIso, unique, type Db } from './database.js';

interface RoomRow {
  id: string;
  name: string;
  password_hash: string | null;
  lobby: number;
  locked: number;
  max_participants: number;
  created_by: number | null;
  created_by_name: string | null;
  created_at: string;
}

const toRoom = (r: RoomRow): StoredRoom => ({
  id: r.id,
  name: r.name,
  passwordHash: r.password_hash,
  lobby: r.lobby === 1,
  locked: r.locked === 1,
  maxParticipants: r.max_participants,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: r.created_at,
});

const SELECT = 'SELECT rooms.*, users.username AS created_by_name FROM rooms LEFT JOIN users ON users.id = rooms.created_by';

export class SqliteRoomStore {
  constructor(private readonly db: Db) {}

  create(room: NewRoom): StoredRoom {
    unique('room', () =>
      this.db
        .prepare(
          'INSERT INTO rooms (id, name, password_hash, lobby, max_participants, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(room.id, room.name, room.passwordHash, room.lobby ? 1 : 0, room.maxParticipants, room.createdBy, nowIso()),
    );
    return this.get(room.id)!;
  }

  get(id: string): StoredRoom | null {
    const r = this.db.prepare(`${SELECT} WHERE rooms.id = ?`).get(id) as RoomRow | undefined;
    return r ? toRoom(r) : null;
  }

  list(ownerId?: number): StoredRoom[] {
    const rows =
      ownerId === undefined
        ? this.db.prepare(`${SELECT} ORDER BY rooms.created_at DESC, rooms.id`).all()
        : this.db.prepare(`${SELECT} WHERE rooms.created_by = ? ORDER BY rooms.created_at DESC, rooms.id`).all(ownerId);
    return (rows as RoomRow[]).map(toRoom);
  }

  update(id: string, patch: RoomPatch): StoredRoom | null {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(ROOM_PATCH_COLUMNS) as Array<[keyof RoomPatch, string]>) {
      if (patch[key] === undefined) continue;
      sets.push(`${column} = ?`);
      const v = patch[key];
      values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    if (sets.length) this.db.prepare(`UPDATE rooms SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.get(id);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM rooms WHERE id = ?').run(id).changes > 0;
  }
}
