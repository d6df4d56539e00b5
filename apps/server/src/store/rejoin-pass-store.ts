/**
 * Rejoin passes kept in the database, so that a restart (graceful or a
 * crash) does not lock people out of the meeting they were in. Like login
 * sessions, only the SHA-256 of a pass is kept: a leaked database lets
 * nobody in. Times are ms since the epoch; `expiresAt` is null while the
 * holder is in the meeting. rooms/rejoin-passes.ts holds the rules; this is
 * its storage.
 */
import { createHash } from 'node:crypto';

export const hashPass = (pass: string): string => createHash('sha256').update(pass).digest('hex');

export interface StoredPass {
  passHash: string;
  peerId: string;
  roomId: string;
  /** null while the holder is in the meeting. */
  expiresAt: number | null;
}

export interface RejoinPassStore {
  all(): Promise<StoredPass[]>;
  /** A new pass for `peerId` (replacing any it had), in one step. */
  insert(pass: StoredPass, now: number): Promise<void>;
  /** The holder's connection dropped: the pass expires at `expiresAt` (unless it already expires). */
  release(peerId: string, expiresAt: number): Promise<void>;
  /** Every holder is gone at once (a restart): every held pass expires at `expiresAt`. Returns how many. */
  releaseAll(expiresAt: number): Promise<number>;
  deletePeer(peerId: string): Promise<void>;
  deleteRoom(roomId: string): Promise<void>;
  /** Deletes every pass that has expired by `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}
