// Stage 2 of an evaluation: each rule's query at the slot, turned into alert candidates (full labels,
// value, annotations the executor adds). One executor per rule kind; a failing query is the rule's outcome,
// never an exception, so one bad rule cannot stop the others.
import { describeBaseline, judgeAnomaly, type AnomalyVerdict } from './anomaly.js';
import type { CompiledRule, RuleKind } from './compile.js';
import { labelFingerprint, type Labels } from './label-fingerprint.js';
import type { ActiveSample } from './lifecycle.js';
import { renderTemplate } from './template/index.js';
import { mapLimit } from '../async/map-limit.js';
import { describeError } from '../observability/error-message.js';
import { QueryError, type InstantSample } from '../victoria-metrics/index.js';

/** An instant query at `timeSec` (VictoriaMetrics' /api/v1/query, or anything answering like it). */
export type InstantQuery = (expr: string, timeSec: number) => Promise<InstantSample[]>;

export interface AnomalyJudgement {
  labels: Record<string, string>;
  verdict: AnomalyVerdict;
  value: number;
}

export interface RuleOutcome {
  rule: CompiledRule;
  /** Alert candidates with their full labels (external, series, rule labels, alertname, alertgroup). */
  candidates: ActiveSample[];
  /** Alert fingerprint → annotations the executor adds (an anomaly's baseline) unless the rule sets them. */
  addedAnnotations: Map<string, Record<string, string>>;
  anomaly?: AnomalyJudgement[];
  error?: string;
}

/** What an executor finds: series labels as the query returned them. */
interface SeriesFindings {
  series: Array<InstantSample & { annotations?: Record<string, string> }>;
  anomaly?: AnomalyJudgement[];
}

type Executor = (rule: CompiledRule, slotMs: number, query: InstantQuery) => Promise<SeriesFindings>;

async function runExpression(rule: CompiledRule, slotMs: number, query: InstantQuery): Promise<SeriesFindings> {
  return { series: await query(rule.expr, slotMs / 1000) };
}

/** The watched query now and at the same time in each past season; anomalous series become candidates. */
async function runAnomaly(rule: CompiledRule, slotMs: number, query: InstantQuery): Promise<SeriesFindings> {
  const spec = rule.anomaly;
  if (!spec) throw new Error(`rule ${rule.name} is not an anomaly rule`);
  const [current = [], ...history] = await Promise.all(
    Array.from({ length: spec.baseline.periods + 1 }, (_, k) => query(rule.expr, (slotMs - k * spec.baseline.season) / 1000)),
  );
  const past = history.map((h) => new Map(h.map((s) => [labelFingerprint(s.labels), s.value])));
  const findings: SeriesFindings = { series: [], anomaly: [] };
  for (const s of current) {
    const key = labelFingerprint(s.labels);
    const verdict = judgeAnomaly(s.value, past.map((m) => m.get(key) ?? NaN), spec);
    findings.anomaly?.push({ labels: s.labels, verdict, value: s.value });
    if (!verdict.anomalous || !verdict.baseline) continue;
    findings.series.push({ ...s, annotations: { baseline: describeBaseline(verdict.baseline, s.value, verdict.score) } });
  }
  return findings;
}

// A threshold is compiled to the comparison vmalert would evaluate (`(query) > bound`, see compile.ts), so it
// means exactly what the equivalent expression rule means and shares its executor.
const EXECUTORS: Record<RuleKind, Executor> = { expression: runExpression, threshold: runExpression, anomaly: runAnomaly };

/** The alert labels of a series: external labels, the series' own, the rule's (templated), alertname and alertgroup. */
export function alertLabels(rule: CompiledRule, series: InstantSample, externalLabels: Labels): Record<string, string> {
  const base = { ...externalLabels, ...series.labels };
  const labels: Record<string, string> = { ...base };
  for (const [name, template] of rule.labels) labels[name] = renderTemplate(template, { value: series.value, labels: base, externalLabels, expr: rule.expr });
  labels.alertname = rule.name;
  labels.alertgroup = rule.group;
  return labels;
}

export async function executeRule(rule: CompiledRule, slotMs: number, query: InstantQuery, externalLabels: Labels): Promise<RuleOutcome> {
  try {
    const findings = await EXECUTORS[rule.kind](rule, slotMs, query);
    const outcome: RuleOutcome = { rule, candidates: [], addedAnnotations: new Map(), ...(findings.anomaly ? { anomaly: findings.anomaly } : {}) };
    for (const s of findings.series) {
      const labels = alertLabels(rule, s, externalLabels);
      outcome.candidates.push({ labels, value: s.value });
      if (s.annotations) outcome.addedAnnotations.set(labelFingerprint(labels), s.annotations);
    }
    return outcome;
  } catch (err) {
    const error = err instanceof QueryError ? err.message : describeError(err);
    return { rule, candidates: [], addedAnnotations: new Map(), error };
  }
}

/** Every rule of a group at the slot, at most `concurrency` queries of rules at once. */
export function executeRules(rules: readonly CompiledRule[], slotMs: number, query: InstantQuery, externalLabels: Labels, concurrency = 8): Promise<RuleOutcome[]> {
  return mapLimit(rules, concurrency, (rule) => executeRule(rule, slotMs, query, externalLabels));
}
