/**
 * Every admin and host action: who, what, to what, when and from where.
 * Append-only, except that entries older than the retention period
 * (CONCLAVE_AUDIT_RETENTION_DAYS) are purged: at start and once a day.
 */
import type { AuditEntry } from '@conclave/protocol';
import { nowIso, type Db } from './database.js';

export interface AuditRecord {
  actor: string;
  action: string;
  target?: string | null;
  detail?: string | null;
  ip?: string | null;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  record(e: AuditRecord): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)')
      .run(nowIso(), e.actor, e.action, e.target ?? null, e.detail ?? null, e.ip ?? null);
  }

  /** Newest first; `before` pages backwards by id. */
  list(limit = 100, before?: number): AuditEntry[] {
    const rows =
      before === undefined
        ? this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?').all(before, limit);
    return rows as AuditEntry[];
  }

  /** Deletes the entries older than `days` days (none when `days` is 0: kept forever); returns how many. */
  purgeOlderThan(days: number, now: Date = new Date()): number {
    if (!Number.isInteger(days) || days < 0)
      throw new RangeError(`audit retention must be a whole number of days (0 = forever), not ${days}`);
    if (days === 0) return 0;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff.toISOString()).changes;
  }
}
