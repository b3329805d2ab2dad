// Percentiles and counters for the benchmark reports. Every sample is kept: a run holds at most a few
// thousand orders per figure, so exact nearest-rank percentiles cost nothing and need no histogram.

/** A latency distribution as the reports print it, in milliseconds rounded to 0.1; all null when there were no samples. */
export interface Summary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/**
 * The nearest-rank percentile of sorted samples: the smallest value with at least p% of the samples
 * at or below it (p50 of [1,2,3,4] is 2, p100 is the max). Undefined for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is from 0 to 100, got ${p}`);
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const round = (value: number | undefined): number | null => (value === undefined ? null : Math.round(value * 10) / 10);

/** p50, p90, p99, max and mean of the samples (in any order). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1)),
    mean: round(sorted.length ? total / sorted.length : undefined),
  };
}

/** Counts per kind (`http:429`, `cancelled:OUT_OF_STOCK`, `timeout`, ...), as a plain object for the JSON report. */
export class Counter {
  private readonly counts = new Map<string, number>();

  /** Adds n (default 1) to a kind. */
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  /** The sum over every kind. */
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** The counts sorted by kind, so two reports list them in the same order. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** Smallest, largest and mean of a few whole numbers (history lengths of sampled workflows); nulls for none. */
export function range(values: readonly number[]): { min: number | null; max: number | null; mean: number | null } {
  if (values.length === 0) return { min: null, max: null, mean: null };
  return { min: Math.min(...values), max: Math.max(...values), mean: round(values.reduce((s, v) => s + v, 0) / values.length) };
}
