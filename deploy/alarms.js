// @ts-check
// The probes-stopped alarms, generated from the stage's targets file: one per interval used, knowing every
// group's expected runs. They watch Periscope/Runs, which the probe Lambda writes as an embedded-metric-format
// log line, so they keep working when VictoriaMetrics — and with it every alert rule — does not.
// Used by serverless.yml: `resources: - ${file(./deploy/alarms.js):groupAlarms}`.
import { stageTargets } from './stage.js';
/** @import { CfnResource, VariableResolver } from './stage.js' */

const FIVE_MINUTES = 300;
/** A CloudWatch alarm period cannot be longer than a day. */
const ONE_DAY = 86_400;

/**
 * The period an alarm looks at: a whole number of probe intervals (so every period holds the same number of
 * runs) and at least five minutes (a one-minute period would page on one delayed invocation).
 * @param {number} intervalMs
 * @returns {number}
 */
export function alarmPeriodSeconds(intervalMs) {
  const intervals = Math.ceil((FIVE_MINUTES * 1000) / intervalMs);
  return Math.min(ONE_DAY, (intervals * intervalMs) / 1000);
}

/**
 * Probes-stopped alarms, one per stage and interval. Every run (one group, or one shard of a large group)
 * counts 1 in Periscope/Runs{stage, interval}; a period expects each schedule's runs. One silent schedule
 * lowers the sum by at least `runsPerPeriod`, so the threshold sits half of that below the expectation: one
 * stopped group or shard is caught, a late run that lands in the next period is not.
 * @param {{ shards: number }[]} schedules the schedules of one interval
 * @param {number} periodSeconds
 * @param {number} intervalMs
 * @returns {{ expected: number, threshold: number }}
 */
export function runsThreshold(schedules, periodSeconds, intervalMs) {
  const runsPerPeriod = Math.max(1, Math.floor((periodSeconds * 1000) / intervalMs));
  const expected = schedules.reduce((sum, s) => sum + s.shards, 0) * runsPerPeriod;
  return { expected, threshold: expected - runsPerPeriod / 2 };
}

/**
 * CloudFormation logical ids are alphanumeric: 1m → Every1m.
 * @param {string} dimension
 */
function intervalLogicalName(dimension) {
  return `Every${dimension}`;
}

/**
 * The dead-man's switch: per stage and interval, on the one CloudWatch metric the probe writes (EMF in its
 * log, so no PutMetricData and nothing from VictoriaMetrics). Write failures and a spool that does not drain
 * are watched on the spool queue's own (free) SQS metrics in serverless.yml.
 * @param {VariableResolver} resolver
 * @returns {Promise<{ Resources: Record<string, CfnResource> }>}
 */
export async function groupAlarms(resolver) {
  const { stage, schedules } = await stageTargets(resolver);
  const { tsImport } = await import('tsx/esm/api');
  /** @type {typeof import('../shared/observability/metrics.js')} */
  const { intervalDimension, RUNS_DIMENSIONS } = await tsImport('../shared/observability/metrics.ts', import.meta.url);
  const topicArn = await resolver.resolveVariable('self:custom.alertsTopicArn');
  const actions = { AlarmActions: [topicArn], OKActions: [topicArn] };
  /** @type {Map<number, typeof schedules>} */
  const byInterval = new Map();
  for (const schedule of schedules) {
    const list = byInterval.get(schedule.intervalMs) ?? [];
    list.push(schedule);
    byInterval.set(schedule.intervalMs, list);
  }
  /** @type {Record<string, CfnResource>} */
  const resources = {};
  for (const [intervalMs, list] of [...byInterval].sort((a, b) => a[0] - b[0])) {
    const interval = intervalDimension(intervalMs);
    const period = alarmPeriodSeconds(intervalMs);
    const { expected, threshold } = runsThreshold(list, period, intervalMs);
    // Two periods of silence, not one: a single late run is not an outage.
    const stoppedPeriods = period * 2 <= ONE_DAY ? 2 : 1;
    const values = { stage, interval };
    const names = list.map((s) => (s.shards > 1 ? `${s.name} (${s.shards} shards)` : s.name)).join(', ');
    resources[`ProbesStoppedAlarm${intervalLogicalName(interval)}`] = alarm({
      AlarmName: `periscope-${stage}-probes-stopped-${interval}`,
      // CloudFormation caps descriptions at 1024 characters.
      AlarmDescription: `Fewer probe runs than scheduled (${expected} per ${period / 60} min) for ${(period * stoppedPeriods) / 60} minutes in ${stage}, interval ${interval}: a schedule or the probe Lambda stopped. Groups: ${names}`.slice(0, 1024),
      Namespace: 'Periscope',
      MetricName: 'Runs',
      Dimensions: RUNS_DIMENSIONS.map((Name) => ({ Name, Value: values[Name] })),
      Statistic: 'Sum',
      Period: period,
      EvaluationPeriods: stoppedPeriods,
      DatapointsToAlarm: stoppedPeriods,
      Threshold: threshold,
      ComparisonOperator: 'LessThanThreshold',
      // The dead-man's switch: no data at all is exactly the failure this alarm exists for.
      TreatMissingData: 'breaching',
      ...actions,
    });
  }
  return { Resources: resources };
}

/**
 * @param {Record<string, unknown>} properties
 * @returns {CfnResource}
 */
function alarm(properties) {
  return { Type: 'AWS::CloudWatch::Alarm', Properties: properties };
}
