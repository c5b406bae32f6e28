// Evaluating the alerting configuration: every group whose slot is due, one after another, each group's
// failure contained (a bad rule never stops the others; an unreachable VictoriaMetrics stops only its group).
import type { MetricsSink } from '../../observability/metrics.js';
import { alignSlot, evaluateGroup, type AlertingDeps, type GroupReport } from './evaluate-group.js';
import type { AlertingConfig } from '../rules/load.js';
import { errorMessage } from '../../observability/error-message.js';
import { failureCount, NOTIFICATION_FAILURES_DIMENSIONS } from '../../observability/metrics.js';

export interface AlertingRun {
  groups: GroupReport[];
  /** Groups that could not be evaluated at all (state could not be restored, VictoriaMetrics unreachable). */
  failed: Array<{ group: string; error: string }>;
  duration_ms: number;
}

export interface RunAlertingOptions {
  nowMs: number;
  /**
   * How often the caller runs (the Lambda's schedule): a group is due when its slot began within this
   * much of now. Undefined: every group is evaluated (periscope check).
   */
  scheduleRateMs?: number;
  /** Only these groups (the local run schedules each group itself). */
  only?: readonly string[];
  metrics?: MetricsSink;
}

export async function runAlerting(config: AlertingConfig, deps: AlertingDeps, options: RunAlertingOptions): Promise<AlertingRun> {
  const started = Date.now();
  const run: AlertingRun = { groups: [], failed: [], duration_ms: 0 };
  const due = config.groups.filter(
    (g) =>
      (!options.only || options.only.includes(g.name)) &&
      (options.scheduleRateMs === undefined || options.nowMs - alignSlot(options.nowMs, g.intervalMs) < options.scheduleRateMs),
  );
  for (const group of due) {
    try {
      run.groups.push(await evaluateGroup(group, deps, options.nowMs));
    } catch (err) {
      const error = errorMessage(err);
      run.failed.push({ group: group.name, error });
      deps.logger.error('rule group not evaluated', { group: group.name, error });
    }
  }
  run.duration_ms = Date.now() - started;
  if (options.metrics && deps.mode === 'live') {
    const count = (pick: (g: GroupReport) => number) => run.groups.reduce((n, g) => n + pick(g), 0);
    try {
      await options.metrics.put(
        [
          { name: 'RuleGroupsEvaluated', value: run.groups.length, unit: 'Count' },
          { name: 'RuleGroupFailures', value: run.failed.length, unit: 'Count' },
          { name: 'RuleEvaluationFailures', value: count((g) => g.rule_errors) + run.failed.length, unit: 'Count' },
          { name: 'AlertsFiring', value: count((g) => g.rules.reduce((n, r) => n + r.alerts.filter((a) => a.phase === 'firing').length, 0)), unit: 'Count' },
          { name: 'NotificationsSent', value: count((g) => g.sent), unit: 'Count' },
          // A CloudWatch metric in runs that had failures (an alarm watches it): a denied or unreachable topic sends nothing.
          failureCount('NotificationFailures', count((g) => g.send_failures), NOTIFICATION_FAILURES_DIMENSIONS),
          { name: 'EvaluationDuration', value: run.duration_ms, unit: 'Milliseconds' },
        ],
        { stage: deps.stage },
      );
    } catch (err) {
      deps.logger.error('self-metrics not sent', { error: errorMessage(err) });
    }
  }
  return run;
}
