// Alert state lives in VictoriaMetrics, as vmalert keeps it: ALERTS{alertstate} and ALERTS_FOR_STATE
// (value = activeAt in seconds), plus periscope_alert_* series for what notifications need (when it became
// active, fired, was last notified, was last seen). Written at every evaluation, restored at the start of the
// next one, so a cold start or a redeploy neither forgets a firing alert nor notifies it twice.
//
// State is kept per rule, as vmalert and Prometheus keep it: two rules of a group may share an alert name
// (a warning/critical pair), so the periscope_* series carry the rule's identity (`periscope_rule`, see
// compile.ts ruleKey) beside the alert's labels. ALERTS and ALERTS_FOR_STATE keep vmalert's shape; where two
// rules produce the same alert labels, only the first rule's sample of a series is written, never two
// conflicting samples at one timestamp.
import type { TimedSample } from '../../storage/exposition.js';
import type { CompiledRule } from '../rules/compile.js';
import type { AlertState } from './lifecycle.js';
import { labelFingerprint } from './label-fingerprint.js';
import type { ExportedSeries } from '../../victoria-metrics/index.js';

const STATE = 'periscope_alert_state';
const ACTIVE_AT = 'periscope_alert_active_at';
const FIRED_AT = 'periscope_alert_fired_at';
const NOTIFIED_AT = 'periscope_alert_notified_at';
const LAST_ACTIVE = 'periscope_alert_last_active';
const KEEP_FIRING_SINCE = 'periscope_alert_keep_firing_since';
const VALUE = 'periscope_alert_value';
const HEALTH = 'periscope_rule_health';
/** The rule an alert belongs to (compile.ts ruleKey). */
export const RULE_LABEL = 'periscope_rule';
/** The query's values of labels the rule replaced, as JSON (on the state series only, when there are any). */
const OVERRIDDEN_LABEL = 'periscope_query_labels';

export const STATE_SERIES_MATCH = `{__name__=~"ALERTS_FOR_STATE|${STATE}|${ACTIVE_AT}|${FIRED_AT}|${NOTIFIED_AT}|${LAST_ACTIVE}|${KEEP_FIRING_SINCE}|${VALUE}|${HEALTH}"`;

const PHASE_CODE = { pending: 1, firing: 2 } as const;

/** What one rule's evaluation leaves behind. */
export interface RuleStateUpdate {
  /** The rule's key (compile.ts ruleKey). */
  rule: string;
  alertname: string;
  /** Alerts pending or firing after the evaluation. */
  alerts: AlertState[];
  /** Alerts that stopped at this evaluation (recorded as inactive). */
  ended: AlertState[];
  /** Whether the rule could be evaluated, as far as notifications have told. */
  ok: boolean;
}

/** Samples that record each rule's alerts (and the inactive end of its ended ones) at evaluation time `ts`. */
export function encodeGroupState(group: string, rules: readonly RuleStateUpdate[], ts: number): TimedSample[] {
  const out: TimedSample[] = [];
  const written = new Set<string>();
  const at = (name: string, labels: Record<string, string>, value: number) => {
    // A series of vmalert's shape two rules produce alike: the first rule's sample only.
    const key = `${name}\u0000${labelFingerprint(labels)}`;
    if (written.has(key)) return;
    written.add(key);
    out.push({ name, labels, value, timestampMs: ts });
  };
  for (const rule of rules) {
    at(HEALTH, { alertgroup: group, alertname: rule.alertname, [RULE_LABEL]: rule.rule }, rule.ok ? 1 : 0);
    for (const s of rule.alerts) {
      const own = { ...s.labels, [RULE_LABEL]: rule.rule };
      at('ALERTS', { ...s.labels, alertstate: s.phase }, 1);
      at('ALERTS_FOR_STATE', s.labels, s.activeAt / 1000);
      at(STATE, withOverridden(own, s), PHASE_CODE[s.phase]);
      at(ACTIVE_AT, own, s.activeAt / 1000);
      if (s.firedAt !== undefined) at(FIRED_AT, own, s.firedAt / 1000);
      at(NOTIFIED_AT, own, s.notifiedAt === undefined ? 0 : s.notifiedAt / 1000);
      at(LAST_ACTIVE, own, s.lastActive / 1000);
      // 0 clears it: the alert is back in the results.
      at(KEEP_FIRING_SINCE, own, s.keepFiringSince === undefined ? 0 : s.keepFiringSince / 1000);
      if (Number.isFinite(s.value)) at(VALUE, own, s.value);
    }
    // An explicit "inactive" marker: without it the last "firing" sample would be restored again.
    for (const s of rule.ended) at(STATE, withOverridden({ ...s.labels, [RULE_LABEL]: rule.rule }, s), 0);
  }
  return out;
}

function withOverridden(labels: Record<string, string>, state: AlertState): Record<string, string> {
  return state.overridden ? { ...labels, [OVERRIDDEN_LABEL]: JSON.stringify(state.overridden) } : labels;
}

export interface RestoredState {
  /** rule key → alert fingerprint → state */
  alerts: Map<string, Map<string, AlertState>>;
  /** rule key → healthy at the last evaluation */
  health: Map<string, boolean>;
  /** The newest evaluation whose state is in the store (ms), if any. */
  committedAt?: number;
}

/** The rules restored state is sorted to: their key, and for state written before keys existed, name and labels. */
export type RestoringRule = Pick<CompiledRule, 'key' | 'name' | 'labels'>;

interface Entry {
  rule: string;
  labels: Record<string, string>;
  /** metric name → newest value and its time */
  values: Map<string, { t: number; v: number }>;
  overridden?: { t: number; labels: Record<string, string> };
}

/**
 * Latest value at or before `ts` of each exported series, grouped by rule and alert. State written before
 * alerts were kept per rule (no `periscope_rule` label) goes to the first of `rules` with the alert's name
 * whose fixed labels the alert carries, unless the alert has state of a rule already.
 */
export function decodeStates(series: readonly ExportedSeries[], ts: number, rules: readonly RestoringRule[] = []): RestoredState {
  const entries = new Map<string, Entry>();
  const health = new Map<string, { t: number; ok: boolean }>();
  const legacyHealth = new Map<string, { t: number; ok: boolean }>();
  let committedAt: number | undefined;
  for (const s of series) {
    let latest = -1;
    let value = NaN;
    s.timestamps.forEach((t, i) => {
      if (t <= ts && t >= latest) {
        latest = t;
        value = s.values[i] as number;
      }
    });
    if (latest < 0) continue;
    const { __name__: name = '', [RULE_LABEL]: rule = '', [OVERRIDDEN_LABEL]: overridden, ...labels } = s.labels;
    if (name === HEALTH) {
      committedAt = Math.max(committedAt ?? latest, latest);
      const into = rule ? health : legacyHealth;
      const key = rule || (labels.alertname ?? '');
      if ((into.get(key)?.t ?? -1) <= latest) into.set(key, { t: latest, ok: value === 1 });
      continue;
    }
    const fp = labelFingerprint(labels);
    const id = `${rule}\u0000${fp}`;
    let entry = entries.get(id);
    if (!entry) entries.set(id, (entry = { rule, labels, values: new Map() }));
    if ((entry.values.get(name)?.t ?? -1) <= latest) entry.values.set(name, { t: latest, v: value });
    if (name === STATE && (entry.overridden?.t ?? -1) <= latest) {
      const parsed = overridden === undefined ? undefined : parseOverridden(overridden);
      if (parsed) entry.overridden = { t: latest, labels: parsed };
      else delete entry.overridden;
    }
  }
  const restored: RestoredState = { alerts: new Map(), health: new Map([...health].map(([k, h]) => [k, h.ok])), ...(committedAt !== undefined ? { committedAt } : {}) };
  const keyed = new Set<string>();
  for (const entry of entries.values()) if (entry.rule) keyed.add(labelFingerprint(entry.labels));
  for (const entry of entries.values()) {
    const fp = labelFingerprint(entry.labels);
    const state = entryState(entry, fp);
    if (!state) continue;
    let rule = entry.rule;
    if (!rule) {
      if (keyed.has(fp)) continue; // written again since, per rule
      rule = rules.find((r) => r.name === entry.labels.alertname && fixedLabelsMatch(r, entry.labels))?.key ?? '';
      if (!rule) continue;
    }
    const forRule = restored.alerts.get(rule) ?? new Map<string, AlertState>();
    forRule.set(fp, state);
    restored.alerts.set(rule, forRule);
  }
  for (const [alertname, h] of legacyHealth) {
    for (const r of rules) if (r.name === alertname && !restored.health.has(r.key)) restored.health.set(r.key, h.ok);
  }
  return restored;
}

function entryState(entry: Entry, fp: string): AlertState | undefined {
  const values = new Map([...entry.values].map(([k, x]) => [k, x.v]));
  const phase = values.get(STATE);
  // Per rule, activeAt is the rule's own series; state written before that has vmalert's ALERTS_FOR_STATE.
  const activeAt = values.get(entry.rule ? ACTIVE_AT : 'ALERTS_FOR_STATE');
  if ((phase !== 1 && phase !== 2) || activeAt === undefined) return undefined;
  const seconds = (name: string) => {
    const v = values.get(name);
    return v === undefined || v === 0 || !Number.isFinite(v) ? undefined : Math.round(v * 1000);
  };
  const firedAt = seconds(FIRED_AT);
  const notifiedAt = seconds(NOTIFIED_AT);
  const keepFiringSince = seconds(KEEP_FIRING_SINCE);
  return {
    fingerprint: fp,
    labels: entry.labels,
    phase: phase === 2 ? 'firing' : 'pending',
    activeAt: Math.round(activeAt * 1000),
    ...(firedAt !== undefined ? { firedAt } : {}),
    ...(notifiedAt !== undefined ? { notifiedAt } : {}),
    lastActive: seconds(LAST_ACTIVE) ?? Math.round(activeAt * 1000),
    ...(keepFiringSince !== undefined ? { keepFiringSince } : {}),
    value: values.get(VALUE) ?? NaN,
    ...(entry.overridden ? { overridden: entry.overridden.labels } : {}),
  };
}

function parseOverridden(text: string): Record<string, string> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    return Object.keys(out).length > 0 ? out : undefined;
  } catch {
    return undefined; // not written by Periscope: ignored, as an unknown label would be
  }
}

/** Whether the alert carries every label the rule sets to a fixed value (a templated one may be anything). */
function fixedLabelsMatch(rule: RestoringRule, labels: Record<string, string>): boolean {
  return rule.labels.every(([name, template]) => template.constant === undefined || labels[name] === template.constant);
}
