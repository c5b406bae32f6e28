// Alerts from the series the anomaly check (and vmalert) write: ALERTS{alertname, alertstate, …} at every
// evaluation while an alert is pending or firing, ALERTS_FOR_STATE (value: when it became active), and the
// anomaly check's own periscope_alert_state (1 pending, 2 firing, 0 at the evaluation that ended it),
// periscope_alert_fired_at (value: when it fired) and periscope_alert_value.
//
// Times are read from sample values and sample timestamps, never from the query grid: an episode starts at
// ALERTS_FOR_STATE's value (activeAt, what `periscope check` prints), fires at periscope_alert_fired_at's
// value and ends at the timestamp of the periscope_alert_state = 0 sample (the evaluation that resolved it,
// the resolved notification's ended_at). The grid only decides which window a sample falls in, and it is
// aligned to its step, so reloading the page gives the same times.
import { selector, window, type MetricsReader, type RangeSeries } from './vm-reader.js';

export interface ActiveAlert {
  alertname: string;
  state: 'pending' | 'firing';
  labels: Record<string, string>;
  /** When it became active (pending), Unix ms. */
  activeAtMs?: number;
  /** When it began firing, Unix ms (anomaly check only). */
  firedAtMs?: number;
  /** The rule's value at the last evaluation (anomaly check only). */
  value?: number;
  lastSeenMs: number;
}

export interface AlertEpisode {
  alertname: string;
  labels: Record<string, string>;
  /** When it became active: ALERTS_FOR_STATE's value. */
  startMs: number;
  /** When it began firing; undefined if it never did. */
  firingMs?: number;
  /** The evaluation that ended it; undefined while it lasts. */
  endMs?: number;
  /** The rule's value at the last evaluation of the episode in the window (anomaly check only). */
  value?: number;
}

/** Alerts written within this long count as current: two missed evaluations of a 1-minute rule group. */
export const ACTIVE_WINDOW_MS = 3 * 60_000;
// The anomaly check's bookkeeping labels on its own periscope_alert_* series (the rule an alert belongs to, the
// query's values of labels the rule replaced) are not part of the alert: ALERTS and ALERTS_FOR_STATE lack them.
const HIDDEN = new Set(['alertstate', '__name__', 'rollup', 'periscope_rule', 'periscope_query_labels']);

export const alertIdentity = (labels: Record<string, string>): string =>
  JSON.stringify(Object.entries(labels).filter(([k]) => !HIDDEN.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const withoutHidden = (labels: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(labels).filter(([k]) => !HIDDEN.has(k)));

/** Series of one rollup of an aggr_over_time answer, or all of them without one. */
const ofRollup = <T extends { labels: Record<string, string> }>(series: readonly T[], rollup: string): T[] => series.filter((s) => s.labels.rollup === rollup);

export async function activeAlerts(reader: MetricsReader, nowMs: number, activeWindowMs = ACTIVE_WINDOW_MS): Promise<ActiveAlert[]> {
  const w = window(activeWindowMs);
  const [seen, since, state, fired, value] = await Promise.all([
    reader.instant(`tlast_over_time(ALERTS[${w}])`, nowMs),
    reader.instant(`last_over_time(ALERTS_FOR_STATE[${w}])`, nowMs),
    reader.instant(`aggr_over_time(("last_over_time", "tlast_over_time"), periscope_alert_state[${w}])`, nowMs),
    reader.instant(`last_over_time(periscope_alert_fired_at[${w}])`, nowMs),
    reader.instant(`last_over_time(periscope_alert_value[${w}])`, nowMs),
  ]);
  const byKey = (samples: typeof seen) => new Map(samples.map((s) => [alertIdentity(s.labels), s.value]));
  const activeAt = byKey(since);
  const firedAt = byKey(fired);
  const values = byKey(value);
  const lastState = byKey(ofRollup(state, 'last_over_time'));
  const lastStateAt = byKey(ofRollup(state, 'tlast_over_time'));
  const byIdentity = new Map<string, ActiveAlert>();
  for (const s of seen) {
    const key = alertIdentity(s.labels);
    // The anomaly check marks the evaluation that ended an alert: ended after it was last seen, it is not current.
    if (lastState.get(key) === 0 && (lastStateAt.get(key) ?? 0) >= s.value) continue;
    const state = s.labels.alertstate === 'firing' ? 'firing' : 'pending';
    const previous = byIdentity.get(key);
    // The newest state wins: a pending sample followed by a firing one is a firing alert.
    if (previous && previous.lastSeenMs > s.value * 1000) continue;
    const labels = withoutHidden(s.labels);
    const at = activeAt.get(key);
    const fire = firedAt.get(key);
    const v = values.get(key);
    byIdentity.set(key, {
      alertname: labels.alertname ?? '',
      state,
      labels,
      ...(at ? { activeAtMs: Math.round(at * 1000) } : {}),
      ...(state === 'firing' && fire ? { firedAtMs: Math.round(fire * 1000) } : {}),
      ...(v !== undefined && Number.isFinite(v) ? { value: v } : {}),
      lastSeenMs: Math.round(s.value * 1000),
    });
  }
  return [...byIdentity.values()].sort((a, b) => (a.state === b.state ? a.alertname.localeCompare(b.alertname) : a.state === 'firing' ? -1 : 1));
}

/** What the history reads per alert identity, from the range answers (values and times in ms). */
export interface AlertSeries {
  labels: Record<string, string>;
  /** Distinct activeAt values seen (ALERTS_FOR_STATE). */
  activeAts: Set<number>;
  /** Distinct firing times (periscope_alert_fired_at values), or the first firing ALERTS sample per window (vmalert). */
  firedAts: Set<number>;
  firstFiringSeen: number[];
  /** Times of the periscope_alert_state = 0 samples: the evaluations that ended an episode. */
  endMarks: Set<number>;
  /** Times ALERTS was last written, per window. */
  lastSeen: number[];
  /** periscope_alert_value at the last point of each window, with the window's time. */
  values: Array<[number, number]>;
}

/** The range answers of alertHistory's queries, by name. */
export type HistoryAnswers = Record<'activeAt' | 'firedAt' | 'firingSeen' | 'state' | 'seen' | 'value', RangeSeries[]>;

/** Folds the range answers into one AlertSeries per alert identity. */
export function alertSeries(answers: HistoryAnswers): Map<string, AlertSeries> {
  const out = new Map<string, AlertSeries>();
  const entry = (labels: Record<string, string>) => {
    const key = alertIdentity(labels);
    let e = out.get(key);
    if (!e) out.set(key, (e = { labels: withoutHidden(labels), activeAts: new Set(), firedAts: new Set(), firstFiringSeen: [], endMarks: new Set(), lastSeen: [], values: [] }));
    return e;
  };
  const each = (series: RangeSeries[], fn: (e: AlertSeries, v: number, t: number, s: RangeSeries) => void) => {
    for (const s of series) {
      const e = entry(s.labels);
      s.values.forEach((v, i) => {
        if (Number.isFinite(v)) fn(e, v, s.timestamps[i] as number, s);
      });
    }
  };
  each(answers.activeAt, (e, v) => v > 0 && e.activeAts.add(Math.round(v * 1000)));
  each(answers.firedAt, (e, v) => v > 0 && e.firedAts.add(Math.round(v * 1000)));
  each(answers.firingSeen, (e, v) => e.firstFiringSeen.push(Math.round(v * 1000)));
  each(answers.seen, (e, v) => e.lastSeen.push(Math.round(v * 1000)));
  each(answers.value, (e, v, t) => e.values.push([t, v]));
  // min_over_time and tmin_over_time of periscope_alert_state per window: a minimum of 0 is an end mark, at tmin.
  const minima = new Map<string, Map<number, number>>();
  for (const s of ofRollup(answers.state, 'min_over_time')) minima.set(alertIdentity(s.labels), new Map(s.timestamps.map((t, i) => [t, s.values[i] as number])));
  for (const s of ofRollup(answers.state, 'tmin_over_time')) {
    const mins = minima.get(alertIdentity(s.labels));
    const e = entry(s.labels);
    s.timestamps.forEach((t, i) => {
      if (mins?.get(t) === 0) e.endMarks.add(Math.round((s.values[i] as number) * 1000));
    });
  }
  return out;
}

/** Episodes of one alert identity: one per activeAt, its firing time and its end assigned by time. */
export function episodesOf(series: AlertSeries, nowMs: number, activeWindowMs = ACTIVE_WINDOW_MS): AlertEpisode[] {
  const starts = [...series.activeAts].sort((a, b) => a - b);
  const alertname = series.labels.alertname ?? '';
  const lastSeen = Math.max(-Infinity, ...series.lastSeen);
  const ends = [...series.endMarks].sort((a, b) => a - b);
  return starts.map((startMs, i) => {
    const next = starts[i + 1] ?? Infinity;
    const inside = (t: number) => t >= startMs && t < next;
    const firing = [...series.firedAts].filter(inside).sort((a, b) => a - b)[0] ?? series.firstFiringSeen.filter(inside).sort((a, b) => a - b)[0];
    const marked = ends.find((t) => t > startMs && t <= next);
    const seenInside = series.lastSeen.filter(inside);
    const lastInside = seenInside.length ? Math.max(...seenInside) : undefined;
    // Without an end mark (vmalert writes none): ended at the last evaluation that showed it, unless it is current.
    const current = next === Infinity && lastSeen > nowMs - activeWindowMs;
    const endMs = marked ?? (current ? undefined : lastInside);
    const values = series.values.filter(([t]) => inside(t) && (endMs === undefined || t <= endMs + 60_000)).sort((a, b) => a[0] - b[0]);
    const value = values.at(-1)?.[1];
    return {
      alertname,
      labels: series.labels,
      startMs,
      ...(firing !== undefined ? { firingMs: firing } : {}),
      ...(endMs !== undefined ? { endMs } : {}),
      ...(value !== undefined ? { value } : {}),
    };
  });
}

/** The query grid: one point per step, aligned to the step, so every reload reads the same windows. */
export function historyGrid(fromMs: number, toMs: number): { startMs: number; endMs: number; stepMs: number } {
  // One point a minute (at most 1 440 points): an evaluation is at least a minute apart from the next.
  const stepMs = Math.max(60_000, Math.ceil((toMs - fromMs) / 1440 / 60_000) * 60_000);
  return { startMs: Math.floor(fromMs / stepMs) * stepMs, endMs: Math.ceil(toMs / stepMs) * stepMs, stepMs };
}

export async function alertHistory(reader: MetricsReader, fromMs: number, toMs: number, filter: Record<string, string> = {}): Promise<AlertEpisode[]> {
  const grid = historyGrid(fromMs, toMs);
  const w = window(grid.stepMs);
  const range = (expr: string) => reader.range(expr, grid.startMs, grid.endMs, grid.stepMs);
  const [activeAt, firedAt, firingSeen, state, seen, value] = await Promise.all([
    // Both ends of the window: two episodes a window apart (a sub-minute rule group) are both seen.
    range(`aggr_over_time(("min_over_time", "max_over_time"), ${selector('ALERTS_FOR_STATE', filter)}[${w}])`),
    range(`max_over_time(${selector('periscope_alert_fired_at', filter)}[${w}])`),
    range(`tfirst_over_time(${selector('ALERTS', { ...filter, alertstate: 'firing' })}[${w}])`),
    range(`aggr_over_time(("min_over_time", "tmin_over_time"), ${selector('periscope_alert_state', filter)}[${w}])`),
    range(`tlast_over_time(${selector('ALERTS', filter)}[${w}])`),
    range(`last_over_time(${selector('periscope_alert_value', filter)}[${w}])`),
  ]);
  const episodes: AlertEpisode[] = [];
  for (const s of alertSeries({ activeAt, firedAt, firingSeen, state, seen, value }).values()) episodes.push(...episodesOf(s, toMs));
  // Episodes that began before the window but still show in it are kept; those that ended before it are not.
  return episodes.filter((e) => (e.endMs ?? Infinity) >= fromMs).sort((a, b) => b.startMs - a.startMs);
}
