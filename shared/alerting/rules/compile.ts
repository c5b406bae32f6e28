// Rules as the evaluator uses them: threshold forms turned into comparisons, templates parsed once,
// group labels merged, settings defaults applied, and each rule given its identity within the group.
import { createHash } from 'node:crypto';
import { parseTemplate, type Template } from '../template/index.js';
import type { AlertingSettings, AnomalySpec, MaintenanceWindow, Rule, RuleGroup } from './schema.js';

/** How the rule is evaluated: one executor each (see rule-executors.ts). */
export type RuleKind = 'expression' | 'threshold' | 'anomaly' | 'recording';

export interface CompiledRule {
  /** The alert name, or for a recording rule the name of the series it records. */
  name: string;
  /**
   * The rule's identity within its group: alert state, rule health and notifications are kept per rule,
   * not per name, as vmalert and Prometheus keep them — two rules may share an alert name (the usual
   * warning/critical pair). See ruleKey.
   */
  key: string;
  kind: RuleKind;
  group: string;
  /** The MetricsQL evaluated (for anomaly rules: the watched query). */
  expr: string;
  anomaly?: AnomalySpec;
  forMs: number;
  keepFiringForMs: number;
  repeatIntervalMs: number;
  /** Static and templated labels added to every alert of the rule (group labels, then rule labels). */
  labels: Array<[string, Template]>;
  annotations: Array<[string, Template]>;
  maintenance: MaintenanceWindow[];
}

export interface CompiledGroup {
  name: string;
  intervalMs: number;
  /** File the group came from, for messages. */
  source: string;
  rules: CompiledRule[];
}

const COMPARATORS = { above: '>', below: '<', at_least: '>=', at_most: '<=' } as const;

export function ruleExpr(rule: Rule): string {
  if (rule.expr !== undefined) return rule.expr;
  if (rule.anomaly) return rule.anomaly.query;
  const t = rule.threshold;
  if (!t) throw new Error(`rule ${rule.alert ?? '?'} has no expression`);
  for (const key of Object.keys(COMPARATORS) as Array<keyof typeof COMPARATORS>) {
    const bound = t[key];
    if (bound !== undefined) return `(${t.query}) ${COMPARATORS[key]} ${bound}`;
  }
  throw new Error(`rule ${rule.alert ?? '?'} threshold has no bound`);
}

/**
 * A rule's identity in its group: its type, name and labels as written, and which of the rules with the
 * same three it is (the first, the second…). Prometheus matches rules across reloads the same way (name and
 * labels, in order); the expression is left out so that tuning a threshold keeps a firing alert's state.
 * A short hash, as it is stored as a label of the state series.
 */
export function ruleKey(type: 'alert' | 'record', name: string, labels: Readonly<Record<string, string>>, occurrence: number): string {
  const text = [type, name, ...Object.keys(labels).sort().map((k) => `${k}\u0000${labels[k]}`), String(occurrence)].join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function compileRule(rule: Rule, group: RuleGroup, settings: AlertingSettings, occurrence = 0): CompiledRule {
  const labels = { ...group.labels, ...rule.labels };
  const recording = rule.record !== undefined;
  const name = (recording ? rule.record : rule.alert) as string;
  return {
    name,
    key: ruleKey(recording ? 'record' : 'alert', name, labels, occurrence),
    kind: recording ? 'recording' : rule.anomaly ? 'anomaly' : rule.expr !== undefined ? 'expression' : 'threshold',
    group: group.name,
    expr: ruleExpr(rule),
    ...(rule.anomaly ? { anomaly: rule.anomaly } : {}),
    forMs: rule.for,
    keepFiringForMs: rule.keep_firing_for,
    repeatIntervalMs: rule.repeat_interval ?? settings.repeat_interval,
    // Prometheus and vmalert record labels as written; only alerting rules template them.
    labels: Object.entries(labels).map(([k, v]) => [k, recording ? constantTemplate(v) : parseTemplate(v)]),
    annotations: Object.entries(rule.annotations).map(([k, v]) => [k, parseTemplate(v)]),
    maintenance: rule.maintenance,
  };
}

/** Every rule of a group, each with its identity (rules alike in type, name and labels numbered in order). */
export function compileRules(group: RuleGroup, settings: AlertingSettings): CompiledRule[] {
  const seen = new Map<string, number>();
  return group.rules.map((rule) => {
    const same = JSON.stringify([rule.record ?? null, rule.alert ?? null, Object.entries({ ...group.labels, ...rule.labels }).sort()]);
    const occurrence = seen.get(same) ?? 0;
    seen.set(same, occurrence + 1);
    return compileRule(rule, group, settings, occurrence);
  });
}

/** A label value used as it is, never expanded. */
function constantTemplate(text: string): Template {
  return { source: text, nodes: [{ type: 'text', text }], constant: text };
}
