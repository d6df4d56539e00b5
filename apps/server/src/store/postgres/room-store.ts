/** Rooms in PostgreSQL. */
import { ROOM_PATCH_COLUMNS, type NewRoom, type RoomPatch, type RoomStore, type StoredRoom } from '../room-store.js';
import type { Pg } from './database.js';

interface RoomRow {
  id: string;
  name: string;
  password_hash: string | null;
  lobby: boolean;
  locked: boolean;
  max_participants: number;
  created_by: number | null;
  created_by_name: string | null;
  created_at: Date;
}

const toRoom = (r: RoomRow): StoredRoom => ({
  id: r.id,
  name: r.name,
  passwordHash: r.password_hash,
  lobby: r.lobby,
  locked: r.locked,
  maxParticipants: r.max_participants,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: r.created_at.toISOString(),
});

const SELECT = 'SELECT rooms.*, users.username::text AS created_by_name FROM rooms LEFT JOIN users ON users.id = rooms.created_by';

export class PgRoomStore implements RoomStore {
  constructor(private readonly pg: Pg) {}

  async create(room: NewRoom): Promise<StoredRoom> {
    await this.pg.query(
      'INSERT INTO rooms (id, name, password_hash, lobby, max_participants, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [room.id, room.name, room.passwordHash, room.lobby, room.maxParticipants, room.createdBy, new Date()],
    );
    return (await this.get(room.id))!;
  }

  async get(id: string): Promise<StoredRoom | null> {
    const { rows } = await this.pg.query<RoomRow>(`${SELECT} WHERE rooms.id = $1`, [id]);
    return rows[0] ? toRoom(rows[0]) : null;
  }

  async list(ownerId?: number): Promise<StoredRoom[]> {
    const { rows } =
      ownerId === undefined
        ? await this.pg.query<RoomRow>(`${SELECT} ORDER BY rooms.created_at DESC, rooms.id`)
        : await this.pg.query<RoomRow>(`${SELECT} WHERE rooms.created_by = $1 ORDER BY rooms.created_at DESC, rooms.id`, [ownerId]);
    return rows.map(toRoom);
  }

  async update(id: string, patch: RoomPatch): Promise<StoredRoom | null> {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(ROOM_PATCH_COLUMNS) as Array<[keyof RoomPatch, string]>) {
      if (patch[key] === undefined) continue;
      values.push(patch[key]);
      sets.push(`${column} = $${values.length}`);
    }
    if (sets.length) {
      values.push(id);
      await this.pg.query(`UPDATE rooms SET ${sets.join(', ')} WHERE id = $${values.length}`, values);
    }
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.pg.query('DELETE FROM rooms WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
}
