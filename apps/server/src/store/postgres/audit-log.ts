/** The audit log in PostgreSQL: `at` is a timestamptz, read back as the same ISO string SQLite keeps. */
import type { AuditEntry } from '@conclave/protocol';
import { retentionCutoff, type AuditLog, type AuditRecord } from '../audit-log.js';
import type { Pg } from './database.js';

type AuditRow = Omit<AuditEntry, 'at'> & { at: Date };

export class PgAuditLog implements AuditLog {
  constructor(private readonly pg: Pg) {}

  async record(e: AuditRecord): Promise<void> {
    await this.pg.query('INSERT INTO audit_log (at, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)', [
      new Date(),
      e.actor,
      e.action,
      e.target ?? null,
      e.detail ?? null,
      e.ip ?? null,
    ]);
  }

  async list(limit = 100, before?: number): Promise<AuditEntry[]> {
    const columns = 'SELECT id, at, actor, action, target, detail, ip FROM audit_log';
    // Past any id there can be (bigint, or a JS number's exact range): every entry is before it, as SQLite answers.
    const { rows } =
      before === undefined || before > Number.MAX_SAFE_INTEGER
        ? await this.pg.query<AuditRow>(`${columns} ORDER BY id DESC LIMIT $1`, [limit])
        : await this.pg.query<AuditRow>(`${columns} WHERE id < $1 ORDER BY id DESC LIMIT $2`, [before, limit]);
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  async purgeOlderThan(days: number, now: Date = new Date()): Promise<number> {
    const cutoff = retentionCutoff(days, now);
    if (cutoff === null) return 0;
    return (await this.pg.query('DELETE FROM audit_log WHERE at < $1', [cutoff])).rowCount ?? 0;
  }
}
