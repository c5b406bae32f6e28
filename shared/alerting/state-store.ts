// Alert state lives in VictoriaMetrics, as vmalert keeps it: ALERTS{alertstate} and ALERTS_FOR_STATE
// (value = activeAt in seconds), plus periscope_alert_* series for what notifications need (when it fired,
// when it was last notified, when it was last seen). Written at every evaluation, restored at the start
// of the next one, so a cold start or a redeploy neither forgets a firing alert nor notifies it twice.
import type { TimedSample } from '../storage/exposition.js';
import type { AlertState } from './lifecycle.js';
import { labelFingerprint } from './label-fingerprint.js';
import type { ExportedSeries } from '../victoria-metrics/index.js';

const STATE = 'periscope_alert_state';
const FIRED_AT = 'periscope_alert_fired_at';
const NOTIFIED_AT = 'periscope_alert_notified_at';
const LAST_ACTIVE = 'periscope_alert_last_active';
const KEEP_FIRING_SINCE = 'periscope_alert_keep_firing_since';
const VALUE = 'periscope_alert_value';
const HEALTH = 'periscope_rule_health';

export const STATE_SERIES_MATCH = `{__name__=~"ALERTS_FOR_STATE|${STATE}|${FIRED_AT}|${NOTIFIED_AT}|${LAST_ACTIVE}|${KEEP_FIRING_SINCE}|${VALUE}|${HEALTH}"`;

const PHASE_CODE = { pending: 1, firing: 2 } as const;

/** Samples that record `states` (and the inactive end of `ended`) at evaluation time `ts`. */
export function encodeAlertStates(states: readonly AlertState[], ended: ReadonlyArray<AlertState>, ts: number): TimedSample[] {
  const out: TimedSample[] = [];
  const at = (name: string, labels: Record<string, string>, value: number) => out.push({ name, labels, value, timestampMs: ts });
  for (const s of states) {
    at('ALERTS', { ...s.labels, alertstate: s.phase }, 1);
    at('ALERTS_FOR_STATE', s.labels, s.activeAt / 1000);
    at(STATE, s.labels, PHASE_CODE[s.phase]);
    if (s.firedAt !== undefined) at(FIRED_AT, s.labels, s.firedAt / 1000);
    at(NOTIFIED_AT, s.labels, s.notifiedAt === undefined ? 0 : s.notifiedAt / 1000);
    at(LAST_ACTIVE, s.labels, s.lastActive / 1000);
    // 0 clears it: the alert is back in the results.
    at(KEEP_FIRING_SINCE, s.labels, s.keepFiringSince === undefined ? 0 : s.keepFiringSince / 1000);
    if (Number.isFinite(s.value)) at(VALUE, s.labels, s.value);
  }
  // An explicit "inactive" marker: without it the last "firing" sample would be restored again.
  for (const s of ended) at(STATE, s.labels, 0);
  return out;
}

export function encodeRuleHealth(labels: { alertgroup: string; alertname: string }, ok: boolean, ts: number): TimedSample {
  return { name: HEALTH, labels, value: ok ? 1 : 0, timestampMs: ts };
}

export interface RestoredState {
  /** alertname → fingerprint → state */
  alerts: Map<string, Map<string, AlertState>>;
  /** alertname → healthy at the last evaluation */
  health: Map<string, boolean>;
}

/** Latest value at or before `ts` of each exported series, grouped by alert. */
export function decodeStates(series: readonly ExportedSeries[], ts: number): RestoredState {
  const byAlert = new Map<string, { labels: Record<string, string>; values: Map<string, number> }>();
  const health = new Map<string, boolean>();
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
    const { __name__: name, ...labels } = s.labels;
    if (name === HEALTH) {
      health.set(labels.alertname ?? '', value === 1);
      continue;
    }
    const fp = labelFingerprint(labels);
    const entry = byAlert.get(fp) ?? { labels, values: new Map<string, number>() };
    entry.values.set(name ?? '', value);
    byAlert.set(fp, entry);
  }
  const alerts = new Map<string, Map<string, AlertState>>();
  for (const [fp, { labels, values }] of byAlert) {
    const phase = values.get(STATE);
    const activeAt = values.get('ALERTS_FOR_STATE');
    if ((phase !== 1 && phase !== 2) || activeAt === undefined) continue;
    const seconds = (name: string) => {
      const v = values.get(name);
      return v === undefined || v === 0 || !Number.isFinite(v) ? undefined : Math.round(v * 1000);
    };
    const firedAt = seconds(FIRED_AT);
    const notifiedAt = seconds(NOTIFIED_AT);
    const keepFiringSince = seconds(KEEP_FIRING_SINCE);
    const state: AlertState = {
      fingerprint: fp,
      labels,
      phase: phase === 2 ? 'firing' : 'pending',
      activeAt: Math.round(activeAt * 1000),
      ...(firedAt !== undefined ? { firedAt } : {}),
      ...(notifiedAt !== undefined ? { notifiedAt } : {}),
      lastActive: seconds(LAST_ACTIVE) ?? Math.round(activeAt * 1000),
      ...(keepFiringSince !== undefined ? { keepFiringSince } : {}),
      value: values.get(VALUE) ?? NaN,
    };
    const name = labels.alertname ?? '';
    const forRule = alerts.get(name) ?? new Map<string, AlertState>();
    forRule.set(fp, state);
    alerts.set(name, forRule);
  }
  return { alerts, health };
}
