// @ts-check
// The probe's schedules, generated from the stage's targets file so a group is declared once: one
// EventBridge Scheduler schedule per group (per shard of a group too large for one invocation), at the
// group's interval, with the event the probe Lambda expects: {"group": NAME} (plus "shard", "shards").
// Used by serverless.yml: `events: ${file(./deploy/schedules.js):probeEvents}`.
import { stageTargets } from './stage.js';
import { checkStageParams } from './stage-params.js';
/** @import { VariableResolver } from './stage.js' */

/** A late probe is worthless: the next one is already on its way. */
export const PROBE_EVENT_MAX_AGE_SECONDS = 60;

const SCHEDULER_ROLE_ARN = { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] };

/**
 * Every probe invocation the schedules make, in event order.
 * @param {VariableResolver} resolver
 */
async function probeInvocations(resolver) {
  const { stage, schedules } = await stageTargets(resolver);
  return schedules.flatMap((s) =>
    Array.from({ length: s.shards }, (_, shard) => ({
      stage,
      rate: s.rate,
      input: s.shards === 1 ? { group: s.name } : { group: s.name, shard, shards: s.shards },
      label: s.shards === 1 ? s.name : `${s.name} (shard ${shard + 1} of ${s.shards})`,
    })),
  );
}

/**
 * osls names a function's n-th scheduler schedule <Function>SchedulerSchedule<n> (1-based, in event order).
 * @param {number} position
 */
function probeScheduleLogicalId(position) {
  return `ProbeSchedulerSchedule${position + 1}`;
}

/**
 * The probe function's `events:`.
 * @param {VariableResolver} resolver
 */
export async function probeEvents(resolver) {
  // Every stage resolves this (the probe is in every stage): the params are checked here once — URLs, VPC, name
  // lengths, logical ids — so a stage that could only fail in AWS fails the packaging (deploy/stage-params.js).
  const { stage, targets } = await stageTargets(resolver);
  await checkStageParams(resolver, stage, targets.groups.filter((g) => g.discovery).map((g) => g.name));
  return (await probeInvocations(resolver)).map((invocation) => ({
    schedule: {
      method: 'scheduler',
      rate: [invocation.rate],
      // No `name`: osls numbers schedules by position, so a fixed name would collide with itself when groups
      // are reordered (CloudFormation creates the replacement before deleting the old one).
      description: `Periscope probes of group ${invocation.label} (${invocation.stage})`,
      input: invocation.input,
      roleArn: SCHEDULER_ROLE_ARN,
    },
  }));
}

/**
 * A `resources:` entry completing the schedules osls generates: osls has no setting for the Scheduler's own
 * retry policy, whose defaults (185 retries over 24 h) would deliver probes hours late. `extensions` replace
 * the schedule's Target as a whole, so the Target is restated (the values probeEvents gives osls).
 * @param {VariableResolver} resolver
 */
export async function probeScheduleRetryPolicies(resolver) {
  const invocations = await probeInvocations(resolver);
  return {
    extensions: Object.fromEntries(
      invocations.map((invocation, position) => [
        probeScheduleLogicalId(position),
        {
          Properties: {
            Target: {
              Arn: { 'Fn::GetAtt': ['ProbeLambdaFunction', 'Arn'] },
              RoleArn: SCHEDULER_ROLE_ARN,
              Input: JSON.stringify(invocation.input),
              RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: PROBE_EVENT_MAX_AGE_SECONDS },
            },
          },
        },
      ]),
    ),
  };
}
