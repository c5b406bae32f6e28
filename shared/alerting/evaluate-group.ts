// One evaluation of a rule group at its aligned slot: restore state from VictoriaMetrics, query every
// rule, move alerts through their lifecycle, build notifications (grouped per rule and status), claim the
// slot so overlapping evaluations notify once, send, and write the new state back.
import type { Logger } from '../observability/logger.js';
import type { Notification } from '../notify/types.js';
import { writeSamples } from '../storage/write-samples.js';
import type { VmWriteConfig } from '../storage/write-batch.js';
import type { TimedSample } from '../storage/exposition.js';
import type { Spool } from '../storage/spool.js';
import type { AnomalyVerdict } from './anomaly.js';
import { claimSlot, forceFlush } from './claim.js';
import type { CompiledGroup, CompiledRule } from './compile.js';
import { stepAlerts, type ActiveSample, type AlertState, type LifecycleResult } from './lifecycle.js';
import { mutedBy } from './maintenance.js';
import type { AlertingSettings } from './rules-schema.js';
import { decodeStates, encodeAlertStates, encodeRuleHealth, STATE_SERIES_MATCH } from './state-store.js';
import { alertSamples, formatNumber, judgeSeasons, notifiedAlert, type AnomalyJudgement } from './rule-results.js';
import { exportRaw, queryInstant, QueryError, type InstantSample, type VmReadConfig } from './vm-query.js';

export interface AlertingDeps {
  read: VmReadConfig;
  write: VmWriteConfig;
  settings: AlertingSettings;
  notify: (notification: Notification) => Promise<void>;
  logger: Logger;
  stage: string;
  region: string;
  /** Base URL of the VictoriaMetrics UI for links (e.g. https://vm.example.com). */
  vmUiUrl?: string;
  /** How long a claim waits for competing claims to become visible. */
  claimWaitMs?: number;
  /** 'dry' evaluates and reports but writes no state and sends nothing (periscope check). */
  mode: 'live' | 'dry';
  /** Where state writes go when VictoriaMetrics refuses them (never lost silently). */
  spool?: Spool;
  ruleConcurrency?: number;
}

export interface RuleReport {
  group: string;
  rule: string;
  state: 'inactive' | 'pending' | 'firing' | 'error';
  alerts: Array<{ labels: Record<string, string>; phase: 'pending' | 'firing'; value: number; active_since: string; muted_by?: string }>;
  /** The value the rule saw, for a rule with one result (or the first). */
  value?: number;
  error?: string;
  anomaly?: Array<{ labels: Record<string, string>; verdict: AnomalyVerdict; value: number }>;
}

export interface GroupReport {
  group: string;
  evaluated_at: string;
  rules: RuleReport[];
  notifications: Notification[];
  sent: number;
  /** False when another evaluation of the same slot claimed the notifications. */
  notified_by_this_evaluation: boolean;
  rule_errors: number;
}

const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];
const STATE_LOOKBACK_MS = 3_600_000;
export const RULE_HEALTH_ALERT = 'PeriscopeRuleHealth';

export function alignSlot(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs) * intervalMs;
}

function topSeverity(alerts: readonly { labels: Record<string, string> }[]): string {
  let best = 'none';
  let rank = Infinity;
  for (const a of alerts) {
    const s = a.labels.severity;
    if (!s) continue;
    const r = SEVERITY_ORDER.indexOf(s) === -1 ? SEVERITY_ORDER.length : SEVERITY_ORDER.indexOf(s);
    if (r < rank) {
      rank = r;
      best = s;
    }
  }
  return best;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

interface RuleOutcome {
  rule: CompiledRule;
  samples?: ActiveSample[];
  anomaly?: RuleReport['anomaly'];
  baselines?: Map<string, string>;
  error?: string;
}

async function runRuleQuery(rule: CompiledRule, slot: number, deps: AlertingDeps, externalLabels: Record<string, string>, stepSec: number): Promise<RuleOutcome> {
  try {
    let samples: InstantSample[];
    let judgement: AnomalyJudgement | undefined;
    if (rule.anomaly) {
      const spec = rule.anomaly;
      const [current, ...history] = await Promise.all(
        Array.from({ length: spec.baseline.periods + 1 }, (_, k) => queryInstant(deps.read, rule.expr, (slot - k * spec.baseline.season) / 1000, stepSec)),
      );
      judgement = judgeSeasons(rule, current ?? [], history);
      samples = judgement.anomalous;
    } else {
      samples = await queryInstant(deps.read, rule.expr, slot / 1000, stepSec);
    }
    const active = alertSamples(rule, samples, externalLabels);
    const mapped = new Map<string, string>();
    for (const a of active) {
      const b = judgement?.baselines.get(a.seriesKey);
      if (b) mapped.set(JSON.stringify(a.labels), b);
    }
    return { rule, samples: active, ...(judgement ? { anomaly: judgement.verdicts } : {}), baselines: mapped };
  } catch (err) {
    if (err instanceof QueryError) return { rule, error: err.message };
    return { rule, error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

export { formatNumber };

function queryUrl(base: string | undefined, expr: string): string | undefined {
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/vmui/#/?g0.expr=${encodeURIComponent(expr)}&g0.range_input=1h&g0.tab=0`;
}

export async function evaluateGroup(group: CompiledGroup, deps: AlertingDeps, nowMs: number): Promise<GroupReport> {
  const slot = alignSlot(nowMs, group.intervalMs);
  const external = deps.settings.external_labels;
  const restored = decodeStates(
    await exportRaw(deps.read, `${STATE_SERIES_MATCH},alertgroup=${JSON.stringify(group.name)}}`, slot - Math.max(STATE_LOOKBACK_MS, 3 * group.intervalMs), slot).catch((err: unknown) => {
      // Without state every firing alert would look new and notify again: better to skip this round.
      throw new QueryError(`cannot restore alert state: ${(err as Error).message}`, 'unreachable');
    }),
    slot,
  );
  const outcomes = await mapLimit(group.rules, deps.ruleConcurrency ?? 8, (rule) => runRuleQuery(rule, slot, deps, external, group.intervalMs / 1000));

  const reports: RuleReport[] = [];
  const notifications: Array<{ notification: Notification; states: AlertState[]; previousNotifiedAt: Array<number | undefined> }> = [];
  // Encoded at the end: a notification that fails to send rolls its alerts' notifiedAt back first.
  const stateParts: Array<{ states: AlertState[]; ended: AlertState[] }> = [];
  const healthSamples: TimedSample[] = [];
  let ruleErrors = 0;
  for (const outcome of outcomes) {
    const { rule } = outcome;
    const previous = restored.alerts.get(rule.name) ?? new Map<string, AlertState>();
    const wasHealthy = restored.health.get(rule.name) ?? true;
    healthSamples.push(encodeRuleHealth({ alertgroup: group.name, alertname: rule.name }, outcome.error === undefined, slot));
    if (outcome.error !== undefined) {
      ruleErrors++;
      deps.logger.error('rule cannot be evaluated', { group: group.name, rule: rule.name, error: outcome.error });
      // Keep the alerts as they were: a failing query must not resolve them.
      stateParts.push({ states: [...previous.values()], ended: [] });
      reports.push({ group: group.name, rule: rule.name, state: 'error', alerts: [], error: outcome.error });
      if (wasHealthy) notifications.push({ notification: healthNotification(group, rule, 'firing', outcome.error, slot, deps), states: [], previousNotifiedAt: [] });
      continue;
    }
    if (!wasHealthy) notifications.push({ notification: healthNotification(group, rule, 'resolved', '', slot, deps), states: [], previousNotifiedAt: [] });
    const windows = [...rule.maintenance, ...deps.settings.maintenance];
    const before = new Map([...previous].map(([fp, s]) => [fp, s.notifiedAt]));
    const result: LifecycleResult = stepAlerts(previous, outcome.samples ?? [], rule, slot, (labels) => mutedBy(windows, labels, slot) !== undefined);
    stateParts.push({ states: result.next, ended: result.ended });
    const baselineFor = (s: AlertState) => outcome.baselines?.get(JSON.stringify(s.labels));
    const base = {
      alertname: rule.name,
      group: group.name,
      stage: deps.stage,
      region: deps.region,
      expr: rule.expr,
      evaluated_at: new Date(slot).toISOString(),
      ...(queryUrl(deps.vmUiUrl, rule.expr) ? { query_url: queryUrl(deps.vmUiUrl, rule.expr) as string } : {}),
    };
    const add = (status: 'firing' | 'resolved', reminder: boolean, states: AlertState[], ended?: boolean) => {
      if (states.length === 0) return;
      const alerts = states.map((s) => notifiedAlert(s, rule, slot, external, ended ? (s as AlertState & { endedAt: number }).endedAt : undefined, baselineFor(s)));
      notifications.push({
        notification: { ...base, status, reminder, severity: topSeverity(alerts), alerts },
        states: ended ? [] : states,
        previousNotifiedAt: ended ? [] : states.map((s) => before.get(s.fingerprint)),
      });
    };
    add('firing', false, result.firing);
    add('firing', true, result.reminders);
    add('resolved', false, result.resolved, true);
    const firing = result.next.filter((s) => s.phase === 'firing');
    reports.push({
      group: group.name,
      rule: rule.name,
      state: firing.length ? 'firing' : result.next.length ? 'pending' : 'inactive',
      alerts: result.next.map((s) => {
        const muted = mutedBy(windows, s.labels, slot);
        return { labels: s.labels, phase: s.phase, value: s.value, active_since: new Date(s.activeAt).toISOString(), ...(muted ? { muted_by: muted } : {}) };
      }),
      ...(outcome.samples?.[0] ? { value: outcome.samples[0].value } : {}),
      ...(outcome.anomaly ? { anomaly: outcome.anomaly } : {}),
    });
  }

  const report: GroupReport = {
    group: group.name,
    evaluated_at: new Date(slot).toISOString(),
    rules: reports,
    notifications: notifications.map((n) => n.notification),
    sent: 0,
    notified_by_this_evaluation: true,
    rule_errors: ruleErrors,
  };
  if (deps.mode === 'dry') return report;

  if (notifications.length > 0) {
    const won = await claimSlot({ read: deps.read, write: deps.write, group: group.name, slot, waitMs: deps.claimWaitMs ?? 2_000 });
    if (!won) {
      deps.logger.info('another evaluation of this slot sends its notifications', { group: group.name, slot: report.evaluated_at });
      report.notified_by_this_evaluation = false;
      return report;
    }
    for (const { notification, states, previousNotifiedAt } of notifications) {
      try {
        await deps.notify(notification);
        report.sent++;
      } catch (err) {
        // Not marked as notified, so the next evaluation tries again.
        states.forEach((s, i) => {
          const prev = previousNotifiedAt[i];
          if (prev === undefined) delete s.notifiedAt;
          else s.notifiedAt = prev;
        });
        deps.logger.error('notification not sent; will retry next evaluation', { group: group.name, alertname: notification.alertname, status: notification.status, error: (err as Error).message });
      }
    }
  }
  const stateSamples = [...healthSamples, ...stateParts.flatMap((p) => encodeAlertStates(p.states, p.ended, slot))];
  const written = await writeSamples(stateSamples, {
    vm: deps.write,
    spool: deps.spool ?? unspooled(deps.logger, group.name),
    logger: deps.logger,
    deadlineMs: Date.now() + 10_000,
  });
  if (written.written < stateSamples.length) deps.logger.error('alert state not fully written', { group: group.name, ...written });
  // Searchable at once on a single node, for an evaluation that follows closely (an overlapping invocation).
  await forceFlush(deps.write.url);
  return report;
}

/** Without a spool, a state write that fails is reported loudly; the next evaluation writes state again. */
function unspooled(logger: Logger, group: string): Spool {
  return {
    put: async (entry) => logger.error('alert state not written: VictoriaMetrics unavailable', { group, samples: entry.samples }),
    take: async () => [],
    depth: async () => 0,
  };
}

function healthNotification(group: CompiledGroup, rule: CompiledRule, status: 'firing' | 'resolved', error: string, slot: number, deps: AlertingDeps): Notification {
  const labels = { alertname: RULE_HEALTH_ALERT, alertgroup: group.name, rule: rule.name, severity: 'warning' };
  return {
    status,
    alertname: RULE_HEALTH_ALERT,
    group: group.name,
    severity: 'warning',
    stage: deps.stage,
    region: deps.region,
    reminder: false,
    expr: rule.expr,
    evaluated_at: new Date(slot).toISOString(),
    alerts: [
      {
        labels,
        annotations:
          status === 'firing'
            ? { summary: `Rule ${rule.name} in group ${group.name} cannot be evaluated`, description: error }
            : { summary: `Rule ${rule.name} in group ${group.name} evaluates again` },
        value: status === 'firing' ? 1 : 0,
        started_at: new Date(slot).toISOString(),
        duration_seconds: 0,
        fingerprint: `${group.name}/${rule.name}/health`,
      },
    ],
  };
}
