// CloudWatch alarms per probe group, generated from the stage's targets file. They watch the self-metrics
// the probe Lambda sends to CloudWatch (namespace Periscope, dimensions stage and group), so they keep
// working when VictoriaMetrics — and with it every alert rule — does not.
// Used by serverless.yml: `resources: - ${file(./deploy/alarms.js):groupAlarms}`.
import { stageTargets } from './stage.js';
import { DeployConfigError } from './targets.js';

const FIVE_MINUTES = 300;
/** A CloudWatch alarm period cannot be longer than a day. */
const ONE_DAY = 86_400;

/** public-api → PublicApi: a stable logical id per group, so reordering groups replaces nothing. */
export function groupLogicalName(group) {
  return group
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The period an alarm looks at: a whole number of probe intervals (so every period holds the same number of
 * runs) and at least five minutes (a one-minute period would page on one delayed invocation).
 */
export function alarmPeriodSeconds(intervalMs) {
  const intervals = Math.ceil((FIVE_MINUTES * 1000) / intervalMs);
  return Math.min(ONE_DAY, (intervals * intervalMs) / 1000);
}

/**
 * ProbesRun (targets probed) below this in a period means probes stopped. One run is enough for a group in
 * one invocation; a sharded group's shards add up under the same dimensions, so there the threshold is the
 * expected count minus half a shard: one silent shard is caught, one late run is not.
 */
export function probesRunThreshold(targetCount, shards, periodSeconds, intervalMs) {
  if (shards <= 1) return 1;
  const runs = Math.max(1, Math.floor((periodSeconds * 1000) / intervalMs));
  return Math.ceil((targetCount * runs * (shards - 0.5)) / shards);
}

/** Per group: probes stopped (dead-man's switch), write failures, spool depth. */
export async function groupAlarms(resolver) {
  const { stage, file, targets, schedules } = await stageTargets(resolver);
  const topicArn = await resolver.resolveVariable('self:custom.alertsTopicArn');
  const actions = { AlarmActions: [topicArn], OKActions: [topicArn] };
  const resources = {};
  const seen = new Map();
  for (const { name, index, intervalMs, shards } of schedules) {
    const id = groupLogicalName(name);
    if (seen.has(id)) throw new DeployConfigError(`${file}: groups "${seen.get(id)}" and "${name}" differ only in dashes; CloudFormation ids would collide, rename one`);
    seen.set(id, name);
    const period = alarmPeriodSeconds(intervalMs);
    const metric = (MetricName) => ({ Namespace: 'Periscope', MetricName, Dimensions: [{ Name: 'stage', Value: stage }, { Name: 'group', Value: name }] });
    // Two periods of silence, not one: a single late run is not an outage.
    const stoppedPeriods = period * 2 <= ONE_DAY ? 2 : 1;
    resources[`ProbesStoppedAlarm${id}`] = alarm({
      AlarmName: `periscope-${stage}-probes-stopped-${name}`,
      AlarmDescription: `No probe run of group ${name} (${stage}) reported for ${(period * stoppedPeriods) / 60} minutes: its schedule or the probe Lambda stopped. Independent of VictoriaMetrics.`,
      ...metric('ProbesRun'),
      Statistic: 'Sum',
      Period: period,
      EvaluationPeriods: stoppedPeriods,
      DatapointsToAlarm: stoppedPeriods,
      Threshold: probesRunThreshold(targets.groups[index].targets.length, shards, period, intervalMs),
      ComparisonOperator: 'LessThanThreshold',
      // The dead-man's switch: no data at all is exactly the failure this alarm exists for.
      TreatMissingData: 'breaching',
      ...actions,
    });
    // "For 15 minutes": as many periods as cover 15 minutes, at least one.
    const sustained = Math.max(1, Math.ceil(900 / period));
    resources[`WriteFailuresAlarm${id}`] = alarm({
      AlarmName: `periscope-${stage}-write-failures-${name}`,
      AlarmDescription: `Writes of group ${name} (${stage}) to VictoriaMetrics have failed for ${(period * sustained) / 60} minutes; samples are spooled to SQS and replayed when writes work again.`,
      ...metric('WriteFailures'),
      Statistic: 'Sum',
      Period: period,
      EvaluationPeriods: sustained,
      DatapointsToAlarm: sustained,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      ...actions,
    });
    resources[`SpoolDepthAlarm${id}`] = alarm({
      AlarmName: `periscope-${stage}-spool-not-draining-${name}`,
      AlarmDescription: `The spool queue seen by group ${name} (${stage}) has held batches for ${(period * sustained) / 60} minutes: VictoriaMetrics is not accepting the replay.`,
      ...metric('SpoolDepth'),
      Statistic: 'Minimum',
      Period: period,
      EvaluationPeriods: sustained,
      DatapointsToAlarm: sustained,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      ...actions,
    });
  }
  return { Resources: resources };
}

function alarm(properties) {
  return { Type: 'AWS::CloudWatch::Alarm', Properties: properties };
}
