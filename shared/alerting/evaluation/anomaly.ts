// Seasonal anomaly detection that works on VictoriaMetrics 1.79 (no mad_over_time): the watched query is
// evaluated now and at the same time in each of the previous N seasons (what `offset` does, done with the
// query time so it works for any expression), and the current value is compared with the median of those
// values using the median absolute deviation, so one odd week cannot poison the baseline.
import type { AnomalySpec } from '../rules/schema.js';

export interface Baseline {
  median: number;
  /** Median absolute deviation, scaled by 1.4826 to estimate a standard deviation for normal data. */
  scaledMad: number;
  seasons: number;
}

export interface AnomalyVerdict {
  anomalous: boolean;
  /** Why not, when it is not (for `periscope check`): warm-up, direction, too small, within band. */
  why: string;
  baseline?: Baseline;
  /** Deviation in scaled MADs (Infinity when the history is perfectly flat and the value moved). */
  score: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function baselineOf(history: readonly number[]): Baseline {
  const m = median(history);
  return { median: m, scaledMad: 1.4826 * median(history.map((v) => Math.abs(v - m))), seasons: history.length };
}

export function judgeAnomaly(current: number, history: readonly number[], spec: AnomalySpec): AnomalyVerdict {
  const finite = history.filter(Number.isFinite);
  const warmup = spec.warmup ?? Math.min(spec.baseline.periods, 3);
  if (!Number.isFinite(current)) return { anomalous: false, why: 'no current value', score: 0 };
  if (finite.length < warmup) return { anomalous: false, why: `warming up: ${finite.length} of ${warmup} past seasons have data`, score: 0 };
  const baseline = baselineOf(finite);
  const deviation = current - baseline.median;
  const score = baseline.scaledMad > 0 ? Math.abs(deviation) / baseline.scaledMad : deviation === 0 ? 0 : Infinity;
  const base = { baseline, score };
  if (spec.direction === 'up' && deviation <= 0) return { anomalous: false, why: 'below baseline, rule watches up', ...base };
  if (spec.direction === 'down' && deviation >= 0) return { anomalous: false, why: 'above baseline, rule watches down', ...base };
  if (Math.abs(deviation) < spec.min_deviation) return { anomalous: false, why: `deviation ${deviation} under min_deviation`, ...base };
  if (score <= spec.sensitivity) return { anomalous: false, why: `within ${spec.sensitivity} MADs`, ...base };
  return { anomalous: true, why: 'anomalous', ...base };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** The `baseline` annotation of an anomalous alert: what was normal, and how far the value is from it. */
export function describeBaseline(baseline: Baseline, value: number, score: number): string {
  const deviations = Number.isFinite(score) ? `${score.toFixed(1)} deviations` : 'history was flat';
  return `median ${formatNumber(baseline.median)} over ${baseline.seasons} past seasons, typical deviation ${formatNumber(baseline.scaledMad)}, now ${formatNumber(value)} (${deviations})`;
}
