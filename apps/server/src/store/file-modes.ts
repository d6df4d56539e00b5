/**
 * Data at rest is for the server's user only: the data directory is 0700,
 * the database (with its -wal and -shm files) and the TLS private key 0600.
 * Each helper makes the path with that mode when it is missing, and tightens
 * it when it exists looser (a copy restored from a backup, an old install),
 * saying what it found so the caller can log it. Permissions mean nothing
 * on filesystems without them (Windows); there the helpers change nothing.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** A path whose permissions were looser than they should be, and were tightened (or could not be). */
export interface Tightened {
  path: string;
  /** The mode it had, e.g. 0o755. */
  was: number;
  now: number;
  /** Set when chmod was refused (the path belongs to another user): it stays as it was. */
  error?: string;
}

/** `mode` as the `ls`/`chmod` octal, e.g. "0755". */
export const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

function tighten(path: string, wanted: number): Tightened | null {
  const mode = statSync(path).mode & 0o777;
  // Looser means any permission for group or others (or anything beyond `wanted`).
  if ((mode & ~wanted) === 0) return null;
  try {
    chmodSync(path, wanted);
  } catch (err) {
    // Not ours to change (another user's directory the server may write in): say so, and carry on.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw err;
    return { path, was: mode, now: mode, error: code };
  }
  return { path, was: mode, now: wanted };
}

/** Makes `dir` (and missing parents) with mode 0700, or tightens it if it is looser. */
export function ensurePrivateDir(dir: string): Tightened | null {
  // A new directory is 0700 or tighter (the umask only removes bits); an existing one may be looser.
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return tighten(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes `file` (empty) with mode 0600 when `create` and it is missing, or
 * tightens it if it exists looser. A missing file without `create` is left
 * missing (null).
 */
export function ensurePrivateFile(file: string, { create = false } = {}): Tightened | null {
  try {
    return tighten(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!create) return null;
    // 'a': never truncates, should another process have made it meanwhile.
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    return tighten(file, PRIVATE_FILE_MODE);
  }
}

/** A log line's fields and words for `t`; `what` names the kind of path ("data at rest", "TLS files"). */
export function tightenedLine(t: Tightened, what: string): [Record<string, string>, string] {
  const fields = { path: t.path, was: octal(t.was), now: octal(t.now), ...(t.error ? { error: t.error } : {}) };
  return t.error
    ? [fields, `${what} readable by others, and not this user's to change: chmod it yourself (0700 for directories, 0600 for files)`]
    : [fields, `${what} readable by others: tightened the permissions`];
}
