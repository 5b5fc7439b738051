/**
 * Small statistics for benchmark results: percentiles of latency samples and
 * the median of repeated runs.
 *
 * @module
 */

/** Percentiles of a set of latency samples, in milliseconds. */
export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** Summarises samples (milliseconds); all zeros when there are none. */
export function summarizeLatency(samples: number[]): LatencySummary {
  if (samples.length === 0) return { samples: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
function percentile(sorted: ArrayLike<number>, fraction: number): number {
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounds to three decimals (microseconds, for milliseconds). */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
