/**
 * Every admin and host action: who, what, to what, when and from where.
 * Append-only, except that entries older than the retention period
 * (CONCLAVE_AUDIT_RETENTION_DAYS) are purged: at start and once a day.
 */
import type { AuditEntry } from '@conclave/protocol';

export interface AuditRecord {
  actor: string;
  action: string;
  target?: string | null;
  detail?: string | null;
  ip?: string | null;
}

export interface AuditLog {
  record(e: AuditRecord): Promise<void>;
  /** Newest first; `before` pages backwards by id. */
  list(limit?: number, before?: number): Promise<AuditEntry[]>;
  /** Deletes the entries older than `days` days (none when `days` is 0: kept forever); returns how many. */
  purgeOlderThan(days: number, now?: Date): Promise<number>;
}

/** The cut-off for a retention of `days` (null: keep forever); a RangeError for a nonsense retention. */
export function retentionCutoff(days: number, now: Date): Date | null {
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError(`audit retention must be a whole number of days (0 = forever), not ${days}`);
  if (days === 0) return null;
  return new Date(now.getTime() - days * 86_400_000);
}
