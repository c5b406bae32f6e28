// @ts-check
// The status page's bucket, checked at package time: a stage that enables the page must name its bucket,
// or the function's only permission (s3:PutObject on arn:aws:s3:::<bucket>/*) would be meaningless.
import { DeployConfigError } from './targets.js';

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * @param {import('./stage.js').VariableResolver} resolver
 * @returns {Promise<string>}
 */
export async function bucket({ resolveVariable }) {
  // osls resolves this for every stage (the optional function's definition is resolved even where it is
  // not selected): only a stage that enables the page needs a bucket.
  if (String(await resolveVariable('param:statusPage')) !== 'true') return '';
  const name = String((await resolveVariable('param:statusPageBucket')) ?? '');
  if (!BUCKET_RE.test(name)) {
    throw new DeployConfigError(
      name === ''
        ? 'params.statusPageBucket: statusPage is true but no bucket is named; set statusPageBucket to an existing S3 bucket'
        : `params.statusPageBucket: "${name}" is not an S3 bucket name (3-63 lower-case letters, digits, dots, dashes)`,
    );
  }
  return name;
}

/**
 * The schedule's rate in seconds: rate(5 minutes) → 300; a cron() schedule counts as hourly.
 * @param {string} schedule
 */
export function scheduleSeconds(schedule) {
  const match = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(schedule.trim());
  if (!match) return 3_600;
  const unit = { minute: 60, hour: 3_600, day: 86_400 }[/** @type {'minute' | 'hour' | 'day'} */ (match[2]?.replace(/s$/, ''))];
  return Number(match[1]) * unit;
}

/**
 * The stale-page alarm: the status page function reports StatusPagePublished (1 per page written) in its
 * EMF line; three schedule periods without one — the function failing, hanging into its timeout, or not
 * invoked at all (missing data is breaching) — mean the public page is showing old news.
 * @param {import('./stage.js').VariableResolver} resolver
 */
export async function staleAlarm({ resolveVariable }) {
  const stage = String(await resolveVariable('sls:stage'));
  const schedule = String((await resolveVariable('param:statusPageSchedule')) ?? 'rate(5 minutes)');
  // A CloudWatch period is a multiple of 60 s, at most a day; at least five minutes so one late run is not news.
  const period = Math.min(86_400, Math.max(300, Math.ceil(scheduleSeconds(schedule) / 60) * 60));
  const topicArn = await resolveVariable('self:custom.alertsTopicArn');
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `periscope-${stage}-status-page-stale`,
      AlarmDescription: `The public status page of ${stage} has not been rewritten for ${(3 * period) / 60} minutes (its function fails, times out or is not invoked: a VPC without a route to S3 or VictoriaMetrics, a changed bucket policy). The page shows its last content. See the status-page log group.`,
      Namespace: 'Periscope',
      MetricName: 'StatusPagePublished',
      Dimensions: [{ Name: 'stage', Value: stage }],
      Statistic: 'Sum',
      Period: period,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topicArn],
      OKActions: [topicArn],
    },
  };
}
