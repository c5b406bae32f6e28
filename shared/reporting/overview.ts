// The overview every page shows (the UI, the status page): one row per target and probing account, with
// status, failure reason, uptime over 24 h / 7 d / 30 d, latency percentiles and certificate expiry.
// Every query is bounded in time (a window) and in series (aggregated by the target's identity, or one per
// series of probe_success, folded by identity here), so the cost grows with the number of targets, not with
// their history or label sets.
import { catalogKey, type Catalog } from './catalog.js';
import { computeUptime, type Uptime } from './uptime.js';
import { selector, window, type InstantSample, type MetricsReader, type RangeSeries } from './vm-reader.js';

export const IDENTITY = ['target', 'stage', 'account', 'group'] as const;
const BY = `by (${IDENTITY.join(', ')})`;
export const UPTIME_WINDOWS = { d1: 86_400_000, d7: 7 * 86_400_000, d30: 30 * 86_400_000 } as const;
type WindowName = keyof typeof UPTIME_WINDOWS;
/** How far back the current status looks; older results make the target "stale". */
const STATUS_WINDOW_MS = 10 * 60_000;

export interface TargetStatus {
  target: string;
  stage: string;
  account: string;
  group: string;
  instance: string;
  module: string;
  /** up: the last probe succeeded; down: it failed; stale: no result for 3 intervals (or 10 min). */
  state: 'up' | 'down' | 'stale';
  lastRunMs?: number;
  /** Reason of the last probe when it failed. */
  reason?: string;
  /** The last failed probe's message, as `periscope probe` prints it (when the probe wrote one). */
  message?: string;
  uptime: Partial<Record<WindowName, Uptime>>;
  /** Probe duration percentiles over 24 h, seconds. */
  p50?: number;
  p95?: number;
  /** probe_ssl_earliest_cert_expiry, Unix ms. */
  certExpiryMs?: number;
  public: boolean;
  slo?: number;
  /** From the targets file: missing runs are counted (coverage) only when it is known. */
  intervalMs?: number;
  /** The 30 days of the 30 d window, oldest first (collectOverview with { daily: true }). */
  daily?: DayUptime[];
}

export interface OverviewFilter {
  group?: string;
  stage?: string;
  account?: string;
}

export interface Overview {
  generatedMs: number;
  targets: TargetStatus[];
}

export type OverviewQueries = Record<string, InstantSample[]>;

const DAY_MS = 86_400_000;

/**
 * The 7 d and 30 d windows end now and start at a UTC midnight (today and the 6 or 29 days before it), so
 * their full days come from one range query at a 1-day step that VictoriaMetrics answers from its rollup
 * cache: a page load scans only today's samples instead of 30 days of every target (≈ 43 M samples at
 * 1 000 targets probed each minute, seconds of work). Today's part is an instant query.
 */
export function uptimeWindowStart(window: WindowName, nowMs: number): number {
  if (window === 'd1') return nowMs - UPTIME_WINDOWS.d1;
  return utcMidnight(nowMs) - (UPTIME_WINDOWS[window] / DAY_MS - 1) * DAY_MS;
}

const utcMidnight = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * Several rollups of one selector over one window in a single pass over its samples (MetricsQL's
 * aggr_over_time): VictoriaMetrics answers one series per input series and rollup, named by a `rollup` label.
 * Five separate 24 h queries over probe_success read the same 1.4 M samples (1 000 targets) five times.
 */
function rollups(selectorText: string, range: string, functions: readonly string[]): string {
  return `aggr_over_time((${functions.map((f) => `"${f}"`).join(', ')}), ${selectorText}[${range}])`;
}

/** Runs, successful runs and the first run's time: the three counts of uptime. */
const RUN_COUNTS = ['count_over_time', 'sum_over_time', 'tfirst_over_time'] as const;
/** The latest result and its time, for the status and the instance/module a target is shown with. */
const LATEST = ['last_over_time', 'tlast_over_time'] as const;

/** The instant queries of the overview, by name. */
export function overviewQueries(filter: OverviewFilter, nowMs: number): Record<string, string> {
  const m = (name: string) => selector(name, { job: 'periscope', ...filter });
  return {
    // Per series: the latest result and its time, runs, successes and the first run within 24 h.
    d1: rollups(m('probe_success'), '1d', [...LATEST, ...RUN_COUNTS]),
    today: rollups(m('probe_success'), window(Math.max(1000, nowMs - utcMidnight(nowMs))), RUN_COUNTS),
    reasonAt: `max by (target, stage, account, group, reason) (tlast_over_time(${m('probe_failure_info')}[${window(STATUS_WINDOW_MS)}]))`,
    // The failure's message as the CLI prints it (probe_failure_message_info{reason, message}).
    messageAt: `max by (target, stage, account, group, message) (tlast_over_time(${m('probe_failure_message_info')}[${window(STATUS_WINDOW_MS)}]))`,
    // Both percentiles in one pass (MetricsQL's quantiles_over_time), told apart by the `phi` label.
    latency: `max by (${IDENTITY.join(', ')}, phi) (quantiles_over_time("phi", 0.5, 0.95, ${m('probe_duration_seconds')}[1d]))`,
    cert: `min ${BY} (last_over_time(${m('probe_ssl_earliest_cert_expiry')}[1h]))`,
  };
}

/** Range queries at a 1-day step over the full UTC days of the 30 d window (cacheable: they end at midnight). */
export function overviewDayQueries(filter: OverviewFilter, nowMs: number): { startMs: number; endMs: number; stepMs: number; query: string } {
  return {
    // Each point at midnight t covers the day (t − 1 d, t]. The first covers the day before the window, only
    // to tell a target that started inside the window from one whose probing had stopped at its start.
    startMs: uptimeWindowStart('d30', nowMs),
    endMs: utcMidnight(nowMs),
    stepMs: DAY_MS,
    query: rollups(selector('probe_success', { job: 'periscope', ...filter }), '1d', RUN_COUNTS),
  };
}

export type DayAnswers = Record<string, RangeSeries[]>;

const keyOf = (l: Record<string, string>) => IDENTITY.map((k) => l[k] ?? '').join('\u0000');

/** The series of one rollup of an aggr_over_time answer. */
function ofRollup<T extends { labels: Record<string, string> }>(series: readonly T[] | undefined, rollup: string): T[] {
  return (series ?? []).filter((s) => s.labels.rollup === rollup);
}

/** One sample per target identity: `pick` folds the values of a target's series (sum of runs, earliest first run). */
function perIdentity(samples: InstantSample[], pick: (a: number, b: number) => number): InstantSample[] {
  const out = new Map<string, InstantSample>();
  for (const sample of samples) {
    const key = keyOf(sample.labels);
    const previous = out.get(key);
    out.set(key, previous ? { labels: previous.labels, value: pick(previous.value, sample.value) } : sample);
  }
  return [...out.values()];
}

const sum = (a: number, b: number) => a + b;

/** The named answers assembleOverview reads, from the rollup answers of overviewQueries(). */
function splitRollups(answers: OverviewQueries): OverviewQueries {
  const { d1, today, latency, ...rest } = answers;
  return {
    ...rest,
    p50: (latency ?? []).filter((s) => s.labels.phi === '0.5'),
    p95: (latency ?? []).filter((s) => s.labels.phi === '0.95'),
    seen: ofRollup(d1, 'last_over_time'),
    seenAt: ofRollup(d1, 'tlast_over_time'),
    runs_d1: perIdentity(ofRollup(d1, 'count_over_time'), sum),
    ok_d1: perIdentity(ofRollup(d1, 'sum_over_time'), sum),
    first_d1: perIdentity(ofRollup(d1, 'tfirst_over_time'), Math.min),
    runs_today: perIdentity(ofRollup(today, 'count_over_time'), sum),
    ok_today: perIdentity(ofRollup(today, 'sum_over_time'), sum),
    first_today: perIdentity(ofRollup(today, 'tfirst_over_time'), Math.min),
  };
}

/** The day series by what they count (dayTable folds a target's several series itself). */
function splitDayRollups(series: RangeSeries[]): DayAnswers {
  return { runs: ofRollup(series, 'count_over_time'), ok: ofRollup(series, 'sum_over_time'), first: ofRollup(series, 'tfirst_over_time') };
}

function byKey(samples: InstantSample[] | undefined): Map<string, number> {
  return new Map((samples ?? []).map((s) => [keyOf(s.labels), s.value]));
}

/** A day's (or today's) counts of one target: runs, successes and the first run (Unix ms). */
interface DayCounts {
  runs: number;
  ok: number;
  firstMs?: number;
}

/** Per target identity, per day start (UTC midnight, today included): its counts. */
type DayTable = Map<string, Map<number, DayCounts>>;

function dayTable(answers: OverviewQueries, days: DayAnswers, nowMs: number): DayTable {
  const table: DayTable = new Map();
  const cell = (key: string, dayStart: number) => {
    let row = table.get(key);
    if (!row) table.set(key, (row = new Map()));
    let c = row.get(dayStart);
    if (!c) row.set(dayStart, (c = { runs: 0, ok: 0 }));
    return c;
  };
  const fold = (c: DayCounts, what: 'runs' | 'ok' | 'first', v: number) => {
    if (what === 'first') c.firstMs = c.firstMs === undefined ? v * 1000 : Math.min(c.firstMs, v * 1000);
    else c[what] += v;
  };
  for (const what of ['runs', 'ok', 'first'] as const) {
    for (const s of days[what] ?? []) {
      const key = keyOf(s.labels);
      s.timestamps.forEach((t, i) => {
        const v = s.values[i];
        // The point at midnight t covers the day (t − 1 d, t].
        if (v !== undefined && Number.isFinite(v)) fold(cell(key, t - DAY_MS), what, v);
      });
    }
    for (const sample of answers[`${what}_today`] ?? []) fold(cell(keyOf(sample.labels), utcMidnight(nowMs)), what, sample.value);
  }
  return table;
}

/** A window's counts from the day table: the days from `fromMs` (a UTC midnight) to now. */
function windowCounts(row: Map<number, DayCounts> | undefined, fromMs: number): DayCounts {
  const out: DayCounts = { runs: 0, ok: 0 };
  for (const [dayStart, c] of row ?? []) {
    if (dayStart < fromMs) continue;
    out.runs += c.runs;
    out.ok += c.ok;
    if (c.firstMs !== undefined) out.firstMs = out.firstMs === undefined ? c.firstMs : Math.min(out.firstMs, c.firstMs);
  }
  return out;
}

/** Whether the target was probed before `t`: then a window starting at t counts from its start, not its first run. */
function probedBefore(row: Map<number, DayCounts> | undefined, t: number): boolean {
  for (const c of row?.values() ?? []) if (c.firstMs !== undefined && c.firstMs < t) return true;
  return false;
}

/** One bar of the daily availability bars (the status page, the target page). */
export interface DayUptime {
  /** UTC midnight the day starts at. */
  startMs: number;
  /** Undefined: no run that day (not probed yet, or a gap over the whole day). */
  uptime?: Uptime;
}

/** Rows from the answers of overviewQueries() and overviewDayQueries(), sorted by group, target, stage, account. */
export function assembleOverview(answers: OverviewQueries, days: DayAnswers, catalog: Catalog, nowMs: number, options: { daily?: boolean } = {}): Overview {
  // The newest series per identity names the instance and module (a changed URL, or a label added to the
  // target, leaves an old series): series are told apart by all their labels.
  const seriesKey = (l: Record<string, string>) => JSON.stringify(Object.entries(l).filter(([k]) => k !== 'rollup').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const seriesAt = new Map((answers.seenAt ?? []).map((s) => [seriesKey(s.labels), s.value]));
  const newest = new Map<string, { sample: InstantSample; at: number }>();
  for (const sample of answers.seen ?? []) {
    const key = keyOf(sample.labels);
    const at = seriesAt.get(seriesKey(sample.labels)) ?? 0;
    const previous = newest.get(key);
    if (!previous || at > previous.at) newest.set(key, { sample, at });
  }
  const rows = new Map<string, TargetStatus>();
  const reasons = new Map<string, { reason: string; at: number }>();
  for (const s of answers.reasonAt ?? []) {
    const key = keyOf(s.labels);
    const prev = reasons.get(key);
    if (!prev || s.value > prev.at) reasons.set(key, { reason: s.labels.reason ?? 'unknown', at: s.value });
  }
  const messages = new Map<string, { message: string; at: number }>();
  for (const s of answers.messageAt ?? []) {
    const key = keyOf(s.labels);
    const prev = messages.get(key);
    if (!prev || s.value > prev.at) messages.set(key, { message: s.labels.message ?? '', at: s.value });
  }
  const p50 = byKey(answers.p50);
  const p95 = byKey(answers.p95);
  const cert = byKey(answers.cert);
  const table = dayTable(answers, days, nowMs);
  const d1 = { runs: byKey(answers.runs_d1), ok: byKey(answers.ok_d1), first: byKey(answers.first_d1) };

  for (const [key, { sample, at }] of newest) {
    const l = sample.labels;
    const info = catalog.targets.get(catalogKey(l.group ?? '', l.target ?? ''));
    const intervalMs = info?.intervalMs;
    const staleAfter = intervalMs ? Math.max(3 * intervalMs, 120_000) : STATUS_WINDOW_MS;
    const lastRunMs = at > 0 ? at * 1000 : undefined;
    const fresh = lastRunMs !== undefined && nowMs - lastRunMs <= staleAfter;
    const up = sample.value === 1;
    const reason = reasons.get(key);
    const message = messages.get(key);
    const row = table.get(key);
    const uptime: TargetStatus['uptime'] = {};
    for (const w of Object.keys(UPTIME_WINDOWS) as WindowName[]) {
      const fromMs = uptimeWindowStart(w, nowMs);
      const firstD1 = d1.first.get(key);
      const counts: DayCounts =
        w === 'd1' ? { runs: d1.runs.get(key) ?? 0, ok: d1.ok.get(key) ?? 0, ...(firstD1 !== undefined ? { firstMs: firstD1 * 1000 } : {}) } : windowCounts(row, fromMs);
      // Probed before the window began: it counts from the window's start, so a stop at its start is a gap.
      const firstRunMs = counts.firstMs !== undefined && !probedBefore(row, fromMs) ? counts.firstMs : undefined;
      const u = computeUptime(
        { runs: counts.runs, successes: counts.ok, ...(firstRunMs !== undefined ? { firstRunMs } : {}), ...(lastRunMs !== undefined ? { lastRunMs } : {}) },
        fromMs,
        nowMs,
        intervalMs,
      );
      if (u) uptime[w] = u;
    }
    const certAt = cert.get(key);
    const failing = fresh && !up;
    rows.set(key, {
      target: l.target ?? '',
      stage: l.stage ?? '',
      account: l.account ?? '',
      group: l.group ?? '',
      instance: l.instance ?? '',
      module: l.module ?? '',
      state: !fresh ? 'stale' : up ? 'up' : 'down',
      ...(lastRunMs !== undefined ? { lastRunMs } : {}),
      ...(failing && reason ? { reason: reason.reason } : {}),
      ...(failing && message && message.message && message.at >= (reason?.at ?? 0) ? { message: message.message } : {}),
      uptime,
      ...(options.daily ? { daily: dailyUptime(row, nowMs, intervalMs, lastRunMs) } : {}),
      ...(p50.has(key) ? { p50: p50.get(key) as number } : {}),
      ...(p95.has(key) ? { p95: p95.get(key) as number } : {}),
      ...(certAt !== undefined && certAt > 0 ? { certExpiryMs: certAt * 1000 } : {}),
      public: info?.public ?? false,
      ...(info?.slo !== undefined ? { slo: info.slo } : {}),
      ...(intervalMs !== undefined ? { intervalMs } : {}),
    });
  }
  const targets = [...rows.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.target.localeCompare(b.target) || a.stage.localeCompare(b.stage) || a.account.localeCompare(b.account),
  );
  return { generatedMs: nowMs, targets };
}

/** The 30 days of the 30 d window, oldest first, today last (up to now). */
function dailyUptime(row: Map<number, DayCounts> | undefined, nowMs: number, intervalMs: number | undefined, lastRunMs: number | undefined): DayUptime[] {
  const today = utcMidnight(nowMs);
  const out: DayUptime[] = [];
  for (let d = uptimeWindowStart('d30', nowMs); d <= today; d += DAY_MS) {
    const c = row?.get(d);
    const end = Math.min(d + DAY_MS, nowMs);
    const firstRunMs = c?.firstMs !== undefined && !probedBefore(row, d) ? c.firstMs : undefined;
    const u = c
      ? computeUptime({ runs: c.runs, successes: c.ok, ...(firstRunMs !== undefined ? { firstRunMs } : {}), ...(d === today && lastRunMs !== undefined ? { lastRunMs } : {}) }, d, end, intervalMs)
      : undefined;
    out.push({ startMs: d, ...(u ? { uptime: u } : {}) });
  }
  return out;
}

export async function collectOverview(reader: MetricsReader, catalog: Catalog, nowMs: number, filter: OverviewFilter = {}, options: { daily?: boolean } = {}): Promise<Overview> {
  const day = overviewDayQueries(filter, nowMs);
  const [answers, days] = await Promise.all([
    Promise.all(Object.entries(overviewQueries(filter, nowMs)).map(async ([name, expr]) => [name, await reader.instant(expr, nowMs)] as const)),
    reader.range(day.query, day.startMs, day.endMs, day.stepMs, { cache: true }),
  ]);
  return assembleOverview(splitRollups(Object.fromEntries(answers)), splitDayRollups(days), catalog, nowMs, options);
}
