// What one evaluation of a rule makes of its query results, pure and shared by the anomaly check, the
// replay and the rule unit tests: the seasonal judgement of anomaly rules, the alert label sets (series
// labels, external labels, templated rule labels, alertname, alertgroup) and the rendered annotations.
import type { NotifiedAlert } from '../notify/types.js';
import { judgeAnomaly, labelKey, type AnomalyVerdict } from './anomaly.js';
import type { CompiledRule } from './compile.js';
import type { ActiveSample, AlertState } from './lifecycle.js';
import { renderTemplate } from './template/index.js';

export interface SeriesValue {
  labels: Record<string, string>;
  value: number;
}

export interface AnomalyJudgement {
  /** The series that are anomalous now. */
  anomalous: SeriesValue[];
  /** Every current series with its verdict (for periscope check). */
  verdicts: Array<{ labels: Record<string, string>; verdict: AnomalyVerdict; value: number }>;
  /** labelKey(series labels) → the baseline annotation of an anomalous series. */
  baselines: Map<string, string>;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** Judges the current values against the same series in each past season (history[k] = k+1 seasons ago). */
export function judgeSeasons(rule: CompiledRule, current: readonly SeriesValue[], history: ReadonlyArray<readonly SeriesValue[]>): AnomalyJudgement {
  const spec = rule.anomaly;
  if (!spec) throw new Error(`rule ${rule.name} is not an anomaly rule`);
  const past = history.map((h) => new Map(h.map((s) => [labelKey(s.labels), s.value])));
  const out: AnomalyJudgement = { anomalous: [], verdicts: [], baselines: new Map() };
  for (const s of current) {
    const key = labelKey(s.labels);
    const verdict = judgeAnomaly(s.value, past.map((m) => m.get(key) ?? NaN), spec);
    out.verdicts.push({ labels: s.labels, verdict, value: s.value });
    if (!verdict.anomalous || !verdict.baseline) continue;
    out.anomalous.push(s);
    const b = verdict.baseline;
    out.baselines.set(
      key,
      `median ${formatNumber(b.median)} over ${b.seasons} past seasons, typical deviation ${formatNumber(b.scaledMad)}, now ${formatNumber(s.value)} (${Number.isFinite(verdict.score) ? `${verdict.score.toFixed(1)} deviations` : 'history was flat'})`,
    );
  }
  return out;
}

export interface RuleAlertSample extends ActiveSample {
  /** labelKey of the series the alert came from (to find its anomaly baseline). */
  seriesKey: string;
}

/** The alert each result series makes: its labels with external labels, templated rule labels and names. */
export function alertSamples(rule: CompiledRule, samples: readonly SeriesValue[], externalLabels: Record<string, string>): RuleAlertSample[] {
  return samples.map((s) => {
    const base = { ...externalLabels, ...s.labels };
    const labels: Record<string, string> = { ...base };
    for (const [name, template] of rule.labels) labels[name] = renderTemplate(template, { value: s.value, labels: base, externalLabels, expr: rule.expr });
    labels.alertname = rule.name;
    labels.alertgroup = rule.group;
    return { labels, value: s.value, seriesKey: labelKey(s.labels) };
  });
}

/** The rule's annotations rendered for an alert's current value and labels. */
export function renderAnnotations(rule: CompiledRule, state: Pick<AlertState, 'labels' | 'value'>, externalLabels: Record<string, string>, baseline?: string): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [name, template] of rule.annotations) {
    annotations[name] = renderTemplate(template, { value: state.value, labels: state.labels, externalLabels, expr: rule.expr });
  }
  if (baseline && annotations.baseline === undefined) annotations.baseline = baseline;
  return annotations;
}

/** An alert as notifications carry it. */
export function notifiedAlert(state: AlertState, rule: CompiledRule, slot: number, externalLabels: Record<string, string>, endedAt?: number, baseline?: string): NotifiedAlert {
  const end = endedAt ?? slot;
  return {
    labels: state.labels,
    annotations: renderAnnotations(rule, state, externalLabels, baseline),
    value: state.value,
    started_at: new Date(state.activeAt).toISOString(),
    ...(endedAt !== undefined ? { ended_at: new Date(endedAt).toISOString() } : {}),
    duration_seconds: Math.max(0, Math.round((end - state.activeAt) / 1000)),
    fingerprint: state.fingerprint,
  };
}
