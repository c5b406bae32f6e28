// One evaluation of a rule group at its aligned slot, in five stages, each in its own file:
//   1. restore state        (AlertStateStore.restore: VictoriaMetrics, or memory)
//   2. evaluate the rules   (rule-executors.ts: one executor per rule kind; recording rules write here)
//   3. plan notifications   (plan-notifications.ts: lifecycle step, notifications, report; pure; planned
//                            again on the previous slot's state when that one was still sending)
//   4. claim and send       (send-notifications.ts: one evaluation per slot sends)
//   5. commit state         (commit-state.ts decides what, pure; AlertStateStore.commit writes it)
// evaluateGroupAt is the public face for anything that evaluates with its own parts (a replay: a memory
// state store, a list as the notifier); evaluateGroup wires VictoriaMetrics for the Lambda and the CLI.
import type { Logger } from '../../observability/logger.js';
import { errorMessage } from '../../observability/error-message.js';
import type { Spool } from '../../storage/spool.js';
import { writeSamples } from '../../storage/write-samples.js';
import type { VmWriteConfig } from '../../victoria-metrics/index.js';
import type { AlertStateStore, RestoredState } from '../state/alert-state-store.js';
import type { ClaimStore } from '../state/claim-store.js';
import { stateToCommit } from './commit-state.js';
import type { CompiledGroup } from '../rules/compile.js';
import { planNotifications, type PlanContext } from './plan-notifications.js';
import type { GroupReport } from './reports.js';
import { executeRules, type InstantQuery, type RecordSink } from './rule-executors.js';
import { claimAndSend, CLAIM_TTL_MS, slotClaimKey, type NotifierSink } from './send-notifications.js';
import { createVmStateStore } from '../state/vm-alert-state-store.js';
import { forceFlush, queryInstant, type VmReadConfig } from '../../victoria-metrics/index.js';

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
  /** Where recording rules' samples go; undefined: nowhere (a dry run, or a replay that wrote them already). */
  record?: RecordSink;
  /**
   * Live evaluations only: with something to send while the previous slot's evaluation is still sending,
   * wait (up to `waitMs`) for its state and plan again, so the next slot does not send the same FIRING
   * again. See afterPreviousSlot.
   */
  previousSlot?: { waitMs: number; pollMs: number };
  logger: Logger;
  /** Rules whose queries run at once (default 8). */
  ruleConcurrency?: number;
}

/** Evaluates `group` at `slotMs` (already aligned to the group's interval). */
export async function evaluateGroupAt(group: CompiledGroup, slotMs: number, parts: EvaluationParts, context: PlanContext): Promise<GroupReport> {
  const restored = await parts.state.restore(group, slotMs);
  const outcomes = await executeRules(group.rules, slotMs, parts.query, context.settings.external_labels, parts.ruleConcurrency, parts.record);
  let plan = planNotifications(group, outcomes, restored, slotMs, context);
  if (plan.notifications.length > 0) {
    // Something to send: not before the previous slot's evaluation has sent and committed what it sends.
    const settled = await afterPreviousSlot(group, slotMs, parts, restored);
    if (settled !== restored) plan = planNotifications(group, outcomes, settled, slotMs, context);
  }
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

/**
 * Adjacent slots overlap when VictoriaMetrics is slow: the previous slot's evaluation may still be sending
 * a FIRING when this one restores, and without its state this one would plan the same FIRING again. The
 * restored state says whether the previous slot was committed. If not, this evaluation takes the previous
 * slot's send claim itself: when it gets it, no evaluation of that slot is sending (or ever will: a late one
 * now loses the claim and sends nothing), so the state restored is the latest there will be. When another
 * holds it, that one is sending: wait for its commit and restore again. A slot whose sender never commits
 * (crashed, state write refused) costs at most `waitMs`, then this evaluation goes on without it.
 */
async function afterPreviousSlot(group: CompiledGroup, slotMs: number, parts: EvaluationParts, restored: RestoredState): Promise<RestoredState> {
  const guard = parts.previousSlot;
  const previous = slotMs - group.intervalMs;
  if (!guard || !parts.delivery || (restored.committedAt ?? -Infinity) >= previous) return restored;
  try {
    if (await parts.delivery.claims.claim(slotClaimKey(group.name, previous), previous + CLAIM_TTL_MS)) return restored;
  } catch (err) {
    parts.logger.error('slot claim store unavailable; evaluating without waiting for the previous slot', { group: group.name, error: errorMessage(err) });
    return restored;
  }
  const until = Date.now() + guard.waitMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, guard.pollMs));
    const again = await parts.state.restore(group, slotMs);
    if ((again.committedAt ?? -Infinity) >= previous) return again;
  }
  parts.logger.warn('the previous slot is still being notified; evaluating without its state', { group: group.name, previous_slot: new Date(previous).toISOString(), waited_ms: guard.waitMs });
  return parts.state.restore(group, slotMs);
}

interface CommonDeps extends PlanContext {
  read: VmReadConfig;
  write: VmWriteConfig;
  notify: NotifierSink;
  logger: Logger;
  /** Where state and recorded samples go when VictoriaMetrics refuses them (never lost silently). */
  spool?: Spool;
  ruleConcurrency?: number;
  /** How long a live evaluation waits for the previous slot's evaluation to commit (default 10 s). */
  previousSlotWaitMs?: number;
}

/**
 * What the Lambda and the CLI evaluate with. 'dry' evaluates and reports but writes nothing (neither state
 * nor recording rules' samples) and sends nothing (periscope check); 'live' needs a claim store shared by
 * every evaluator that may overlap.
 */
export type AlertingDeps = CommonDeps & ({ mode: 'dry' } | { mode: 'live'; claims: ClaimStore });

/** Recording rules' samples written to VictoriaMetrics and made searchable before the group's next rule runs. */
export function vmRecordSink(deps: Pick<CommonDeps, 'write' | 'logger' | 'spool'>, group: string): RecordSink {
  return async (samples) => {
    const written = await writeSamples(samples, {
      vm: deps.write,
      spool: deps.spool ?? unspooledRecords(deps.logger, group),
      logger: deps.logger,
      deadlineMs: Date.now() + 10_000,
    });
    try {
      await forceFlush(deps.write);
    } catch (err) {
      // Written all the same; later rules may see them only at the next evaluation.
      deps.logger.warn('recorded samples written but not flushed', { group, error: errorMessage(err) });
    }
    // Spooled samples are written later; without a spool they are gone.
    const kept = written.written + (deps.spool ? written.spooled : 0);
    if (kept >= samples.length) return undefined;
    deps.logger.error('recorded samples not fully written', { group, ...written });
    return `${samples.length - kept} of ${samples.length} recorded samples not written to VictoriaMetrics`;
  };
}

function unspooledRecords(logger: Logger, group: string): Spool {
  return {
    put: async (entry) => logger.error('recorded samples not written: VictoriaMetrics unavailable', { group, samples: entry.samples }),
    take: async () => [],
    depth: async () => 0,
  };
}

export function evaluateGroup(group: CompiledGroup, deps: AlertingDeps, nowMs: number): Promise<GroupReport> {
  const parts: EvaluationParts = {
    // The interval as step, as vmalert with -datasource.queryStep=0: the look-back of selectors without a
    // window then matches the replay's range queries (see replay/results-table.ts).
    query: (expr, timeSec) => queryInstant(deps.read, expr, timeSec, group.intervalMs / 1000),
    state: createVmStateStore({ read: deps.read, write: deps.write, logger: deps.logger, ...(deps.spool ? { spool: deps.spool } : {}) }),
    ...(deps.mode === 'live'
      ? {
          delivery: { claims: deps.claims, notify: deps.notify },
          record: vmRecordSink(deps, group.name),
          previousSlot: { waitMs: deps.previousSlotWaitMs ?? 10_000, pollMs: 250 },
        }
      : {}),
    logger: deps.logger,
    ...(deps.ruleConcurrency !== undefined ? { ruleConcurrency: deps.ruleConcurrency } : {}),
  };
  const context: PlanContext = { settings: deps.settings, stage: deps.stage, region: deps.region, ...(deps.vmUiUrl !== undefined ? { vmUiUrl: deps.vmUiUrl } : {}) };
  return evaluateGroupAt(group, alignSlot(nowMs, group.intervalMs), parts, context);
}
