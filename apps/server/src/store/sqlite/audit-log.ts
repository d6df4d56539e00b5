/** The audit log in SQLite (synchronous; sqlite/store.ts serves it as the async AuditLog). */
import type { AuditEntry } from '@conclave/protocol';
import { retentionCutoff, type AuditRecord } from '../audit-log.js';
import { nowIso, type Db } from './database.js';

export class SqliteAuditLog {
  constructor(private readonly db: Db) {}

  record(e: AuditRecord): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)')
      .run(nowIso(), e.actor, e.action, e.target ?? null, e.detail ?? null, e.ip ?? null);
  }

  list(limit = 100, before?: number): AuditEntry[] {
    const rows =
      before === undefined
        ? this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?').all(before, limit);
    return rows as AuditEntry[];
  }

  purgeOlderThan(days: number, now: Date = new Date()): number {
    const cutoff = retentionCutoff(days, now);
    if (cutoff === null) return 0;
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff.toISOString()).changes;
  }
}
