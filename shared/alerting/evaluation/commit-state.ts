// Stage 5 of an evaluation, pure: the state to commit, given which planned notifications were sent. A
// notification counts only once its send succeeded; one that failed leaves the state as if it had not been
// due, so the next evaluation sends it again:
//   firing or reminder not sent → the alerts keep their previous notifiedAt;
//   resolved not sent           → the alerts stay as they were (firing, notified), to resolve again next time;
//   rule health not sent        → the rule keeps its previous health.
// Everything is per rule (its key): two rules sharing an alert name never touch each other's alerts.
import type { GroupStateUpdate } from '../state/alert-state-store.js';
import type { AlertState } from '../state/lifecycle.js';
import type { EvaluationPlan, PlannedNotification } from './plan-notifications.js';

export function stateToCommit(plan: EvaluationPlan, sent: ReadonlySet<PlannedNotification>): GroupStateUpdate {
  const unsent = plan.notifications.filter((n) => !sent.has(n)).map((n) => n.effect);
  const update: GroupStateUpdate = { rules: [] };
  for (const step of plan.steps) {
    const failed = (kind: 'notified' | 'resolved') =>
      new Set(unsent.flatMap((e) => (e.kind === kind && e.rule === step.rule ? e.fingerprints : [])));
    const notNotified = failed('notified');
    const notResolved = failed('resolved');
    const alerts: AlertState[] = [];
    const ended: AlertState[] = [];
    for (const state of step.next) {
      alerts.push(notNotified.has(state.fingerprint) ? withNotifiedAt(state, step.previous.get(state.fingerprint)?.notifiedAt) : state);
    }
    for (const state of step.ended) {
      const before = step.previous.get(state.fingerprint);
      if (notResolved.has(state.fingerprint) && before) alerts.push(before);
      else ended.push(state);
    }
    const healthUnsent = unsent.some((e) => e.kind === 'health' && e.rule === step.rule);
    update.rules.push({ rule: step.rule, alertname: step.name, alerts, ended, ok: healthUnsent ? step.wasHealthy : step.healthy });
  }
  return update;
}

function withNotifiedAt(state: AlertState, notifiedAt: number | undefined): AlertState {
  const { notifiedAt: _planned, ...rest } = state;
  return notifiedAt === undefined ? rest : { ...rest, notifiedAt };
}
