/** One mediasoup worker: alive or not, CPU and memory now and over the last minutes, and what it carries. */
import type { HealthSample, WorkerHealth } from '@conclave/protocol';
import { formatMb, formatPercent } from './format.js';
import { LineChart, type Point } from './LineChart.js';

export interface WorkerCardProps {
  worker: WorkerHealth;
  history: HealthSample[];
}

function series(history: HealthSample[], slot: number, pick: (w: WorkerHealth) => number): Point[] {
  const out: Point[] = [];
  for (const sample of history) {
    const w = sample.workers.find((x) => x.slot === slot);
    const t = new Date(sample.at).getTime();
    if (w && w.alive && !Number.isNaN(t)) out.push({ t, v: pick(w) });
  }
  return out;
}

export function WorkerCard({ worker, history }: WorkerCardProps) {
  const cpu = series(history, worker.slot, (w) => w.cpuPercent);
  const memory = series(history, worker.slot, (w) => w.memoryMb);
  const counts: [string, number][] = [
    ['Routers', worker.routers],
    ['Transports', worker.transports],
    ['Producers', worker.producers],
    ['Consumers', worker.consumers],
  ];
  return (
    <article
      className={`worker${worker.alive ? '' : ' worker--down'}`}
      data-testid="health-worker"
      data-slot={worker.slot}
      data-alive={worker.alive}
      aria-labelledby={`worker-${worker.slot}-title`}
    >
      <header className="worker__header">
        <h3 id={`worker-${worker.slot}-title`}>Worker {worker.slot + 1}</h3>
        <span className={`status-badge status-badge--${worker.alive ? 'ok' : 'down'}`}>
          <span className="status-badge__dot" aria-hidden="true" />
          {worker.alive ? 'Running' : 'Down'}
        </span>
        <span className="worker__pid muted">{worker.pid !== null ? `pid ${worker.pid}` : 'no process'}</span>
      </header>

      <div className="worker__metrics">
        <div className="metric">
          <span className="metric__label">
            <span className="legend legend--cpu" aria-hidden="true" />
            CPU
          </span>
          <span className="metric__value tabular" data-testid="health-worker-cpu">
            {worker.alive ? formatPercent(worker.cpuPercent) : '—'}
          </span>
          <LineChart points={cpu} label={`CPU of worker ${worker.slot + 1}`} format={formatPercent} minMax={5} color="cpu" />
        </div>
        <div className="metric">
          <span className="metric__label">
            <span className="legend legend--memory" aria-hidden="true" />
            Memory
          </span>
          <span className="metric__value tabular" data-testid="health-worker-memory">
            {worker.alive ? formatMb(worker.memoryMb) : '—'}
          </span>
          <LineChart points={memory} label={`Memory of worker ${worker.slot + 1}`} format={formatMb} minMax={32} color="memory" />
        </div>
      </div>

      <dl className="worker__counts">
        {counts.map(([label, n]) => (
          <div key={label} className="count">
            <dt>{label}</dt>
            <dd className="tabular" data-testid={`health-worker-${label.toLowerCase()}`}>
              {n}
            </dd>
          </div>
        ))}
      </dl>
    </article>
  );
}
