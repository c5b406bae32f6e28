// Stage 3 of an evaluation, pure: the rules' outcomes and the restored state in; each rule's lifecycle step,
// the notifications due (grouped per rule and status) and the report out. Nothing is sent or written here;
// what each notification changes in the state once sent is recorded with it (see commit-state.ts).
import type { Notification, NotifiedAlert } from '../../notify/types.js';
import type { CompiledGroup, CompiledRule } from '../rules/compile.js';
import { stepAlerts, type AlertState } from '../state/lifecycle.js';
import { mutedBy } from '../rules/maintenance.js';
import { templateLabels, type RuleOutcome } from './rule-executors.js';
import type { AlertingSettings } from '../rules/schema.js';
import type { RestoredState } from '../state/state-store.js';
import { renderTemplate } from '../template/index.js';
import type { RuleReport } from './reports.js';
import { withoutUserinfo } from '../../observability/redact.js';

export const RULE_HEALTH_ALERT = 'PeriscopeRuleHealth';
const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];

/** Where notifications say they come from. */
export interface PlanContext {
  settings: AlertingSettings;
  stage: string;
  region: string;
  /** Base URL of the VictoriaMetrics UI for links (e.g. https://vm.example.com). */
  vmUiUrl?: string;
}

/** What sending a notification settles: alerts notified (firing, reminder), resolved, or a rule's health (rule: its key). */
export type NotificationEffect =
  | { kind: 'notified'; rule: string; fingerprints: string[] }
  | { kind: 'resolved'; rule: string; fingerprints: string[] }
  | { kind: 'health'; rule: string };

export interface PlannedNotification {
  notification: Notification;
  effect: NotificationEffect;
}

/** One rule's lifecycle step, as if every notification planned for it is sent. */
export interface RuleStep {
  /** The rule's key (compile.ts ruleKey): state is per rule, not per alert name. */
  rule: string;
  /** Its alert name (or recorded series name). */
  name: string;
  previous: ReadonlyMap<string, AlertState>;
  next: AlertState[];
  ended: AlertState[];
  wasHealthy: boolean;
  healthy: boolean;
}

export interface EvaluationPlan {
  group: string;
  slotMs: number;
  steps: RuleStep[];
  notifications: PlannedNotification[];
  reports: RuleReport[];
  ruleErrors: number;
}

export function planNotifications(group: CompiledGroup, outcomes: readonly RuleOutcome[], restored: RestoredState, slotMs: number, context: PlanContext): EvaluationPlan {
  const plan: EvaluationPlan = { group: group.name, slotMs, steps: [], notifications: [], reports: [], ruleErrors: 0 };
  for (const outcome of outcomes) {
    const { rule } = outcome;
    const previous = restored.alerts.get(rule.key) ?? new Map<string, AlertState>();
    const wasHealthy = restored.health.get(rule.key) ?? true;
    const type = rule.kind === 'recording' ? ('recording' as const) : ('alerting' as const);
    if (outcome.error !== undefined) {
      plan.ruleErrors++;
      // The alerts stay as they were: a failing query must not resolve them.
      plan.steps.push({ rule: rule.key, name: rule.name, previous, next: [...previous.values()], ended: [], wasHealthy, healthy: false });
      plan.reports.push({ group: group.name, rule: rule.name, type, state: 'error', alerts: [], error: outcome.error });
      if (wasHealthy) plan.notifications.push(healthNotification(group, rule, 'firing', outcome.error, slotMs, context));
      continue;
    }
    if (!wasHealthy) plan.notifications.push(healthNotification(group, rule, 'resolved', '', slotMs, context));
    if (outcome.recorded) {
      plan.steps.push({ rule: rule.key, name: rule.name, previous, next: [], ended: [], wasHealthy, healthy: true });
      plan.reports.push({ group: group.name, rule: rule.name, type, state: 'inactive', alerts: [], series: outcome.recorded.length, ...(outcome.recorded[0] ? { value: outcome.recorded[0].value } : {}) });
      continue;
    }
    const windows = [...rule.maintenance, ...context.settings.maintenance];
    const result = stepAlerts(previous, outcome.candidates, rule, slotMs, (labels) => mutedBy(windows, labels, slotMs) !== undefined);
    plan.steps.push({ rule: rule.key, name: rule.name, previous, next: result.next, ended: result.ended, wasHealthy, healthy: true });

    const base = {
      alertname: rule.name,
      group: group.name,
      stage: context.stage,
      region: context.region,
      expr: rule.expr,
      evaluated_at: new Date(slotMs).toISOString(),
      ...(context.vmUiUrl ? { query_url: queryUrl(context.vmUiUrl, rule.expr) } : {}),
    };
    const add = (status: 'firing' | 'resolved', reminder: boolean, states: ReadonlyArray<AlertState & { endedAt?: number }>) => {
      if (states.length === 0) return;
      const alerts = states.map((s) => notifiedAlert(s, rule, slotMs, context.settings, outcome.addedAnnotations.get(s.fingerprint)));
      const fingerprints = states.map((s) => s.fingerprint);
      plan.notifications.push({
        notification: { ...base, status, reminder, severity: topSeverity(alerts), alerts },
        effect: status === 'resolved' ? { kind: 'resolved', rule: rule.key, fingerprints } : { kind: 'notified', rule: rule.key, fingerprints },
      });
    };
    add('firing', false, result.firing);
    add('firing', true, result.reminders);
    add('resolved', false, result.resolved);

    const firing = result.next.filter((s) => s.phase === 'firing');
    plan.reports.push({
      group: group.name,
      rule: rule.name,
      type,
      state: firing.length ? 'firing' : result.next.length ? 'pending' : 'inactive',
      alerts: result.next.map((s) => {
        const muted = mutedBy(windows, s.labels, slotMs);
        return {
          labels: s.labels,
          phase: s.phase,
          value: s.value,
          active_since: new Date(s.activeAt).toISOString(),
          annotations: renderAnnotations(rule, s, slotMs, context.settings, outcome.addedAnnotations.get(s.fingerprint)),
          ...(muted ? { muted_by: muted } : {}),
        };
      }),
      ...(outcome.candidates[0] ? { value: outcome.candidates[0].value } : {}),
      ...(outcome.anomaly ? { anomaly: outcome.anomaly } : {}),
    });
  }
  return plan;
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

/**
 * The rule's query in vmui. `vmUiUrl` may name VictoriaMetrics (https://vm.example.com) or vmui itself
 * (https://vm.example.com/vmui, as the sample config does, with or without a trailing slash or #/): either
 * way the link is …/vmui/#/?g0.expr=…, never …/vmui/vmui/. Posted to Slack and printed: never with the base
 * URL's credentials (userinfo, or a vmauth token in its query string).
 */
export function queryUrl(base: string, expr: string): string {
  const link = `/#/?g0.expr=${encodeURIComponent(expr)}&g0.range_input=1h&g0.tab=0`;
  let root: string;
  try {
    const url = new URL(base);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    root = url.href;
  } catch {
    root = withoutUserinfo(base).replace(/[?#].*$/, '');
  }
  root = root.replace(/\/+$/, '');
  const vmui = /\/vmui$/i.test(root) ? root : `${root}/vmui`;
  return `${vmui}${link}`;
}

/** The rule's annotations for one of its alerts, and those its executor adds (an anomaly's baseline) unless the rule sets them. */
export function renderAnnotations(rule: CompiledRule, state: AlertState, slotMs: number, settings: Pick<AlertingSettings, 'external_labels' | 'external_url'>, added?: Record<string, string>): Record<string, string> {
  const annotations: Record<string, string> = {};
  const labels = templateLabels(state);
  for (const [name, template] of rule.annotations) {
    annotations[name] = renderTemplate(template, {
      value: state.value,
      labels,
      externalLabels: settings.external_labels,
      expr: rule.expr,
      activeAtMs: state.activeAt,
      forMs: rule.forMs,
      nowMs: slotMs,
      ...(settings.external_url !== undefined ? { externalUrl: settings.external_url } : {}),
    });
  }
  for (const [name, value] of Object.entries(added ?? {})) annotations[name] ??= value;
  return annotations;
}

function notifiedAlert(state: AlertState & { endedAt?: number }, rule: CompiledRule, slotMs: number, settings: AlertingSettings, added?: Record<string, string>): NotifiedAlert {
  const annotations = renderAnnotations(rule, state, slotMs, settings, added);
  const end = state.endedAt ?? slotMs;
  return {
    labels: state.labels,
    annotations,
    value: state.value,
    started_at: new Date(state.activeAt).toISOString(),
    ...(state.endedAt !== undefined ? { ended_at: new Date(state.endedAt).toISOString() } : {}),
    duration_seconds: Math.max(0, Math.round((end - state.activeAt) / 1000)),
    fingerprint: state.fingerprint,
  };
}

function healthNotification(group: CompiledGroup, rule: CompiledRule, status: 'firing' | 'resolved', error: string, slotMs: number, context: PlanContext): PlannedNotification {
  const labels = { alertname: RULE_HEALTH_ALERT, alertgroup: group.name, rule: rule.name, severity: 'warning' };
  const notification: Notification = {
    status,
    alertname: RULE_HEALTH_ALERT,
    group: group.name,
    severity: 'warning',
    stage: context.stage,
    region: context.region,
    reminder: false,
    expr: rule.expr,
    evaluated_at: new Date(slotMs).toISOString(),
    alerts: [
      {
        labels,
        annotations:
          status === 'firing'
            ? { summary: `Rule ${rule.name} in group ${group.name} cannot be evaluated`, description: error }
            : { summary: `Rule ${rule.name} in group ${group.name} evaluates again` },
        value: status === 'firing' ? 1 : 0,
        started_at: new Date(slotMs).toISOString(),
        duration_seconds: 0,
        fingerprint: `${group.name}/${rule.name}/${rule.key}/health`,
      },
    ],
  };
  return { notification, effect: { kind: 'health', rule: rule.key } };
}
