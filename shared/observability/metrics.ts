// Self-metrics. In Lambda they are one CloudWatch embedded-metric-format (EMF) log line per run: CloudWatch
// extracts the metrics an alarm watches from the log, so there is no PutMetricData call (and no CloudWatch
// client) on the probe's path, and the alarms keep working when VictoriaMetrics does not. Only a metric that
// names `dimensions` becomes a CloudWatch metric (each costs $0.30 a month per dimension set); the others are
// plain fields of the same line, queryable with Logs Insights at no metric cost. Locally they are printed.
import { requestFields } from './request-context.js';

export const METRICS_NAMESPACE = 'Periscope';

export interface SelfMetric {
  name: string;
  value: number;
  unit: 'Count' | 'Milliseconds' | 'None';
  /**
   * Makes this a CloudWatch metric with these dimension keys (taken from the put's properties). Only for what
   * an alarm watches; without it the value is logged only.
   */
  dimensions?: readonly string[];
}

export interface MetricsSink {
  /**
   * `properties` are logged with the values; those named by a metric's `dimensions` are its dimensions.
   * `atMs` is the datapoint's time (default: now).
   */
  put(metrics: SelfMetric[], properties: Record<string, string>, atMs?: number): Promise<void>;
}

/** EMF limits (CloudWatch embedded metric format specification). */
const MAX_METRICS_PER_DIRECTIVE = 100;
const MAX_DIMENSIONS_PER_SET = 30;

/** One EMF log line: the directive for CloudWatch under `_aws`, and every value and property at the root. */
export function emfLine(metrics: SelfMetric[], properties: Record<string, string>, timestampMs: number, extra: Record<string, unknown> = {}): string {
  const root: Record<string, unknown> = { ...extra, ...properties };
  const directives = new Map<string, { Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>();
  for (const metric of metrics) {
    if (!Number.isFinite(metric.value)) throw new Error(`self-metric ${metric.name}: value ${metric.value} is not a finite number`);
    root[metric.name] = metric.value;
    if (!metric.dimensions) continue;
    if (metric.dimensions.length > MAX_DIMENSIONS_PER_SET) throw new Error(`self-metric ${metric.name}: more than ${MAX_DIMENSIONS_PER_SET} dimensions`);
    for (const key of metric.dimensions) {
      if (typeof properties[key] !== 'string' || properties[key] === '') throw new Error(`self-metric ${metric.name}: dimension ${key} has no value`);
    }
    const key = metric.dimensions.join('\0');
    let directive = directives.get(key);
    if (!directive) directives.set(key, (directive = { Namespace: METRICS_NAMESPACE, Dimensions: [[...metric.dimensions]], Metrics: [] }));
    if (directive.Metrics.length === MAX_METRICS_PER_DIRECTIVE) throw new Error(`more than ${MAX_METRICS_PER_DIRECTIVE} CloudWatch metrics in one line`);
    directive.Metrics.push({ Name: metric.name, Unit: metric.unit });
  }
  if (directives.size > 0) root._aws = { Timestamp: timestampMs, CloudWatchMetrics: [...directives.values()] };
  return JSON.stringify(root);
}

/** EMF lines on stdout (one `write` each, never through console.log, whose prefix would hide the JSON). */
export function createEmfSink(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`), now: () => number = Date.now): MetricsSink {
  return {
    async put(metrics, properties, atMs) {
      // The request id is a plain field (no dimension): it finds the invocation's other lines, costs no metric.
      write(emfLine(metrics, properties, atMs ?? now(), { level: 'info', message: 'self-metrics', time: new Date(now()).toISOString(), ...requestFields() }));
    },
  };
}

export function createPrintingSink(write: (line: string) => void): MetricsSink {
  return {
    async put(metrics, properties) {
      const where = Object.entries(properties).map(([k, v]) => `${k}=${v}`).join(' ');
      write(`metrics ${where}: ${metrics.map((m) => `${m.name}=${m.value}`).join(' ')}`);
    },
  };
}

/** The dimensions of the one per-run CloudWatch metric, `Runs`: what the probes-stopped alarms watch. */
export const RUNS_DIMENSIONS = ['stage', 'interval'] as const;

/** SpoolFailures (the spool denied, unreachable or full): per stage, a CloudWatch metric in runs that had some. */
export const SPOOL_FAILURES_DIMENSIONS = ['stage'] as const;

/** NotificationFailures (SNS denied or unreachable): per stage, what the notifications-failing alarm watches. */
export const NOTIFICATION_FAILURES_DIMENSIONS = ['stage'] as const;

/** StatusPagePublished: per stage, what the stale-status-page alarm counts. */
export const STATUS_PAGE_DIMENSIONS = ['stage'] as const;

/** ClaimFailures (the alert-claims table denied or unreachable): per stage, what the claims-failing alarm watches. */
export const CLAIM_FAILURES_DIMENSIONS = ['stage'] as const;

/**
 * A count that is a CloudWatch metric (with `dimensions`) only when it is above zero, a plain log field
 * otherwise: CloudWatch bills a custom metric for the hours it is sent, so an alarm on failures (missing data
 * = not breaching) costs nothing for the metric while nothing fails.
 */
export function failureCount(name: string, value: number, dimensions: readonly string[]): SelfMetric {
  return value > 0 ? { name, value, unit: 'Count', dimensions } : { name, value, unit: 'Count' };
}

/** A group's interval as the `interval` dimension: `1m`, `5m`, `1h` — or seconds where it is not whole minutes. */
export function intervalDimension(intervalMs: number): string {
  if (intervalMs % 3_600_000 === 0) return `${intervalMs / 3_600_000}h`;
  if (intervalMs % 60_000 === 0) return `${intervalMs / 60_000}m`;
  return `${intervalMs / 1000}s`;
}
