// One target's page: latency by phase over time, availability and incidents over 24 h, the samples of its
// last probe (its waterfall and TLS details) — all bounded to this target's series and a fixed window.
import { findIncidents, probePoints, type Incident, type ProbePoint } from './incidents.js';
import { computeUptime, type Uptime } from './uptime.js';
import { selector, selectorByName, window, type ExportedSeries, type MetricsReader, type RangeSeries } from './vm-reader.js';

export interface TargetRef {
  target: string;
  stage: string;
  account: string;
  group: string;
}

export interface LastProbe {
  timestampMs: number;
  success: boolean;
  reason?: string;
  /** The failure's message as `periscope probe` prints it. */
  message?: string;
  durationSeconds?: number;
  phases: Array<{ phase: string; seconds: number }>;
  /** Every other sample of that run by metric name (status code, HTTP version, redirects, …). */
  values: Record<string, number>;
  tls?: { version?: string; cipher?: string };
  cert?: { expiryMs?: number; subject?: string; issuer?: string; alternativeNames?: string; serial?: string; fingerprint?: string };
}

export interface TargetDetail {
  ref: TargetRef;
  fromMs: number;
  toMs: number;
  /** Seconds per phase at each step, in probe order. */
  phases: { names: string[]; timestamps: number[]; values: Array<Array<number | null>> };
  total: { timestamps: number[]; values: Array<number | null> };
  /**
   * The availability strip: per bucket (start times in `timestamps`, aligned to the bucket size so a reload
   * shows the same buckets) the uptime and coverage of its runs; null: no run in it (a gap, or not probed yet).
   */
  availability: { bucketMs: number; timestamps: number[]; values: Array<Uptime | null> };
  incidents: Incident[];
  last?: LastProbe;
}

const PHASE_ORDER = ['resolve', 'connect', 'tls', 'processing', 'transfer', 'query'];
const phaseRank = (p: string) => (PHASE_ORDER.includes(p) ? PHASE_ORDER.indexOf(p) : PHASE_ORDER.length);

/** Values aligned on one time axis (uPlot's data layout); null where a series has no point. */
export function alignSeries(series: readonly RangeSeries[], names: readonly string[], nameOf: (s: RangeSeries) => string) {
  const timestamps = [...new Set(series.flatMap((s) => s.timestamps))].sort((a, b) => a - b);
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const values = names.map((name) => {
    const row: Array<number | null> = new Array<number | null>(timestamps.length).fill(null);
    for (const s of series.filter((x) => nameOf(x) === name)) s.timestamps.forEach((t, i) => (row[index.get(t) as number] = s.values[i] as number));
    return row;
  });
  return { timestamps, values };
}

/**
 * A point of nothing (null in every series) where the series skip a step: charts draw a gap there, as the
 * bars do, instead of a line across the time nothing was measured.
 */
export function withGaps(aligned: { timestamps: number[]; values: Array<Array<number | null>> }, stepMs: number) {
  const timestamps: number[] = [];
  const values = aligned.values.map((): Array<number | null> => []);
  aligned.timestamps.forEach((t, i) => {
    const previous = aligned.timestamps[i - 1];
    if (previous !== undefined && t - previous > 1.5 * stepMs) {
      timestamps.push(previous + stepMs);
      values.forEach((row) => row.push(null));
    }
    timestamps.push(t);
    aligned.values.forEach((row, k) => values[k]?.push(row[i] ?? null));
  });
  return { timestamps, values };
}

/** The last run: every sample written with the newest probe_success timestamp. */
export function lastProbe(series: readonly ExportedSeries[]): LastProbe | undefined {
  const success = series.filter((s) => s.labels.__name__ === 'probe_success');
  const at = Math.max(...success.flatMap((s) => s.timestamps));
  if (!Number.isFinite(at)) return undefined;
  const valueAt = (s: ExportedSeries) => {
    const i = s.timestamps.lastIndexOf(at);
    return i >= 0 ? (s.values[i] as number) : undefined;
  };
  const out: LastProbe = { timestampMs: at, success: false, phases: [], values: {} };
  for (const s of series) {
    const v = valueAt(s);
    if (v === undefined) continue;
    const { __name__: name = '', ...labels } = s.labels;
    if (name === 'probe_success') out.success = v === 1;
    else if (name === 'probe_duration_seconds') out.durationSeconds = v;
    else if (name === 'probe_failure_info') out.reason = labels.reason;
    else if (name === 'probe_failure_message_info') out.message = labels.message;
    else if (/^probe_(http|postgres)_duration_seconds$/.test(name) && labels.phase) out.phases.push({ phase: labels.phase, seconds: v });
    else if (name === 'probe_tls_version_info') out.tls = { ...out.tls, version: labels.version ?? '' };
    else if (name === 'probe_tls_cipher_info') out.tls = { ...out.tls, cipher: labels.cipher ?? '' };
    else if (name === 'probe_ssl_earliest_cert_expiry') out.cert = { ...out.cert, expiryMs: v * 1000 };
    else if (name === 'probe_ssl_last_chain_info') {
      out.cert = {
        ...out.cert,
        subject: labels.subject ?? '',
        issuer: labels.issuer ?? '',
        alternativeNames: labels.subjectalternative ?? '',
        serial: labels.serialnumber ?? '',
        fingerprint: labels.fingerprint_sha256 ?? '',
      };
    } else out.values[name] = v;
  }
  out.phases.sort((a, b) => phaseRank(a.phase) - phaseRank(b.phase));
  return out;
}

export async function collectTargetDetail(reader: MetricsReader, ref: TargetRef, nowMs: number, options: { hours?: number; intervalMs?: number } = {}): Promise<TargetDetail> {
  const labels = { job: 'periscope', ...ref };
  const fromMs = nowMs - (options.hours ?? 6) * 3_600_000;
  // At most ~360 points per series, never finer than the probe interval.
  const stepMs = Math.max(options.intervalMs ?? 15_000, Math.ceil((nowMs - fromMs) / 360 / 1000) * 1000);
  const dayAgo = nowMs - 86_400_000;
  const [phaseSeries, totalSeries, runs, failures, recent] = await Promise.all([
    reader.range(`max by (phase) (last_over_time(${selectorByName('probe_(http|postgres)_duration_seconds', labels)}[${window(stepMs)}]))`, fromMs, nowMs, stepMs),
    reader.range(`max(last_over_time(${selector('probe_duration_seconds', labels)}[${window(stepMs)}]))`, fromMs, nowMs, stepMs),
    reader.raw(selector('probe_success', labels), dayAgo, nowMs),
    reader.raw(selector('probe_failure_info', labels), dayAgo, nowMs),
    reader.raw(selectorByName('probe_.*', labels), nowMs - 15 * 60_000, nowMs),
  ]);
  const names = [...new Set(phaseSeries.map((s) => s.labels.phase ?? ''))].sort((a, b) => phaseRank(a) - phaseRank(b));
  const phases = { names, ...withGaps(alignSeries(phaseSeries, names, (s) => s.labels.phase ?? ''), stepMs) };
  const total = withGaps(alignSeries(totalSeries, ['total'], () => 'total'), stepMs);
  const points = runs.flatMap((s) =>
    probePoints(s, failures.filter((f) => f.labels.instance === s.labels.instance).map((f) => ({ reason: f.labels.reason ?? 'unknown', timestamps: f.timestamps }))),
  );
  const last = lastProbe(recent);
  return {
    ref,
    fromMs,
    toMs: nowMs,
    phases,
    total: { timestamps: total.timestamps, values: total.values[0] ?? [] },
    availability: availabilityStrip(points, nowMs, options.intervalMs),
    incidents: findIncidents(points, nowMs).reverse(),
    ...(last ? { last } : {}),
  };
}

/**
 * 24 hours of runs in buckets of 15 minutes (or the interval, when longer), on a fixed grid: the last bucket
 * runs from its start to now. Each bucket's uptime and coverage are counted as the overview counts them, so
 * a bucket the monitor missed is drawn as a gap, neither as an outage nor as success.
 */
export function availabilityStrip(points: readonly ProbePoint[], nowMs: number, intervalMs: number | undefined): TargetDetail['availability'] {
  const bucketMs = Math.max(15 * 60_000, intervalMs ?? 0);
  const lastStart = Math.floor(nowMs / bucketMs) * bucketMs;
  const count = Math.ceil(86_400_000 / bucketMs);
  const timestamps = Array.from({ length: count }, (_, i) => lastStart - (count - 1 - i) * bucketMs);
  const sorted = [...points].sort((a, b) => a.timestampMs - b.timestampMs);
  const firstRunMs = sorted[0]?.timestampMs;
  const lastRunMs = sorted.at(-1)?.timestampMs;
  const values = timestamps.map((start) => {
    const end = Math.min(start + bucketMs, nowMs);
    const inside = sorted.filter((p) => p.timestampMs >= start && p.timestampMs < end);
    const started = firstRunMs !== undefined && firstRunMs >= start && firstRunMs < end;
    const newest = lastRunMs !== undefined && lastRunMs >= start && end === nowMs;
    return (
      computeUptime(
        {
          runs: inside.length,
          successes: inside.filter((p) => p.success).length,
          ...(started ? { firstRunMs } : {}),
          ...(newest ? { lastRunMs } : {}),
        },
        start,
        end,
        intervalMs,
      ) ?? null
    );
  });
  return { bucketMs, timestamps, values };
}
