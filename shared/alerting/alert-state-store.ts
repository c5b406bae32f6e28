// Where an evaluation restores alert state from (stage 1) and commits it to (stage 5). Production keeps it
// in VictoriaMetrics as vmalert does (vm-alert-state-store.ts); the memory store serves replays and tests.
import type { CompiledGroup } from './compile.js';
import type { AlertState } from './lifecycle.js';
import type { RestoredState } from './state-store.js';

export type { RestoredState } from './state-store.js';

/** The state a group's evaluation leaves behind. */
export interface GroupStateUpdate {
  /** Alerts pending or firing after the evaluation, of every rule. */
  alerts: AlertState[];
  /** Alerts that stopped at this evaluation (recorded as inactive). */
  ended: AlertState[];
  /** Whether each rule could be evaluated, as far as notifications have told. */
  health: Array<{ alertname: string; ok: boolean }>;
}

export interface AlertStateStore {
  /** The group's state as of `slotMs` (the last commit at or before it). */
  restore(group: CompiledGroup, slotMs: number): Promise<RestoredState>;
  commit(group: CompiledGroup, slotMs: number, update: GroupStateUpdate): Promise<void>;
}

/** State kept in this process: for replays and tests, where nothing outlives the run. */
export function createMemoryStateStore(): AlertStateStore {
  const groups = new Map<string, { slotMs: number; state: RestoredState }>();
  const copy = (s: AlertState): AlertState => ({ ...s, labels: { ...s.labels } });
  return {
    async restore(group, slotMs) {
      const kept = groups.get(group.name);
      const alerts = new Map<string, Map<string, AlertState>>();
      if (!kept || kept.slotMs > slotMs) return { alerts, health: new Map() };
      for (const [rule, states] of kept.state.alerts) alerts.set(rule, new Map([...states].map(([fp, s]) => [fp, copy(s)])));
      return { alerts, health: new Map(kept.state.health) };
    },
    async commit(group, slotMs, update) {
      const alerts = new Map<string, Map<string, AlertState>>();
      for (const s of update.alerts) {
        const name = s.labels.alertname ?? '';
        const forRule = alerts.get(name) ?? new Map<string, AlertState>();
        forRule.set(s.fingerprint, copy(s));
        alerts.set(name, forRule);
      }
      groups.set(group.name, { slotMs, state: { alerts, health: new Map(update.health.map((h) => [h.alertname, h.ok])) } });
    },
  };
}
