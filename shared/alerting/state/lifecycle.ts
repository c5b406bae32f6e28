// The alert lifecycle as vmalert runs it — inactive → pending → firing → resolved, keyed by label set —
// plus Alertmanager's notification rules (notify on firing, remind every repeat_interval, resolve once,
// nothing while muted). Pure: previous state and this evaluation's results in, next state and events out.
import { labelFingerprint } from './label-fingerprint.js';

/** An alert's fingerprint: the label fingerprint of its full label set. */
export const fingerprint = labelFingerprint;

export interface AlertState {
  fingerprint: string;
  /** Full alert labels: series labels, rule labels, alertname and alertgroup. */
  labels: Record<string, string>;
  phase: 'pending' | 'firing';
  /** Epoch ms the alert became active (pending began). */
  activeAt: number;
  firedAt?: number;
  /** Epoch ms of the last firing notification or reminder; undefined when none was sent yet. */
  notifiedAt?: number;
  /** Epoch ms of the last evaluation whose result contained the alert. */
  lastActive: number;
  /** Epoch ms of the first evaluation without it while keep_firing_for holds it firing (vmalert's KeepFiringSince). */
  keepFiringSince?: number;
  value: number;
  /** The query's values of labels the rule's labels replaced (templates see these; see templateLabels). */
  overridden?: Record<string, string>;
}

export interface ActiveSample {
  labels: Record<string, string>;
  value: number;
  overridden?: Record<string, string>;
}

export interface LifecycleRule {
  forMs: number;
  keepFiringForMs: number;
  repeatIntervalMs: number;
}

export interface LifecycleResult {
  /** Alerts still pending or firing after this evaluation. */
  next: AlertState[];
  /** Alerts that stopped this evaluation (pending dropped or firing resolved): state is written as inactive. */
  ended: Array<AlertState & { endedAt: number; wasFiring: boolean }>;
  firing: AlertState[];
  reminders: AlertState[];
  resolved: Array<AlertState & { endedAt: number }>;
}

export function stepAlerts(
  previous: ReadonlyMap<string, AlertState>,
  active: readonly ActiveSample[],
  rule: LifecycleRule,
  ts: number,
  isMuted: (labels: Record<string, string>) => boolean,
): LifecycleResult {
  const result: LifecycleResult = { next: [], ended: [], firing: [], reminders: [], resolved: [] };
  const seen = new Set<string>();
  for (const sample of active) {
    const fp = fingerprint(sample.labels);
    if (seen.has(fp)) continue; // duplicate label sets after templating: the first one counts
    seen.add(fp);
    const prev = previous.get(fp);
    const state: AlertState = prev
      ? { ...withoutKeepFiring(prev), lastActive: ts, value: sample.value }
      : { fingerprint: fp, labels: sample.labels, phase: 'pending', activeAt: ts, lastActive: ts, value: sample.value };
    if (sample.overridden) state.overridden = sample.overridden;
    else delete state.overridden;
    if (state.phase === 'pending' && ts - state.activeAt >= rule.forMs) {
      state.phase = 'firing';
      state.firedAt = ts;
    }
    result.next.push(state);
  }
  for (const [fp, prev] of previous) {
    if (seen.has(fp)) continue;
    if (prev.phase === 'firing' && rule.keepFiringForMs > 0) {
      const since = prev.keepFiringSince ?? ts;
      if (ts - since < rule.keepFiringForMs) {
        result.next.push({ ...prev, keepFiringSince: since });
        continue;
      }
    }
    result.ended.push({ ...prev, endedAt: ts, wasFiring: prev.phase === 'firing' });
    if (prev.phase === 'firing' && prev.notifiedAt !== undefined && !isMuted(prev.labels)) result.resolved.push({ ...prev, endedAt: ts });
  }
  for (const state of result.next) {
    if (state.phase !== 'firing' || isMuted(state.labels)) continue;
    if (state.notifiedAt === undefined) {
      result.firing.push(state);
      state.notifiedAt = ts;
    } else if (ts - state.notifiedAt >= rule.repeatIntervalMs) {
      result.reminders.push(state);
      state.notifiedAt = ts;
    }
  }
  return result;
}

function withoutKeepFiring(state: AlertState): AlertState {
  const { keepFiringSince: _since, ...rest } = state;
  return rest;
}
