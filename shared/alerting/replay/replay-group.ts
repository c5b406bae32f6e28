// One rule group replayed over a series of evaluation times through the anomaly check's own evaluation
// (evaluateGroupAt: the same executors, lifecycle, notification planning and commit), with its parts
// swapped for a replay: query results from tables filled by range queries, state in memory, claims in
// memory, notifications collected instead of sent. Turns the evaluations into incidents.
import type { Notification } from '../../notify/types.js';
import { silentLogger } from '../../observability/logger.js';
import { createMemoryStateStore } from '../state/alert-state-store.js';
import { createMemoryClaimStore } from '../state/claim-store.js';
import type { CompiledGroup } from '../rules/compile.js';
import { evaluateGroupAt, type EvaluationParts, type GroupReport } from '../evaluation/evaluate-group.js';
import { labelFingerprint } from '../state/label-fingerprint.js';
import type { AlertingSettings } from '../rules/schema.js';
import type { InstantSample } from '../../victoria-metrics/index.js';
import type { ResultsTable } from './results-table.js';

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
  /** From started_at to ended_at (or to the last evaluation). */
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
  /** The alerts this notification groups (one message per rule and status, as live). */
  alerts: Array<{ labels: Record<string, string>; value: number }>;
}

export interface GroupReplay {
  incidents: ReplayIncident[];
  notifications: ReplayNotification[];
  /** Alerts that became pending and never fired. */
  pending_only: number;
}

export interface GroupReplayInput {
  group: CompiledGroup;
  /** Evaluation times, ms, ascending. */
  steps: readonly number[];
  /** Query results by expression (for anomaly rules also whole seasons back). */
  tables: ReadonlyMap<string, ResultsTable>;
  settings: AlertingSettings;
  /** Called with every evaluation's report (rule unit tests look at the alerts then). */
  onStep?: (ts: number, report: GroupReport) => void;
}

interface Open {
  alertname: string;
  labels: Record<string, string>;
  startedAt: number;
  firedAt?: number;
  maxValue: number;
  notifications: Array<{ at: string; kind: NotificationKind }>;
  mutedBy: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const NONE: InstantSample[] = [];

export async function replayGroup(input: GroupReplayInput): Promise<GroupReplay> {
  const { group } = input;
  const sent: Notification[] = [];
  const parts: EvaluationParts = {
    query: async (expr, timeSec) => (input.tables.get(expr)?.at(Math.round(timeSec * 1000)) as InstantSample[] | undefined) ?? NONE,
    state: createMemoryStateStore(),
    delivery: { claims: createMemoryClaimStore(), notify: async (n) => void sent.push(n) },
    logger: silentLogger,
    ruleConcurrency: 64,
  };
  const context = { settings: input.settings, stage: 'replay', region: 'replay' };
  const out: GroupReplay = { incidents: [], notifications: [], pending_only: 0 };
  const open = new Map<string, Open>(); // alertname + fingerprint
  let last = NaN;

  const close = (o: Open, endedAt: number | undefined) => {
    if (o.firedAt === undefined) {
      out.pending_only++;
      return;
    }
    out.incidents.push({
      alertname: o.alertname,
      group: group.name,
      labels: o.labels,
      started_at: iso(o.startedAt),
      fired_at: iso(o.firedAt),
      ...(endedAt !== undefined ? { ended_at: iso(endedAt) } : {}),
      duration_seconds: Math.round(((endedAt ?? last) - o.startedAt) / 1000),
      max_value: o.maxValue,
      notifications: o.notifications,
      ...(o.mutedBy.size ? { muted_by: [...o.mutedBy] } : {}),
    });
  };

  for (const ts of input.steps) {
    last = ts;
    sent.length = 0;
    const report = await evaluateGroupAt(group, ts, parts, context);
    const seen = new Set<string>();
    for (const rule of report.rules) {
      for (const a of rule.alerts) {
        const key = `${rule.rule}\u0000${labelFingerprint(a.labels)}`;
        seen.add(key);
        let o = open.get(key);
        if (!o) {
          o = { alertname: rule.rule, labels: a.labels, startedAt: Date.parse(a.active_since), maxValue: a.value, notifications: [], mutedBy: new Set() };
          open.set(key, o);
        }
        if (a.value > o.maxValue || Number.isNaN(o.maxValue)) o.maxValue = a.value;
        if (a.phase === 'firing') {
          o.firedAt ??= ts;
          if (a.muted_by !== undefined) o.mutedBy.add(a.muted_by);
        }
      }
    }
    for (const n of sent) {
      const kind: NotificationKind = n.status === 'resolved' ? 'resolved' : n.reminder ? 'reminder' : 'firing';
      out.notifications.push({ at: iso(ts), alertname: n.alertname, group: group.name, kind, alerts: n.alerts.map((a) => ({ labels: a.labels, value: a.value })) });
      for (const a of n.alerts) open.get(`${n.alertname}\u0000${a.fingerprint}`)?.notifications.push({ at: iso(ts), kind });
    }
    for (const [key, o] of open) {
      if (seen.has(key)) continue;
      open.delete(key);
      close(o, ts);
    }
    input.onStep?.(ts, report);
  }
  for (const o of open.values()) close(o, undefined);
  return out;
}
