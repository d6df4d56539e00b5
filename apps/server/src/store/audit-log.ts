/** Every admin and host action: who, what, to what, when and from where. Append-only. */
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
}
