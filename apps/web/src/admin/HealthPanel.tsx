/** Server health (administrators only): totals, and a card per mediasoup worker, refreshed every 2 s. */
import { api, errorText } from './api.js';
import { formatUptime } from './format.js';
import { NodesTable } from './NodesTable.js';
import { PanelHeader } from './PanelHeader.js';
import { useSession } from './session.js';
import { usePolling } from './usePolling.js';
import { WorkerCard } from './WorkerCard.js';

export function HealthPanel() {
  const { onError } = useSession();
  const health = usePolling(api.health, 2000, onError);
  const report = health.data;
  const workers = report?.now.workers ?? [];
  const alive = workers.filter((w) => w.alive).length;
  const allAlive = workers.length > 0 && alive === workers.length;
  const samples = report ? (report.history.at(-1)?.at === report.now.at ? report.history : [...report.history, report.now]) : [];
  const totals = workers.reduce(
    (t, w) => ({ transports: t.transports + w.transports, producers: t.producers + w.producers, consumers: t.consumers + w.consumers }),
    { transports: 0, producers: 0, consumers: 0 },
  );

  return (
    <section className="panel" aria-labelledby="health-title">
      <PanelHeader
        titleId="health-title"
        title="Health"
        live
        subtitle={
          report
            ? allAlive
              ? 'All media workers are running.'
              : `${workers.length - alive} of ${workers.length} media workers are down.`
            : 'Loading…'
        }
      />

      {health.error != null && (
        <p className="notice notice--warn" role="alert">
          {report ? 'Live updates paused: ' : 'Could not load the server’s health: '}
          {errorText(health.error)}
        </p>
      )}

      {report && (
        <>
          <dl className="stat-grid" data-testid="health-summary">
            <div className="stat">
              <dt>Uptime</dt>
              <dd>{formatUptime(report.uptimeSeconds)}</dd>
            </div>
            <div className="stat">
              <dt>Live rooms</dt>
              <dd className="tabular">{report.rooms}</dd>
            </div>
            <div className="stat">
              <dt>People</dt>
              <dd className="tabular">{report.peers}</dd>
            </div>
            <div className={`stat${allAlive ? '' : ' stat--alert'}`}>
              <dt>Workers up</dt>
              <dd className="tabular">
                {alive} / {workers.length}
              </dd>
            </div>
            <div className="stat stat--wide">
              <dt>Transports · producers · consumers</dt>
              <dd className="tabular">
                {totals.transports} · {totals.producers} · {totals.consumers}
              </dd>
            </div>
          </dl>
          <div className="worker-grid">
            {workers.map((w) => (
              <WorkerCard key={w.slot} worker={w} history={samples} />
            ))}
          </div>
          {report.nodes && <NodesTable nodes={report.nodes} />}
        </>
      )}
      {!report && health.loading && (
        <div className="skeleton-cards" aria-busy="true" aria-label="Loading health">
          <span />
          <span />
        </div>
      )}
    </section>
  );
}
