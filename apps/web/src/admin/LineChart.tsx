/**
 * A small time-series chart in inline SVG: one line with a soft area under
 * it, three grid lines, the scale's top value, and a hover read-out. Drawn at
 * the element's real pixel width (ResizeObserver), so lines stay crisp.
 */
import { useLayoutEffect, useRef, useState, type PointerEvent } from 'react';

export interface Point {
  t: number;
  v: number;
}

export interface LineChartProps {
  points: Point[];
  /** For screen readers, e.g. "CPU of worker 1". */
  label: string;
  format: (v: number) => string;
  /** The smallest top of the scale (so an idle line is not drawn as a cliff). */
  minMax: number;
  /** A fixed top of the scale (CPU: 100 % would flatten everything, so usually left out). */
  max?: number;
  color: 'cpu' | 'memory';
  height?: number;
}

/** 1, 2, 2.5, 5 × 10^n at or above v. */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function LineChart({ points, label, format, minMax, max, color, height = 84 }: LineChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const pad = 2;
  const top = max ?? niceCeil(Math.max(minMax, ...points.map((p) => p.v)) * 1.1);
  const t0 = points[0]?.t ?? 0;
  const t1 = points[points.length - 1]?.t ?? 1;
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => ((t - t0) / span) * (width - 1);
  const y = (v: number) => pad + (1 - Math.min(v, top) / top) * (height - 2 * pad);

  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
  const area = points.length > 1 ? `${line}L${x(t1).toFixed(1)},${height}L${x(t0).toFixed(1)},${height}Z` : '';
  const latest = points[points.length - 1];
  const values = points.map((p) => p.v);
  const summary = points.length
    ? `${label}: now ${format(latest!.v)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))} over the last ${Math.max(1, Math.round(span / 60_000))} min`
    : `${label}: no samples yet`;

  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    if (points.length === 0) return;
    const px = e.clientX - e.currentTarget.getBoundingClientRect().left;
    const t = t0 + (px / Math.max(1, width - 1)) * span;
    let best = 0;
    for (let i = 1; i < points.length; i++) if (Math.abs(points[i]!.t - t) < Math.abs(points[best]!.t - t)) best = i;
    setHover(best);
  };
  const hovered = hover !== null ? points[hover] : undefined;

  return (
    <div className={`chart chart--${color}`} ref={ref}>
      <span className="chart__scale" aria-hidden="true">
        {format(top)}
      </span>
      {width > 0 && (
        <svg width={width} height={height} role="img" aria-label={summary} onPointerMove={onMove} onPointerLeave={() => setHover(null)}>
          {[0.25, 0.5, 0.75].map((f) => (
            <line
              key={f}
              className="chart__grid"
              x1={0}
              x2={width}
              y1={Math.round(pad + f * (height - 2 * pad)) + 0.5}
              y2={Math.round(pad + f * (height - 2 * pad)) + 0.5}
            />
          ))}
          {area && <path className="chart__area" d={area} />}
          {points.length > 1 && <path className="chart__line" d={line} />}
          {latest && !hovered && <circle className="chart__dot" cx={x(latest.t)} cy={y(latest.v)} r={3} />}
          {hovered && (
            <>
              <line className="chart__cursor" x1={x(hovered.t)} x2={x(hovered.t)} y1={0} y2={height} />
              <circle className="chart__dot" cx={x(hovered.t)} cy={y(hovered.v)} r={3.5} />
            </>
          )}
        </svg>
      )}
      {points.length > 1 && (
        <span className="chart__axis" aria-hidden="true">
          <span>{span < 90_000 ? `${Math.round(span / 1000)} s` : `${Math.round(span / 60_000)} min`} ago</span>
          <span>now</span>
        </span>
      )}
      {hovered && width > 0 && (
        <span className="chart__tooltip" aria-hidden="true" style={{ left: Math.min(Math.max(x(hovered.t), 48), width - 48) }}>
          <strong>{format(hovered.v)}</strong> {timeOfDay.format(new Date(hovered.t))}
        </span>
      )}
    </div>
  );
}
