/** The audit log (administrators only): who did what, to what, when and from where, newest first, paged. */
import { useCallback, useEffect, useState } from 'react';
import type { AuditEntry } from '@conclave/protocol';
import { api, errorText } from './api.js';
import { auditActionText, auditActionTone, auditActor } from './audit-text.js';
import { formatAgo, formatDateTime, formatDay, formatTime } from './format.js';
import { RefreshIcon } from './icons.js';
import { PanelHeader } from './PanelHeader.js';
import { useSession } from './session.js';

const PAGE = 25;

export function AuditPanel() {
  const { onError } = useSession();
  /** `before` cursors of the pages above this one; the last is this page's. */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [hasOlder, setHasOlder] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const before = cursors[cursors.length - 1];

  // Shows the page `before` names; whoever asks for a new page has set `loading` already.
  const fetchPage = useCallback(
    () =>
      // One more than a page tells whether there is an older page.
      api.audit(PAGE + 1, before).then(
        (page) => {
          setEntries(page.slice(0, PAGE));
          setHasOlder(page.length > PAGE);
          setLoadedAt(Date.now());
          setError(null);
          setLoading(false);
        },
        (err: unknown) => {
          onError(err);
          setError(err);
          setLoading(false);
        },
      ),
    [before, onError],
  );

  useEffect(() => {
    void fetchPage();
  }, [fetchPage]);
  const reload = () => {
    setLoading(true);
    void fetchPage();
  };
  const turnPage = (next: (c: (number | undefined)[]) => (number | undefined)[]) => {
    setLoading(true);
    setCursors(next);
  };

  const now = loadedAt;
  const pageNumber = cursors.length;
  const last = entries?.[entries.length - 1];

  return (
    <section className="panel" aria-labelledby="audit-title">
      <PanelHeader titleId="audit-title" title="Audit log" subtitle="Every administrator and host action: who, what, when and from where.">
        <button type="button" className="button" onClick={reload} disabled={loading}>
          <RefreshIcon className={loading ? 'spin' : undefined} /> <span className="collapse-narrow">Refresh</span>
        </button>
      </PanelHeader>

      {error != null && (
        <p className="notice notice--error" role="alert">
          Could not load the audit log: {errorText(error)}
        </p>
      )}

      {entries == null ? (
        loading && (
          <div className="skeleton-table" aria-busy="true" aria-label="Loading the audit log">
            <span />
            <span />
            <span />
          </div>
        )
      ) : entries.length === 0 ? (
        <div className="empty-state">
          <h3>Nothing recorded yet</h3>
          <p className="muted">Actions appear here as soon as someone takes them.</p>
        </div>
      ) : (
        <div className="table-card">
          <table className="data-table audit-table" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action} data-actor={e.actor}>
                  <td className="audit-table__when" data-label="When">
                    <time dateTime={e.at} title={formatDateTime(e.at)}>
                      <span className="audit-table__time">{formatTime(e.at)}</span>
                      <span className="audit-table__day">
                        {formatDay(e.at, now)} · {formatAgo(e.at, now)}
                      </span>
                    </time>
                  </td>
                  <td className="audit-table__who" data-label="Who">
                    <span className="audit-actor">{auditActor(e.actor).name}</span>
                    {auditActor(e.actor).context && <span className="audit-actor__context">{auditActor(e.actor).context}</span>}
                  </td>
                  <td className="audit-table__what" data-label="What">
                    <span className={`audit-action audit-action--${auditActionTone(e.action)}`} title={e.action}>
                      {auditActionText(e.action)}
                    </span>
                    {e.target && <span className="audit-target">{e.target}</span>}
                    {e.detail && <span className="audit-detail">{e.detail}</span>}
                  </td>
                  <td className="audit-table__from" data-label="From">
                    <code>{e.ip ?? '—'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Audit log pages">
            <span className="muted">Page {pageNumber}</span>
            <div className="pager__buttons">
              <button
                type="button"
                className="button button--small"
                data-testid="audit-newer"
                disabled={pageNumber === 1 || loading}
                onClick={() => turnPage((c) => c.slice(0, -1))}
              >
                Newer
              </button>
              <button
                type="button"
                className="button button--small"
                data-testid="audit-older"
                disabled={!hasOlder || loading || !last}
                onClick={() => last && turnPage((c) => [...c, last.id])}
              >
                Older
              </button>
            </div>
          </nav>
        </div>
      )}
    </section>
  );
}
