/**
 * Accounts: username (unique whatever its case), argon2id password hash,
 * role. What every store dialect offers (sqlite/user-store.ts,
 * postgres/user-store.ts).
 */
import type { Role, User } from '@conclave/protocol';

export interface StoredUser extends User {
  passwordHash: string;
}

export const publicUser = ({ passwordHash: _, ...user }: StoredUser): User => user;

export interface UserStore {
  count(): Promise<number>;
  countAdmins(): Promise<number>;
  /** Throws StoreConflict if the name is taken (case-insensitively). */
  create(username: string, passwordHash: string, role: Role): Promise<StoredUser>;
  /**
   * Creates the user only while there is no user at all (the first admin), as
   * one atomic step, also against another node doing the same; null when a
   * user exists already.
   */
  createFirst(username: string, passwordHash: string, role: Role): Promise<StoredUser | null>;
  byId(id: number): Promise<StoredUser | null>;
  /** Case-insensitive. */
  byUsername(username: string): Promise<StoredUser | null>;
  /** By username, case-insensitively. */
  list(): Promise<StoredUser[]>;
  setRole(id: number, role: Role): Promise<void>;
  setPasswordHash(id: number, passwordHash: string): Promise<void>;
  /** Its sessions go with it; the rooms it created stay, without an owner. */
  delete(id: number): Promise<boolean>;
}
