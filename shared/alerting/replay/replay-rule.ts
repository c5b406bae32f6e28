// One rule replayed over a time range, pure: the query results of every step in, the alerts that would
// have fired and the notifications that would have gone out. The lifecycle (for, keep_firing_for,
// repeat_interval, maintenance windows), the anomaly judgement and the label templating are the anomaly
// check's own code (lifecycle.ts, rule-results.ts); only the query results come from a table instead of
// one query per evaluation, and the state from the previous step instead of VictoriaMetrics.
import type { CompiledRule } from '../compile.js';
import { stepAlerts, type AlertState } from '../lifecycle.js';
import { mutedBy } from '../maintenance.js';
import { alertSamples, judgeSeasons, type SeriesValue } from '../rule-results.js';
import type { MaintenanceWindow } from '../rules-schema.js';

export type NotificationKind = 'firing' | 'reminder' | 'resolved';

export interface ReplayIncident {
  alertname: string;
  group: string;
  labels: Record<string, string>;
  /** When it became active (pending began), as notifications give started_at. */
  started_at: string;
  /** When it started firing (after `for`). */
  fired_at: string;
  /** The evaluation at which it resolved; absent when still firing at the end of the range. */
  ended_at?: string;
  /** From started_at to ended_at (or to the end of the range). */
  duration_seconds: number;
  max_value: number;
  notifications: Array<{ at: string; kind: NotificationKind }>;
  /** Maintenance windows that held back a notification of this alert. */
  muted_by?: string[];
}

export interface ReplayNotification {
  at: string;
  alertname: string;
  group: string;
  kind: NotificationKind;
  /** The alerts of the rule this notification groups (one message per rule and status, as live). */
  alerts: Array<{ labels: Record<string, string>; value: number }>;
}

export interface RuleReplayInput {
  rule: CompiledRule;
  /** Evaluation times, ms, ascending. */
  steps: readonly number[];
  /** The rule's query result at a time (a step, or for anomaly rules a step minus whole seasons). */
  resultsAt: (ts: number) => readonly SeriesValue[];
  externalLabels: Record<string, string>;
  maintenance: readonly MaintenanceWindow[];
  /** Called after every step with the alerts pending or firing then (rule unit tests look at these). */
  onStep?: (ts: number, states: readonly AlertState[], baselines: ReadonlyMap<string, string>) => void;
}

export interface RuleReplay {
  incidents: ReplayIncident[];
  notifications: ReplayNotification[];
  /** Episodes that stayed pending and never fired. */
  pending_only: number;
}

interface Open {
  state: AlertState;
  firedAt?: number;
  maxValue: number;
  notifications: Array<{ at: string; kind: NotificationKind }>;
  mutedBy: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function replayRule(input: RuleReplayInput): RuleReplay {
  const { rule, externalLabels } = input;
  const windows = [...rule.maintenance, ...input.maintenance];
  const out: RuleReplay = { incidents: [], notifications: [], pending_only: 0 };
  const open = new Map<string, Open>();
  let previous = new Map<string, AlertState>();
  let lastTs = NaN;

  const close = (o: Open, endedAt: number | undefined, at: number) => {
    if (o.firedAt === undefined) {
      out.pending_only++;
      return;
    }
    out.incidents.push({
      alertname: rule.name,
      group: rule.group,
      labels: o.state.labels,
      started_at: iso(o.state.activeAt),
      fired_at: iso(o.firedAt),
      ...(endedAt !== undefined ? { ended_at: iso(endedAt) } : {}),
      duration_seconds: Math.round(((endedAt ?? at) - o.state.activeAt) / 1000),
      max_value: o.maxValue,
      notifications: o.notifications,
      ...(o.mutedBy.size ? { muted_by: [...o.mutedBy] } : {}),
    });
  };

  for (const ts of input.steps) {
    lastTs = ts;
    let series = input.resultsAt(ts);
    let baselines = new Map<string, string>();
    if (rule.anomaly) {
      const { season, periods } = rule.anomaly.baseline;
      const judgement = judgeSeasons(rule, series, Array.from({ length: periods }, (_, k) => input.resultsAt(ts - (k + 1) * season)));
      series = judgement.anomalous;
      baselines = judgement.baselines;
    }
    const active = alertSamples(rule, series, externalLabels);
    const muted = (labels: Record<string, string>) => mutedBy(windows, labels, ts) !== undefined;
    const result = stepAlerts(previous, active, rule, ts, muted);

    for (const state of result.next) {
      let o = open.get(state.fingerprint);
      if (!o) {
        o = { state, maxValue: state.value, notifications: [], mutedBy: new Set() };
        open.set(state.fingerprint, o);
      }
      o.state = state;
      if (state.value > o.maxValue || Number.isNaN(o.maxValue)) o.maxValue = state.value;
      if (state.phase === 'firing') {
        o.firedAt ??= state.firedAt ?? ts;
        const window = mutedBy(windows, state.labels, ts);
        if (window !== undefined) o.mutedBy.add(window);
      }
    }
    const note = (kind: NotificationKind, states: readonly AlertState[]) => {
      if (states.length === 0) return;
      out.notifications.push({ at: iso(ts), alertname: rule.name, group: rule.group, kind, alerts: states.map((s) => ({ labels: s.labels, value: s.value })) });
      for (const s of states) open.get(s.fingerprint)?.notifications.push({ at: iso(ts), kind });
    };
    note('firing', result.firing);
    note('reminder', result.reminders);
    note('resolved', result.resolved);
    for (const ended of result.ended) {
      const o = open.get(ended.fingerprint);
      if (!o) continue;
      open.delete(ended.fingerprint);
      close(o, ended.endedAt, ts);
    }
    previous = new Map(result.next.map((s) => [s.fingerprint, s]));
    input.onStep?.(ts, result.next, baselinesByAlert(active, baselines));
  }
  for (const o of open.values()) close(o, undefined, lastTs);
  out.incidents.sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0));
  return out;
}

/** Baseline annotations keyed by the alert's label set (JSON), as the live evaluator keys them. */
function baselinesByAlert(active: ReadonlyArray<{ labels: Record<string, string>; seriesKey: string }>, bySeries: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  if (bySeries.size === 0) return out;
  for (const a of active) {
    const b = bySeries.get(a.seriesKey);
    if (b) out.set(JSON.stringify(a.labels), b);
  }
  return out;
}
