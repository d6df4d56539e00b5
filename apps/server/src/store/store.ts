/** The persistent store: one database, one object per table. */
import type { Tightened } from './file-modes.js';
import { openDatabase, type Db } from './database.js';
import { AuditLog } from './audit-log.js';
import { RejoinPassStore } from './rejoin-pass-store.js';
import { RoomStore } from './room-store.js';
import { SessionStore } from './session-store.js';
import { UserStore } from './user-store.js';

export interface Store {
  db: Db;
  users: UserStore;
  sessions: SessionStore;
  rooms: RoomStore;
  audit: AuditLog;
  rejoinPasses: RejoinPassStore;
  close(): void;
}

/** `onTightened`: told of each database file found with permissions looser than 0600 (now tightened). */
export function openStore(dataDir: string, onTightened?: (t: Tightened) => void): Store {
  const db = openDatabase(dataDir, undefined, onTightened);
  return {
    db,
    users: new UserStore(db),
    sessions: new SessionStore(db),
    rooms: new RoomStore(db),
    audit: new AuditLog(db),
    rejoinPasses: new RejoinPassStore(db),
    close: () => db.close(),
  };
}
