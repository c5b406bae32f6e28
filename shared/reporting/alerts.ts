// Alerts from the series the anomaly check (and vmalert) write: ALERTS{alertname, alertstate, …} at every
// evaluation while an alert is pending or firing, and ALERTS_FOR_STATE (value: when it became active).
import { selector, window, type MetricsReader, type RangeSeries } from './vm-reader.js';

export interface ActiveAlert {
  alertname: string;
  state: 'pending' | 'firing';
  labels: Record<string, string>;
  /** When it became active (pending), Unix ms. */
  activeAtMs?: number;
  lastSeenMs: number;
}

export interface AlertEpisode {
  alertname: string;
  labels: Record<string, string>;
  startMs: number;
  /** When it first showed as firing; undefined if it never did. */
  firingMs?: number;
  /** The last evaluation that still showed it; undefined while it lasts. */
  endMs?: number;
}

/** Alerts written within this long count as current: two missed evaluations of a 1-minute rule group. */
export const ACTIVE_WINDOW_MS = 3 * 60_000;
const HIDDEN = new Set(['alertstate', '__name__']);

const identity = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).filter(([k]) => !HIDDEN.has(k)).sort(([a], [b]) => a.localeCompare(b)));

export async function activeAlerts(reader: MetricsReader, nowMs: number, activeWindowMs = ACTIVE_WINDOW_MS): Promise<ActiveAlert[]> {
  const w = window(activeWindowMs);
  const [seen, since] = await Promise.all([
    reader.instant(`tlast_over_time(ALERTS[${w}])`, nowMs),
    reader.instant(`last_over_time(ALERTS_FOR_STATE[${w}])`, nowMs),
  ]);
  const activeAt = new Map(since.map((s) => [identity(s.labels), s.value]));
  const byIdentity = new Map<string, ActiveAlert>();
  for (const s of seen) {
    const state = s.labels.alertstate === 'firing' ? 'firing' : 'pending';
    const key = identity(s.labels);
    const previous = byIdentity.get(key);
    // The newest state wins: a pending sample followed by a firing one is a firing alert.
    if (previous && previous.lastSeenMs > s.value * 1000) continue;
    const { alertstate: _state, ...labels } = s.labels;
    const at = activeAt.get(key);
    byIdentity.set(key, { alertname: labels.alertname ?? '', state, labels, ...(at ? { activeAtMs: at * 1000 } : {}), lastSeenMs: s.value * 1000 });
  }
  return [...byIdentity.values()].sort((a, b) => (a.state === b.state ? a.alertname.localeCompare(b.alertname) : a.state === 'firing' ? -1 : 1));
}

/** Episodes from ALERTS sampled every `stepMs` (a missing step ends an episode). */
export function alertEpisodes(series: readonly RangeSeries[], stepMs: number, endMs: number): AlertEpisode[] {
  const points = new Map<string, { labels: Record<string, string>; at: Map<number, 'pending' | 'firing'> }>();
  for (const s of series) {
    const key = identity(s.labels);
    const { alertstate, ...labels } = s.labels;
    const entry = points.get(key) ?? { labels, at: new Map() };
    s.timestamps.forEach((t, i) => {
      if (!(s.values[i]! > 0)) return;
      if (alertstate === 'firing' || !entry.at.has(t)) entry.at.set(t, alertstate === 'firing' ? 'firing' : 'pending');
    });
    points.set(key, entry);
  }
  const episodes: AlertEpisode[] = [];
  for (const { labels, at } of points.values()) {
    const times = [...at.keys()].sort((a, b) => a - b);
    let current: AlertEpisode | undefined;
    let previous = -Infinity;
    const finish = (last: number) => {
      if (current) episodes.push({ ...current, ...(endMs - last > stepMs ? { endMs: last } : {}) });
    };
    for (const t of times) {
      if (t - previous > stepMs * 1.5) {
        finish(previous);
        current = { alertname: labels.alertname ?? '', labels, startMs: t };
      }
      if (current && at.get(t) === 'firing' && current.firingMs === undefined) current.firingMs = t;
      previous = t;
    }
    finish(previous);
  }
  return episodes.sort((a, b) => b.startMs - a.startMs);
}

export async function alertHistory(reader: MetricsReader, fromMs: number, toMs: number, filter: Record<string, string> = {}): Promise<AlertEpisode[]> {
  // One point a minute: evaluations are at least a minute apart, so a step in between finds none.
  const stepMs = Math.max(60_000, Math.ceil((toMs - fromMs) / 1440 / 60_000) * 60_000);
  const series = await reader.range(`last_over_time(${selector('ALERTS', filter)}[${window(stepMs * 2)}])`, fromMs, toMs, stepMs);
  return alertEpisodes(series, stepMs, toMs);
}
