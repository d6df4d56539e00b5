/** Small statistics for the benchmarks: percentiles, a fixed-bin histogram, least squares. */

/** The p-th percentile (0–100, nearest rank) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

/** Counts in bins of `width` from 0; values past the last bin count in the last one (and in `max`). */
export class Histogram {
  private readonly bins: Uint32Array;
  count = 0;
  max = 0;

  constructor(
    private readonly width: number,
    binCount: number,
  ) {
    this.bins = new Uint32Array(binCount);
  }

  add(value: number): void {
    const i = Math.min(this.bins.length - 1, Math.max(0, Math.floor(value / this.width)));
    this.bins[i]! += 1;
    this.count += 1;
    if (value > this.max) this.max = value;
  }

  /** The upper edge of the bin holding the q-quantile (0–1); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return i === this.bins.length - 1 ? this.max : Math.min(this.max, (i + 1) * this.width);
    }
    return this.max;
  }
}

/**
 * Least squares without intercept: the coefficients c minimising
 * Σ (y − Σ c_j·x_j)², by the normal equations (a few unknowns only).
 * Null when the system is singular (too few or collinear samples).
 */
export function leastSquares(rows: readonly (readonly number[])[], ys: readonly number[]): number[] | null {
  const k = rows[0]?.length ?? 0;
  if (k === 0 || rows.length < k) return null;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  rows.forEach((x, r) => {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i]![j]! += x[i]! * x[j]!;
      a[i]![k]! += x[i]! * ys[r]!;
    }
  });
  // Gauss-Jordan with partial pivoting.
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    if (Math.abs(a[pivot]![c]!) < 1e-12) return null;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row, i) => row[k]! / row[i]!);
}
