/** The persistent store: one database, one object per table. */
import { openDatabase, type Db } from './database.js';
import { AuditLog } from './audit-log.js';
import { RoomStore } from './room-store.js';
import { SessionStore } from './session-store.js';
import { UserStore } from './user-store.js';

export interface Store {
  db: Db;
  users: UserStore;
  sessions: SessionStore;
  rooms: RoomStore;
  audit: AuditLog;
  close(): void;
}

export function openStore(dataDir: string): Store {
  const db = openDatabase(dataDir);
  return {
    db,
    users: new UserStore(db),
    sessions: new SessionStore(db),
    rooms: new RoomStore(db),
    audit: new AuditLog(db),
    close: () => db.close(),
  };
}
