// Stage 2 of an evaluation: each rule's query at the slot, turned into alert candidates (full labels,
// value, annotations the executor adds) or, for a recording rule, into the samples it records. One executor
// per rule kind; a failing query is the rule's outcome, never an exception, so one bad rule cannot stop the
// others. Rules run in order as Prometheus evaluates a group: a recording rule's samples are written before
// any later rule is evaluated, so a later rule sees them at the same evaluation time (as in vmalert's replay).
import { describeBaseline, judgeAnomaly, type AnomalyVerdict } from './anomaly.js';
import type { CompiledRule, RuleKind } from '../rules/compile.js';
import { labelFingerprint, type Labels } from '../state/label-fingerprint.js';
import type { ActiveSample } from '../state/lifecycle.js';
import { renderTemplate } from '../template/index.js';
import { mapLimit } from '../../async/map-limit.js';
import { describeError } from '../../observability/error-message.js';
import type { TimedSample } from '../../storage/exposition.js';
import { QueryError, type InstantSample } from '../../victoria-metrics/index.js';

/** An instant query at `timeSec` (VictoriaMetrics' /api/v1/query, or anything answering like it). */
export type InstantQuery = (expr: string, timeSec: number) => Promise<InstantSample[]>;

/**
 * Where a recording rule's samples go before the next rule runs: written to VictoriaMetrics and made
 * searchable (live), or nowhere (a dry run; a replay, which wrote them beforehand). Resolves with what went
 * wrong when some were not written: the recording rules of the wave then fail (reported, counted).
 */
export type RecordSink = (samples: readonly TimedSample[]) => Promise<string | undefined>;

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
  /** A recording rule's samples at the slot. */
  recorded?: TimedSample[];
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
// means exactly what the equivalent expression rule means and shares its executor; a recording rule's query
// too (its series are turned into samples, not alerts, below).
const EXECUTORS: Record<RuleKind, Executor> = { expression: runExpression, threshold: runExpression, anomaly: runAnomaly, recording: runExpression };

export interface AlertLabels {
  labels: Record<string, string>;
  /** The query's values of labels the rule's labels replaced: templates see these (see templateLabels). */
  overridden?: Record<string, string>;
}

/** The alert labels of a series: external labels, the series' own, the rule's (templated), alertname and alertgroup. */
export function alertLabels(rule: CompiledRule, series: InstantSample, externalLabels: Labels): AlertLabels {
  const base = { ...externalLabels, ...series.labels };
  const labels: Record<string, string> = { ...base };
  let overridden: Record<string, string> | undefined;
  for (const [name, template] of rule.labels) {
    const value = renderTemplate(template, { value: series.value, labels: base, externalLabels, expr: rule.expr });
    const fromQuery = series.labels[name];
    if (fromQuery !== undefined && fromQuery !== value) (overridden ??= {})[name] = fromQuery;
    labels[name] = value;
  }
  labels.alertname = rule.name;
  labels.alertgroup = rule.group;
  return overridden ? { labels, overridden } : { labels };
}

/**
 * The labels annotation templates see: the alert's labels, with the query's own value wherever a rule label
 * replaced it — as Prometheus and every vmalert render `$labels` (the query's labels). A label only the rule
 * has keeps the rule's value, as vmalert from 1.82 (Prometheus renders nothing there; docs/alerting.md).
 */
export function templateLabels(alert: { labels: Record<string, string>; overridden?: Record<string, string> }): Record<string, string> {
  return alert.overridden ? { ...alert.labels, ...alert.overridden } : alert.labels;
}

/**
 * A recording rule's samples: the series' labels (external labels under them), the rule's labels over them
 * and the recorded name, as vmalert and Prometheus record them. Two series ending with the same labels make
 * the rule fail, as in both. Values that are not finite cannot be written to VictoriaMetrics and are left out.
 */
export function recordedSamples(rule: CompiledRule, series: readonly InstantSample[], externalLabels: Labels, timestampMs: number): TimedSample[] {
  const out: TimedSample[] = [];
  const seen = new Set<string>();
  for (const s of series) {
    const labels: Record<string, string> = { ...externalLabels, ...s.labels };
    for (const [name, template] of rule.labels) labels[name] = template.source;
    const key = labelFingerprint(labels);
    if (seen.has(key)) throw new QueryError(`the result has two series with the labels {${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}} after the rule's labels are applied`, 'bad_query');
    seen.add(key);
    if (Number.isFinite(s.value)) out.push({ name: rule.name, labels, value: s.value, timestampMs });
  }
  return out;
}

export async function executeRule(rule: CompiledRule, slotMs: number, query: InstantQuery, externalLabels: Labels): Promise<RuleOutcome> {
  try {
    const findings = await EXECUTORS[rule.kind](rule, slotMs, query);
    const outcome: RuleOutcome = { rule, candidates: [], addedAnnotations: new Map(), ...(findings.anomaly ? { anomaly: findings.anomaly } : {}) };
    if (rule.kind === 'recording') {
      outcome.recorded = recordedSamples(rule, findings.series, externalLabels, slotMs);
      return outcome;
    }
    for (const s of findings.series) {
      const { labels, overridden } = alertLabels(rule, s, externalLabels);
      outcome.candidates.push({ labels, value: s.value, ...(overridden ? { overridden } : {}) });
      if (s.annotations) outcome.addedAnnotations.set(labelFingerprint(labels), s.annotations);
    }
    return outcome;
  } catch (err) {
    const error = err instanceof QueryError ? err.message : describeError(err);
    return { rule, candidates: [], addedAnnotations: new Map(), error };
  }
}

/**
 * Every rule of a group at the slot, at most `concurrency` queries of rules at once, in waves that each end
 * with a recording rule: its samples go to `record` before the next wave's queries.
 */
export async function executeRules(rules: readonly CompiledRule[], slotMs: number, query: InstantQuery, externalLabels: Labels, concurrency = 8, record?: RecordSink): Promise<RuleOutcome[]> {
  const outcomes: RuleOutcome[] = [];
  for (const wave of recordingWaves(rules)) {
    const done = await mapLimit(wave, concurrency, (rule) => executeRule(rule, slotMs, query, externalLabels));
    outcomes.push(...done);
    const recorded = done.flatMap((o) => o.recorded ?? []);
    const problem = record && recorded.length > 0 ? await record(recorded) : undefined;
    if (problem !== undefined) for (const o of done) if (o.recorded && o.recorded.length > 0) o.error = problem;
  }
  return outcomes;
}

/** The rules split after each recording rule: the rules of a wave may run at once. */
export function recordingWaves<T extends { kind: RuleKind }>(rules: readonly T[]): T[][] {
  const waves: T[][] = [];
  let wave: T[] = [];
  for (const rule of rules) {
    wave.push(rule);
    if (rule.kind === 'recording') {
      waves.push(wave);
      wave = [];
    }
  }
  if (wave.length > 0) waves.push(wave);
  return waves;
}
