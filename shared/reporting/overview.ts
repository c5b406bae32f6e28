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
  uptime: Partial<Record<WindowName, Uptime>>;
  /** Probe duration percentiles over 24 h, seconds. */
  p50?: number;
  p95?: number;
  /** probe_ssl_earliest_cert_expiry, Unix ms. */
  certExpiryMs?: number;
  public: boolean;
  slo?: number;
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
    // Both percentiles in one pass (MetricsQL's quantiles_over_time), told apart by the `phi` label.
    latency: `max by (${IDENTITY.join(', ')}, phi) (quantiles_over_time("phi", 0.5, 0.95, ${m('probe_duration_seconds')}[1d]))`,
    cert: `min ${BY} (last_over_time(${m('probe_ssl_earliest_cert_expiry')}[1h]))`,
  };
}

/** Range queries at a 1-day step over the full UTC days of the 30 d window (cacheable: they end at midnight). */
export function overviewDayQueries(filter: OverviewFilter, nowMs: number): { startMs: number; endMs: number; stepMs: number; query: string } {
  return {
    // Each point at midnight t covers the day (t − 1 d, t]; the first covers the window's first day.
    startMs: uptimeWindowStart('d30', nowMs) + DAY_MS,
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

/** The day series by what they count (daySums folds a target's several series itself). */
function splitDayRollups(series: RangeSeries[]): DayAnswers {
  return { runs: ofRollup(series, 'count_over_time'), ok: ofRollup(series, 'sum_over_time'), first: ofRollup(series, 'tfirst_over_time') };
}

function byKey(samples: InstantSample[] | undefined): Map<string, number> {
  return new Map((samples ?? []).map((s) => [keyOf(s.labels), s.value]));
}

interface WindowCounts {
  runs: Map<string, number>;
  ok: Map<string, number>;
  /** Unix seconds of the first run in the window. */
  first: Map<string, number>;
}

/** Today's instant answers plus the full days from `fromMs` on, per target identity. */
function daySums(answers: OverviewQueries, days: DayAnswers, fromMs: number): WindowCounts {
  const counts: WindowCounts = { runs: byKey(answers.runs_today), ok: byKey(answers.ok_today), first: byKey(answers.first_today) };
  const add = (map: Map<string, number>, series: RangeSeries[] | undefined, pick: (a: number, b: number) => number) => {
    for (const s of series ?? []) {
      const key = keyOf(s.labels);
      s.timestamps.forEach((t, i) => {
        const v = s.values[i];
        // The point at t covers (t − 1 d, t]: inside the window when that day starts at or after fromMs.
        if (v === undefined || !Number.isFinite(v) || t - DAY_MS < fromMs) return;
        const prev = map.get(key);
        map.set(key, prev === undefined ? v : pick(prev, v));
      });
    }
  };
  add(counts.runs, days.runs, (a, b) => a + b);
  add(counts.ok, days.ok, (a, b) => a + b);
  add(counts.first, days.first, Math.min);
  return counts;
}

/** Rows from the answers of overviewQueries() and overviewDayQueries(), sorted by group, target, stage, account. */
export function assembleOverview(answers: OverviewQueries, days: DayAnswers, catalog: Catalog, nowMs: number): Overview {
  // The newest series per identity names the instance and module (a changed URL leaves an old series).
  const seriesAt = new Map((answers.seenAt ?? []).map((s) => [`${keyOf(s.labels)}\u0000${s.labels.instance ?? ''}`, s.value]));
  const newest = new Map<string, { sample: InstantSample; at: number }>();
  for (const sample of answers.seen ?? []) {
    const key = keyOf(sample.labels);
    const at = seriesAt.get(`${key}\u0000${sample.labels.instance ?? ''}`) ?? 0;
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
  const p50 = byKey(answers.p50);
  const p95 = byKey(answers.p95);
  const cert = byKey(answers.cert);
  const windows = {
    d1: { runs: byKey(answers.runs_d1), ok: byKey(answers.ok_d1), first: byKey(answers.first_d1) },
    d7: daySums(answers, days, uptimeWindowStart('d7', nowMs)),
    d30: daySums(answers, days, uptimeWindowStart('d30', nowMs)),
  } satisfies Record<WindowName, WindowCounts>;

  for (const [key, { sample, at }] of newest) {
    const l = sample.labels;
    const info = catalog.targets.get(catalogKey(l.group ?? '', l.target ?? ''));
    const intervalMs = info?.intervalMs;
    const staleAfter = intervalMs ? Math.max(3 * intervalMs, 120_000) : STATUS_WINDOW_MS;
    const lastRunMs = at > 0 ? at * 1000 : undefined;
    const fresh = lastRunMs !== undefined && nowMs - lastRunMs <= staleAfter;
    const up = sample.value === 1;
    const reason = reasons.get(key);
    const uptime: TargetStatus['uptime'] = {};
    for (const w of Object.keys(UPTIME_WINDOWS) as WindowName[]) {
      const first = windows[w].first.get(key);
      const u = computeUptime(
        {
          runs: windows[w].runs.get(key) ?? 0,
          successes: windows[w].ok.get(key) ?? 0,
          ...(first !== undefined ? { firstRunMs: first * 1000 } : {}),
          ...(lastRunMs !== undefined ? { lastRunMs } : {}),
        },
        uptimeWindowStart(w, nowMs),
        nowMs,
        intervalMs,
      );
      if (u) uptime[w] = u;
    }
    const certAt = cert.get(key);
    rows.set(key, {
      target: l.target ?? '',
      stage: l.stage ?? '',
      account: l.account ?? '',
      group: l.group ?? '',
      instance: l.instance ?? '',
      module: l.module ?? '',
      state: !fresh ? 'stale' : up ? 'up' : 'down',
      ...(lastRunMs !== undefined ? { lastRunMs } : {}),
      ...(fresh && !up && reason ? { reason: reason.reason } : {}),
      uptime,
      ...(p50.has(key) ? { p50: p50.get(key) as number } : {}),
      ...(p95.has(key) ? { p95: p95.get(key) as number } : {}),
      ...(certAt !== undefined && certAt > 0 ? { certExpiryMs: certAt * 1000 } : {}),
      public: info?.public ?? false,
      ...(info?.slo !== undefined ? { slo: info.slo } : {}),
    });
  }
  const targets = [...rows.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.target.localeCompare(b.target) || a.stage.localeCompare(b.stage) || a.account.localeCompare(b.account),
  );
  return { generatedMs: nowMs, targets };
}

export async function collectOverview(reader: MetricsReader, catalog: Catalog, nowMs: number, filter: OverviewFilter = {}): Promise<Overview> {
  const day = overviewDayQueries(filter, nowMs);
  const [answers, days] = await Promise.all([
    Promise.all(Object.entries(overviewQueries(filter, nowMs)).map(async ([name, expr]) => [name, await reader.instant(expr, nowMs)] as const)),
    reader.range(day.query, day.startMs, day.endMs, day.stepMs, { cache: true }),
  ]);
  return assembleOverview(splitRollups(Object.fromEntries(answers)), splitDayRollups(days), catalog, nowMs);
}
