// Rules as the evaluator uses them: threshold forms turned into comparisons, templates parsed once,
// group labels merged, settings defaults applied.
import { parseTemplate, type Template } from './template/index.js';
import type { AlertingSettings, AnomalySpec, MaintenanceWindow, Rule, RuleGroup } from './rules-schema.js';

/** How the rule is evaluated: one executor each (see rule-executors.ts). */
export type RuleKind = 'expression' | 'threshold' | 'anomaly';

export interface CompiledRule {
  name: string;
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

export function compileRule(rule: Rule, group: RuleGroup, settings: AlertingSettings): CompiledRule {
  const labels = { ...group.labels, ...rule.labels };
  return {
    name: rule.alert as string,
    kind: rule.anomaly ? 'anomaly' : rule.expr !== undefined ? 'expression' : 'threshold',
    group: group.name,
    expr: ruleExpr(rule),
    ...(rule.anomaly ? { anomaly: rule.anomaly } : {}),
    forMs: rule.for,
    keepFiringForMs: rule.keep_firing_for,
    repeatIntervalMs: rule.repeat_interval ?? settings.repeat_interval,
    labels: Object.entries(labels).map(([k, v]) => [k, parseTemplate(v)]),
    annotations: Object.entries(rule.annotations).map(([k, v]) => [k, parseTemplate(v)]),
    maintenance: rule.maintenance,
  };
}
