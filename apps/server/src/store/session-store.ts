/**
 * Login sessions. The cookie holds a random token; the database holds only
 * its SHA-256, so a leaked database does not let anyone in. Sessions expire.
 */
import { createHash, randomBytes } from 'node:crypto';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A new session token (the cookie's value). */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

export interface SessionStore {
  create(userId: number, ttlMs: number): Promise<{ token: string; expiresAt: Date }>;
  /** The user id of a live session, or null (unknown or expired: an expired one is deleted). */
  userFor(token: string): Promise<number | null>;
  delete(token: string): Promise<void>;
  deleteForUser(userId: number): Promise<void>;
  /** Deletes the expired sessions; returns how many. */
  purgeExpired(): Promise<number>;
}
