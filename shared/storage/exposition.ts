// Prometheus text exposition for VictoriaMetrics' /api/v1/import/prometheus. VictoriaMetrics answers 204
// even when it drops a line, so this encoder never produces a line it would drop: names are checked,
// values are finite, label values escaped, timestamps in milliseconds.

export interface TimedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
}

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** VictoriaMetrics' -maxLabelValueLen default: longer values are truncated silently there. */
export const MAX_LABEL_VALUE_LENGTH = 16_384;
/** VictoriaMetrics' -maxLabelsPerTimeseries default (the metric name counts as one). */
export const MAX_LABELS_PER_SERIES = 30;
/** Timestamps below 2^31 are taken as seconds by VictoriaMetrics. */
const MIN_TIMESTAMP_MS = 2 ** 31;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Why VictoriaMetrics would drop or alter this sample, or undefined when it is safe to write. */
export function sampleProblem(sample: TimedSample): string | undefined {
  if (!METRIC_NAME_RE.test(sample.name)) return `invalid metric name "${sample.name}"`;
  if (!Number.isFinite(sample.value)) return `${sample.name}: value ${sample.value} is not finite`;
  if (!Number.isInteger(sample.timestampMs) || sample.timestampMs < MIN_TIMESTAMP_MS) {
    return `${sample.name}: timestamp ${sample.timestampMs} is not in milliseconds`;
  }
  const names = Object.keys(sample.labels);
  if (names.length + 1 > MAX_LABELS_PER_SERIES) return `${sample.name}: ${names.length} labels, more than ${MAX_LABELS_PER_SERIES - 1}`;
  for (const name of names) {
    if (!LABEL_NAME_RE.test(name)) return `${sample.name}: invalid label name "${name}"`;
    if ((sample.labels[name] as string).length > MAX_LABEL_VALUE_LENGTH) return `${sample.name}: label ${name} longer than ${MAX_LABEL_VALUE_LENGTH}`;
  }
  return undefined;
}

/** One exposition line; the caller has checked the sample with sampleProblem. */
export function encodeSample(sample: TimedSample): string {
  let labels = '';
  for (const name in sample.labels) {
    const value = sample.labels[name] as string;
    // An empty label value means "no label" to Prometheus and VictoriaMetrics: leave it out explicitly.
    if (value === '') continue;
    labels += `${labels ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
  }
  return `${sample.name}${labels ? `{${labels}}` : ''} ${sample.value} ${sample.timestampMs}`;
}

export function encodeSamples(samples: readonly TimedSample[]): string {
  let out = '';
  for (const sample of samples) out += `${encodeSample(sample)}\n`;
  return out;
}
