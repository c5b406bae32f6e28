// Where an evaluation restores alert state from (stage 1) and commits it to (stage 5). Production keeps it
// in VictoriaMetrics as vmalert does (vm-alert-state-store.ts); the memory store serves replays and tests.
import type { CompiledGroup } from '../rules/compile.js';
import type { AlertState } from './lifecycle.js';
import type { RestoredState, RuleStateUpdate } from './state-store.js';

export type { RestoredState, RuleStateUpdate } from './state-store.js';

/** The state a group's evaluation leaves behind, rule by rule. */
export interface GroupStateUpdate {
  rules: RuleStateUpdate[];
}

export interface AlertStateStore {
  /** The group's state as of `slotMs` (the last commit at or before it). */
  restore(group: CompiledGroup, slotMs: number): Promise<RestoredState>;
  commit(group: CompiledGroup, slotMs: number, update: GroupStateUpdate): Promise<void>;
}

/** State kept in this process: for replays and tests, where nothing outlives the run. */
export function createMemoryStateStore(): AlertStateStore {
  const groups = new Map<string, { slotMs: number; update: GroupStateUpdate }>();
  const copy = (s: AlertState): AlertState => ({ ...s, labels: { ...s.labels } });
  return {
    async restore(group, slotMs) {
      const kept = groups.get(group.name);
      const restored: RestoredState = { alerts: new Map(), health: new Map() };
      if (!kept || kept.slotMs > slotMs) return restored;
      restored.committedAt = kept.slotMs;
      for (const rule of kept.update.rules) {
        restored.alerts.set(rule.rule, new Map(rule.alerts.map((s) => [s.fingerprint, copy(s)])));
        restored.health.set(rule.rule, rule.ok);
      }
      return restored;
    },
    async commit(group, slotMs, update) {
      groups.set(group.name, { slotMs, update: { rules: update.rules.map((r) => ({ ...r, alerts: r.alerts.map(copy), ended: [] })) } });
    },
  };
}
