// The monthly uptime report: per target (and probing account) the uptime, the downtime incidents and,
// against its objective (`slo:` on the target or its group), the error budget used. Counts come from
// VictoriaMetrics aggregated over the month (one answer per target); raw samples are read only for the
// targets that failed, to list their incidents.
import { catalogKey, type Catalog } from './catalog.js';
import { findIncidents, probePoints, type Incident } from './incidents.js';
import { IDENTITY } from './overview.js';
import type { Period } from './period.js';
import { computeUptime, errorBudget, type ErrorBudget, type Uptime } from './uptime.js';
import { selector, window, type InstantSample, type MetricsReader } from './vm-reader.js';

export interface ReportRow {
  target: string;
  group: string;
  stage: string;
  account: string;
  intervalMs?: number;
  /** Undefined: no probe result in the period. */
  uptime?: Uptime;
  incidents: Incident[];
  slo?: number;
  budget?: ErrorBudget;
}

export interface MonthlyReport {
  period: Period;
  generatedMs: number;
  rows: ReportRow[];
}

const BY = `by (${IDENTITY.join(', ')})`;
const keyOf = (l: Record<string, string>) => IDENTITY.map((k) => l[k] ?? '').join('\u0000');
const byKey = (samples: InstantSample[]) => new Map(samples.map((s) => [keyOf(s.labels), s]));

export async function collectMonthlyReport(reader: MetricsReader, catalog: Catalog, period: Period, nowMs: number, filter: { stage?: string; group?: string } = {}): Promise<MonthlyReport> {
  const m = (name: string) => selector(name, { job: 'periscope', ...filter });
  const w = window(period.endMs - period.startMs);
  // Instant queries look at (t − window, t]; one millisecond before the end makes that [start, end).
  const at = period.endMs - 1;
  const [runs, ok, first, before, failed] = await Promise.all([
    reader.instant(`sum ${BY} (count_over_time(${m('probe_success')}[${w}]))`, at),
    reader.instant(`sum ${BY} (sum_over_time(${m('probe_success')}[${w}]))`, at),
    reader.instant(`min ${BY} (tfirst_over_time(${m('probe_success')}[${w}]))`, at),
    // Probed in the 31 days before: it existed when the period began, so the whole period counts.
    reader.instant(`max ${BY} (tlast_over_time(${m('probe_success')}[31d]))`, period.startMs - 1),
    reader.instant(`sum ${BY} (count_over_time(${m('probe_failure_info')}[${w}]))`, at),
  ]);
  const okBy = byKey(ok);
  const firstBy = byKey(first);
  const beforeBy = byKey(before);
  const failedBy = byKey(failed);
  const rows: ReportRow[] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    const l = r.labels;
    const key = keyOf(l);
    const info = catalog.targets.get(catalogKey(l.group ?? '', l.target ?? ''));
    seen.add(catalogKey(l.group ?? '', l.target ?? ''));
    const firstRunMs = beforeBy.has(key) ? undefined : (firstBy.get(key)?.value ?? 0) * 1000;
    const uptime = computeUptime(
      { runs: r.value, successes: okBy.get(key)?.value ?? 0, ...(firstRunMs !== undefined ? { firstRunMs } : {}) },
      period.startMs,
      period.endMs,
      info?.intervalMs,
    );
    let incidents: Incident[] = [];
    if ((failedBy.get(key)?.value ?? 0) > 0 || (uptime?.failed ?? 0) > 0) {
      const ident = { job: 'periscope', target: l.target, stage: l.stage, account: l.account, group: l.group };
      const [success, failures] = await Promise.all([
        reader.raw(selector('probe_success', ident), period.startMs, period.endMs - 1),
        reader.raw(selector('probe_failure_info', ident), period.startMs, period.endMs - 1),
      ]);
      const points = success.flatMap((s) =>
        probePoints(s, failures.filter((f) => f.labels.instance === s.labels.instance).map((f) => ({ reason: f.labels.reason ?? 'unknown', timestamps: f.timestamps }))),
      );
      incidents = findIncidents(points, period.endMs);
    }
    rows.push({
      target: l.target ?? '',
      group: l.group ?? '',
      stage: l.stage ?? '',
      account: l.account ?? '',
      ...(info ? { intervalMs: info.intervalMs } : {}),
      ...(uptime ? { uptime } : {}),
      incidents,
      ...(info?.slo !== undefined ? { slo: info.slo } : {}),
      ...(info?.slo !== undefined && uptime ? { budget: errorBudget(uptime, info.slo) } : {}),
    });
  }
  // Targets of the file that never reported in the period: no data is not uptime either.
  if (!filter.stage) {
    for (const info of catalog.targets.values()) {
      if (seen.has(catalogKey(info.group, info.target)) || (filter.group && filter.group !== info.group)) continue;
      rows.push({ target: info.target, group: info.group, stage: '', account: '', intervalMs: info.intervalMs, incidents: [], ...(info.slo !== undefined ? { slo: info.slo } : {}) });
    }
  }
  rows.sort((a, b) => a.group.localeCompare(b.group) || a.target.localeCompare(b.target) || a.stage.localeCompare(b.stage) || a.account.localeCompare(b.account));
  return { period, generatedMs: nowMs, rows };
}
