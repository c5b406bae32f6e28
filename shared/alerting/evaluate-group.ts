// One evaluation of a rule group at its aligned slot, in five stages, each in its own file:
//   1. restore state        (AlertStateStore.restore: VictoriaMetrics, or memory)
//   2. evaluate the rules   (rule-executors.ts: one executor per rule kind)
//   3. plan notifications   (plan-notifications.ts: lifecycle step, notifications, report; pure)
//   4. claim and send       (send-notifications.ts: one evaluation per slot sends)
//   5. commit state         (commit-state.ts decides what, pure; AlertStateStore.commit writes it)
// evaluateGroupAt is the public face for anything that evaluates with its own parts (a replay: a memory
// state store, a list as the notifier); evaluateGroup wires VictoriaMetrics for the Lambda and the CLI.
import type { Logger } from '../observability/logger.js';
import type { Spool } from '../storage/spool.js';
import type { VmWriteConfig } from '../victoria-metrics/index.js';
import type { AlertStateStore } from './alert-state-store.js';
import type { ClaimStore } from './claim-store.js';
import { stateToCommit } from './commit-state.js';
import type { CompiledGroup } from './compile.js';
import { planNotifications, type PlanContext } from './plan-notifications.js';
import type { GroupReport } from './reports.js';
import { executeRules, type InstantQuery } from './rule-executors.js';
import { claimAndSend, type NotifierSink } from './send-notifications.js';
import { createVmStateStore } from './vm-alert-state-store.js';
import { queryInstant, type VmReadConfig } from '../victoria-metrics/index.js';

export type { GroupReport, RuleReport } from './reports.js';
export { RULE_HEALTH_ALERT } from './plan-notifications.js';
export { formatNumber } from './anomaly.js';

export function alignSlot(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs) * intervalMs;
}

/** The parts one evaluation works with. */
export interface EvaluationParts {
  query: InstantQuery;
  state: AlertStateStore;
  /** Undefined: a dry run — nothing is claimed, sent or committed (periscope check without --notify). */
  delivery?: { claims: ClaimStore; notify: NotifierSink };
  logger: Logger;
  /** Rules whose queries run at once (default 8). */
  ruleConcurrency?: number;
}

/** Evaluates `group` at `slotMs` (already aligned to the group's interval). */
export async function evaluateGroupAt(group: CompiledGroup, slotMs: number, parts: EvaluationParts, context: PlanContext): Promise<GroupReport> {
  const restored = await parts.state.restore(group, slotMs);
  const outcomes = await executeRules(group.rules, slotMs, parts.query, context.settings.external_labels, parts.ruleConcurrency);
  const plan = planNotifications(group, outcomes, restored, slotMs, context);
  for (const r of plan.reports) if (r.error !== undefined) parts.logger.error('rule cannot be evaluated', { group: group.name, rule: r.rule, error: r.error });
  const report: GroupReport = {
    group: group.name,
    evaluated_at: new Date(slotMs).toISOString(),
    rules: plan.reports,
    notifications: plan.notifications.map((n) => n.notification),
    sent: 0,
    send_failures: 0,
    notified_by_this_evaluation: true,
    rule_errors: plan.ruleErrors,
  };
  if (!parts.delivery) return report;
  const delivered = await claimAndSend(plan.notifications, { group: group.name, slotMs, ...parts.delivery, logger: parts.logger });
  report.sent = delivered.sent.size;
  report.send_failures = delivered.failed.size;
  report.notified_by_this_evaluation = delivered.claimed;
  // The claiming evaluation commits; the others leave the state to it.
  if (delivered.claimed) await parts.state.commit(group, slotMs, stateToCommit(plan, delivered.sent));
  return report;
}

interface CommonDeps extends PlanContext {
  read: VmReadConfig;
  write: VmWriteConfig;
  notify: NotifierSink;
  logger: Logger;
  /** Where state writes go when VictoriaMetrics refuses them (never lost silently). */
  spool?: Spool;
  ruleConcurrency?: number;
}

/**
 * What the Lambda and the CLI evaluate with. 'dry' evaluates and reports but writes no state and sends
 * nothing (periscope check); 'live' needs a claim store shared by every evaluator that may overlap.
 */
export type AlertingDeps = CommonDeps & ({ mode: 'dry' } | { mode: 'live'; claims: ClaimStore });

export function evaluateGroup(group: CompiledGroup, deps: AlertingDeps, nowMs: number): Promise<GroupReport> {
  const parts: EvaluationParts = {
    // The interval as step, as vmalert with -datasource.queryStep=0: the look-back of selectors without a
    // window then matches the replay's range queries (see replay/results-table.ts).
    query: (expr, timeSec) => queryInstant(deps.read, expr, timeSec, group.intervalMs / 1000),
    state: createVmStateStore({ read: deps.read, write: deps.write, logger: deps.logger, ...(deps.spool ? { spool: deps.spool } : {}) }),
    ...(deps.mode === 'live' ? { delivery: { claims: deps.claims, notify: deps.notify } } : {}),
    logger: deps.logger,
    ...(deps.ruleConcurrency !== undefined ? { ruleConcurrency: deps.ruleConcurrency } : {}),
  };
  const context: PlanContext = { settings: deps.settings, stage: deps.stage, region: deps.region, ...(deps.vmUiUrl !== undefined ? { vmUiUrl: deps.vmUiUrl } : {}) };
  return evaluateGroupAt(group, alignSlot(nowMs, group.intervalMs), parts, context);
}
