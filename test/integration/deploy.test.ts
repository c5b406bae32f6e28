// The deployment: `sls package` of the sample stages, offline and with no AWS credentials, and assertions on
// the CloudFormation template it writes — schedules generated from the targets file, VPC, topic, alarms,
// least-privilege IAM — plus invalid targets files failing the packaging with a message naming the field.
// Each stage is packaged once (beforeAll), in its own copy of the service, and shared by the tests.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageStage, SERVICE_DIR, type PackageResult } from '../../deploy/isolated-package.js';
import { packagedStage, packagedStageOutput } from '../support/packaged-stages.js';
import { bucket } from '../../deploy/status-page.js';
import { loadTargetsFile, type TargetsFile } from '../../shared/config/index.js';
import { DEFAULT_PROBE_CONCURRENCY, DEFAULT_PROBE_MEMORY_MB } from '../../shared/cost/stage-defaults.js';

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[] | string;
}
interface Template {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}
type Packaged = PackageResult;

const packaged: Packaged[] = [];
let scratch: string;

async function slsPackage(stage: string, extraArgs: string[] = []): Promise<Packaged> {
  // A sample stage as it is: the packaging the other suites share (test/support/packaged-stages.ts).
  if (extraArgs.length === 0) {
    const dir = await packagedStage(stage);
    return { code: 0, output: await packagedStageOutput(stage), dir, cleanup: async () => {} };
  }
  const result = await packageStage(stage, extraArgs);
  packaged.push(result);
  return result;
}

async function template(packaged: Packaged): Promise<Template> {
  expect(packaged.output, `sls package failed:\n${packaged.output}`).toContain('Service packaged');
  expect(packaged.code).toBe(0);
  return JSON.parse(await readFile(join(packaged.dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

function resource(t: Template, id: string): CfnResource {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id}; resources: ${Object.keys(t.Resources).join(', ')}`);
  return r;
}

function ofType(t: Template, type: string): Array<[string, CfnResource]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

function statements(t: Template, roleId: string): Statement[] {
  const policies = resource(t, roleId).Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

function bySid(list: Statement[], sid: string): Statement {
  const found = list.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}: ${list.map((s) => s.Sid).join(', ')}`);
  return found;
}

const actions = (s: Statement) => [s.Action].flat().sort();

/** Scheduler schedules of a function, in their Input's order of appearance. */
function schedulesOf(t: Template, functionId: string) {
  return ofType(t, 'AWS::Scheduler::Schedule')
    .filter(([, r]) => JSON.stringify((r.Properties.Target as { Arn: unknown }).Arn).includes(functionId))
    .map(([id, r]) => ({ id, expression: r.Properties.ScheduleExpression, target: r.Properties.Target as Record<string, unknown> }));
}

const stageFile = (stage: string) => loadTargetsFile(join(SERVICE_DIR, 'targets', `${stage}.yml`));

let dev: Template;
let monitoring: Template;
let prod: Template;
let devTargets: TargetsFile;
let devPackage: Packaged;
let monitoringPackage: Packaged;
let badField: Packaged;
let subMinute: Packaged;
let foreignSecret: Packaged;
let foreignParam: Packaged;
let brokenParams: Packaged;


beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'periscope-deploy-'));
  const bad = join(scratch, 'bad.yml');
  await writeFile(bad, 'groups:\n  - name: api\n    targets:\n      - name: a\n        http:\n          url: https://a.example.com/\n          valid_status_codes: [ok]\n');
  const fast = join(scratch, 'fast.yml');
  await writeFile(fast, 'groups:\n  - name: fast\n    interval: 30s\n    targets:\n      - name: a\n        tcp: { address: "a.example.com:443" }\n');
  // Two discovery groups whose logical ids collide (A1b), for a stage whose name is too long for IAM.
  const collide = join(scratch, 'collide.yml');
  const discovering = (name: string) => `  - name: ${name}\n    discovery:\n      cloud_map: { namespace: ns.local, service: ${name} }\n      target: { name: "{{instance_id}}", http: { url: "http://{{address}}:{{port}}/" } }\n`;
  await writeFile(collide, `groups:\n${discovering('a-1b')}${discovering('a1b')}`);
  const foreign = join(scratch, 'foreign.yml');
  await writeFile(foreign, 'groups:\n  - name: db\n    targets:\n      - name: a\n        postgres:\n          url: postgres://monitor@db.example.com/app\n          password_from: ssm:/periscope/prod/db-password\n');
  // Two cores: the three real builds first, then the failures (which stop before building).
  const built = await Promise.all([slsPackage('dev'), slsPackage('monitoring'), slsPackage('prod')]);
  [badField, subMinute, foreignSecret, foreignParam, brokenParams] = await Promise.all([
    slsPackage('dev', ['--param', `targetsFile=${bad}`]),
    slsPackage('dev', ['--param', `targetsFile=${fast}`]),
    slsPackage('dev', ['--param', `targetsFile=${foreign}`]),
    slsPackage('dev', ['--param', 'vmWritePasswordFrom=ssm:/periscope/prod/vm-password']),
    // A stage with no params of its own: no VictoriaMetrics, no VPC; its name makes role names too long.
    slsPackage('customer-facing-synthetics-sandbox', ['--param', `targetsFile=${collide}`]),
  ]);
  const [devBuilt, monitoringBuilt, prodBuilt] = built as [Packaged, Packaged, Packaged];
  [devPackage, monitoringPackage] = [devBuilt, monitoringBuilt];
  [dev, monitoring, prod] = await Promise.all([template(devBuilt), template(monitoringBuilt), template(prodBuilt)]);
  devTargets = await stageFile('dev');
  // Generous: eight packagings on two cores shared with other builds can take minutes; this is no speed test.
}, 600_000);

afterAll(async () => {
  await Promise.all([rm(scratch, { recursive: true, force: true }), ...packaged.map((p) => p.cleanup())]);
});

describe('the probe function', () => {
  it('runs on a current Node.js runtime on arm64 with explicit limits', () => {
    const probe = resource(dev, 'ProbeLambdaFunction').Properties;
    expect(probe.Runtime).toMatch(/^nodejs(22|24)\.x$/);
    expect(probe.Architectures).toEqual(['arm64']);
    expect(probe.Timeout).toBe(50);
    expect(probe.MemorySize).toBe(512);
    // What `periscope cost` assumes (shared/cost/stage-defaults.ts) is what a stage deploys.
    expect(probe.MemorySize).toBe(DEFAULT_PROBE_MEMORY_MB);
    expect((probe.Environment as { Variables: Record<string, unknown> }).Variables.PROBE_CONCURRENCY).toBe(String(DEFAULT_PROBE_CONCURRENCY));
    expect(probe.Handler).toBe('functions/probe.handler');
  });

  it('runs inside the stage VPC', () => {
    expect(resource(dev, 'ProbeLambdaFunction').Properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      SecurityGroupIds: ['sg-0a1b2c3d4e5f60001'],
    });
  });

  it('gets its settings and secret references (never secrets) from the stage params', () => {
    const env = (resource(dev, 'ProbeLambdaFunction').Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({
      STAGE: 'dev',
      TARGETS_FILE: 'targets/dev.yml',
      VM_WRITE_URL: 'https://vm.example.com',
      VM_WRITE_USERNAME: 'periscope-dev',
      VM_WRITE_PASSWORD_FROM: 'ssm:/periscope/dev/vm-password',
      SPOOL_QUEUE_URL: { Ref: 'SpoolQueue' },
      PROBE_CONCURRENCY: '50',
    });
  });

  it('is never retried and drops events older than a minute', () => {
    expect(resource(dev, 'ProbeLambdaEvConf').Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it('keeps its logs for the configured retention', () => {
    expect(resource(dev, 'ProbeLogGroup').Properties.RetentionInDays).toBe(30);
    expect(resource(prod, 'ProbeLogGroup').Properties.RetentionInDays).toBe(90);
  });
});

describe('probe schedules', () => {
  it('has one EventBridge Scheduler schedule per group of the stage targets file, at its interval', () => {
    const schedules = schedulesOf(dev, 'ProbeLambdaFunction');
    expect(devTargets.groups.map((g) => g.name)).toEqual(['public-api', 'backends']);
    expect(schedules.map((s) => [s.expression, JSON.parse(String(s.target.Input))])).toEqual([
      ['rate(1 minute)', { group: 'public-api' }],
      ['rate(5 minutes)', { group: 'backends' }],
    ]);
    expect(ofType(dev, 'AWS::Events::Rule')).toEqual([]);
  });

  it('uses the default interval and hours where the file says so', async () => {
    const prodTargets = await stageFile('prod');
    expect(prodTargets.groups.map((g) => g.name)).toEqual(['public-api', 'internal', 'certificates']);
    expect(schedulesOf(prod, 'ProbeLambdaFunction').map((s) => s.expression)).toEqual(['rate(1 minute)', 'rate(2 minutes)', 'rate(1 hour)']);
  });

  it('invokes the probe through the scheduler role without retries or stale deliveries', () => {
    for (const schedule of schedulesOf(dev, 'ProbeLambdaFunction')) {
      expect(schedule.target).toMatchObject({
        Arn: { 'Fn::GetAtt': ['ProbeLambdaFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      });
    }
  });

  it('gives the scheduler role nothing but invoking the stage functions', () => {
    const role = resource(monitoring, 'SchedulerRole').Properties;
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(statements(monitoring, 'SchedulerRole')).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['ProbeLambdaFunction', 'Arn'] } },
    ]);
    expect(resource(monitoring, 'SchedulerInvokesAnomalyCheck').Properties).toMatchObject({
      Roles: [{ Ref: 'SchedulerRole' }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['AnomalyCheckLambdaFunction', 'Arn'] } }] },
    });
  });
});

describe('invalid targets files', () => {
  it('fail the packaging with the validation message naming file and field', () => {
    expect(badField.code).not.toBe(0);
    expect(badField.output).toMatch(/bad\.yml: groups\[0\]\.targets\[0\]\.http\.valid_status_codes\[0\]: .*number/);
    expect(badField.output).not.toContain('Service packaged');
  });

  it('reject intervals below one minute with a clear message', () => {
    expect(subMinute.code).not.toBe(0);
    expect(subMinute.output).toContain('fast.yml: groups[0].interval: 30s is below 1 minute');
  });

  it('refuse a stage that could only fail in AWS, naming the stage and each param', () => {
    expect(brokenParams.code).not.toBe(0);
    expect(brokenParams.output).not.toContain('Service packaged');
    const stage = 'stage customer-facing-synthetics-sandbox';
    expect(brokenParams.output).toContain(`${stage}: params.vmWriteUrl: is empty; every probe run writes its samples there`);
    expect(brokenParams.output).toContain(`${stage}: params.subnetIds: no subnet given`);
    expect(brokenParams.output).toContain(`${stage}: params.securityGroupIds: no security group given`);
    // periscope-<stage>-anomaly-check-eu-central-1 is 71 characters.
    expect(brokenParams.output).toContain(`${stage}: the IAM role name periscope-customer-facing-synthetics-sandbox-anomaly-check-eu-central-1 is 71 characters, over AWS's 64`);
    expect(brokenParams.output).toContain(`${stage}: discovery groups "a-1b" and "a1b" both become "A1b" in CloudFormation logical ids`);
  });

  it('reject secret references the stage role could not read', () => {
    expect(foreignSecret.code).not.toBe(0);
    expect(foreignSecret.output).toContain('ssm:/periscope/prod/db-password is outside ssm:/periscope/dev/');
    expect(foreignParam.code).not.toBe(0);
    expect(foreignParam.output).toContain('params.vmWritePasswordFrom: ssm:/periscope/prod/vm-password is outside ssm:/periscope/dev/');
  });
});

describe('alerts topic', () => {
  it('is created encrypted with its own key, with the stage email subscriptions', () => {
    const topic = resource(monitoring, 'AlertsTopic').Properties;
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['AlertsKey', 'Arn'] });
    const emails = ofType(monitoring, 'AWS::SNS::Subscription')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Protocol === 'email');
    expect(emails.map((p) => p.Endpoint).sort()).toEqual(['oncall@example.com', 'platform-alerts@example.com']);
    expect(emails.every((p) => JSON.stringify(p.TopicArn) === JSON.stringify({ Ref: 'AlertsTopic' }))).toBe(true);
  });

  it('lets CloudWatch alarms use the key and publish, and named other accounts publish through SNS only', () => {
    const keyStatements = (resource(monitoring, 'AlertsKey').Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    expect(bySid(keyStatements, 'CloudWatchAlarmsPublish').Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    const others = bySid(keyStatements, 'OtherAccountsPublishThroughSns');
    expect(JSON.stringify(others.Condition)).toContain('sns.${AWS::Region}.amazonaws.com');
    const topicStatements = (resource(monitoring, 'AlertsTopicPolicy').Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(JSON.stringify(bySid(topicStatements, 'OtherAccountsAnomalyChecks'))).toContain('arn:${AWS::Partition}:iam::111111111111:role/periscope-*-anomaly-check-*');
    expect(bySid(topicStatements, 'CloudWatchAlarmsOfThisAccount').Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  it('is not created where the stage publishes to an existing topic', () => {
    expect(ofType(prod, 'AWS::SNS::Topic')).toEqual([]);
    expect(ofType(prod, 'AWS::KMS::Key')).toEqual([]);
    expect(resource(prod, 'ProbeErrorsAlarm').Properties.AlarmActions).toEqual(['arn:aws:sns:eu-central-1:222222222222:ops-alerts']);
  });
});

describe('alarms independent of VictoriaMetrics', () => {
  const topic = { Ref: 'AlertsTopic' };

  it('watch probe errors', () => {
    expect(resource(dev, 'ProbeErrorsAlarm').Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'periscope-dev-probe' }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [topic],
    });
  });

  it('have a dead-man switch per stage and interval on Periscope/Runs that knows every group and treats missing data as breaching', () => {
    const stopped = ofType(dev, 'AWS::CloudWatch::Alarm')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Namespace === 'Periscope' && p.MetricName === 'Runs');
    // dev has public-api every minute and backends every 5 minutes: one alarm per interval, none per group.
    expect(stopped.map((p) => p.AlarmName).sort()).toEqual(['periscope-dev-probes-stopped-1m', 'periscope-dev-probes-stopped-5m']);
    const byInterval = (interval: string) => stopped.find((p) => JSON.stringify(p.Dimensions).includes(`"${interval}"`));
    for (const [interval, expected, threshold] of [['1m', 5, 2.5], ['5m', 1, 0.5]] as const) {
      expect(byInterval(interval), interval).toMatchObject({
        MetricName: 'Runs',
        Dimensions: [{ Name: 'stage', Value: 'dev' }, { Name: 'interval', Value: interval }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: threshold,
        TreatMissingData: 'breaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(byInterval(interval)?.AlarmDescription).toContain(`${expected} per 5 min`);
    }
    expect(byInterval('1m')?.AlarmDescription).toContain('Groups: public-api');
    expect(byInterval('5m')?.AlarmDescription).toContain('Groups: backends');
  });

  it('watch writes that do not get through on the spool queue own metric, with no per-group metrics', () => {
    expect(resource(dev, 'SpoolNotDrainingAlarm').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['SpoolQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
    const p = resource(dev, 'SpoolNotDrainingAlarm').Properties;
    expect(Number(p.Period) * Number(p.EvaluationPeriods)).toBeGreaterThanOrEqual(900);
    expect(p.DatapointsToAlarm).toBe(p.EvaluationPeriods);
    // The whole layout of a stage: two probes-stopped alarms (one per interval), probe errors, spool not
    // draining, spool dead letters. Nothing scales with the number of groups.
    const all = ofType(dev, 'AWS::CloudWatch::Alarm').map(([, r]) => `${String(r.Properties.Namespace)}/${String(r.Properties.MetricName)}`).sort();
    // The spool itself failing (denied, unreachable) fails the invocation: the probe-errors alarm, no metric of its own.
    expect(all).toEqual(['AWS/Lambda/Errors', 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'AWS/SQS/ApproximateNumberOfMessagesVisible', 'Periscope/Runs', 'Periscope/Runs']);
    expect(resource(dev, 'ProbeErrorsAlarm').Properties.AlarmDescription).toContain('its spool queue failed');
  });

  it('watch the anomaly check where it runs, and dead letters of the spool', () => {
    expect(resource(monitoring, 'AnomalyCheckErrorsAlarm').Properties).toMatchObject({
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'periscope-monitoring-anomaly-check' }],
      AlarmActions: [topic],
    });
    expect(resource(dev, 'SpoolDeadLettersAlarm').Properties).toMatchObject({ Namespace: 'AWS/SQS', AlarmActions: [topic] });
    expect(dev.Resources.AnomalyCheckErrorsAlarm).toBeUndefined();
  });

  it('watch failed alert publishes and a status page that fails or goes stale', () => {
    expect(resource(monitoring, 'NotificationFailuresAlarm').Properties).toMatchObject({
      Namespace: 'Periscope',
      MetricName: 'NotificationFailures',
      Dimensions: [{ Name: 'stage', Value: 'monitoring' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    });
    expect(resource(monitoring, 'StatusPageErrorsAlarm').Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'periscope-monitoring-status-page' }] });
    // Three 5-minute schedule periods without a page written, or no report at all, is a stale page.
    expect(resource(monitoring, 'StatusPageStaleAlarm').Properties).toMatchObject({
      Namespace: 'Periscope',
      MetricName: 'StatusPagePublished',
      Dimensions: [{ Name: 'stage', Value: 'monitoring' }],
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(dev.Resources.NotificationFailuresAlarm).toBeUndefined();
    expect(dev.Resources.StatusPageStaleAlarm).toBeUndefined();
  });
});

describe('spool queue', () => {
  it('is encrypted and redrives to an encrypted dead-letter queue', () => {
    const spool = resource(dev, 'SpoolQueue').Properties;
    expect(spool.SqsManagedSseEnabled).toBe(true);
    expect(spool.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['SpoolDeadLetterQueue', 'Arn'] }, maxReceiveCount: 1000 });
    expect(resource(dev, 'SpoolDeadLetterQueue').Properties.SqsManagedSseEnabled).toBe(true);
  });
});

describe('IAM', () => {
  const logsOf = (fn: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn}:*` });
  const stageSecrets = (stage: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/periscope/${stage}/*` });

  it('gives the probe its log group (self-metrics are EMF log lines), the spool queue and the stage secrets', () => {
    const list = statements(dev, 'ProbeRole');
    expect(list.map((s) => s.Sid).sort()).toEqual(['DecryptStageSecrets', 'KeepRefusedSamples', 'ReadStageSecrets', 'UseSpoolQueue', 'WriteOwnLogs']);
    expect(bySid(list, 'KeepRefusedSamples')).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['SpoolDeadLetterQueue', 'Arn'] } });
    expect(bySid(list, 'WriteOwnLogs')).toMatchObject({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logsOf('periscope-dev-probe') });
    const sqs = bySid(list, 'UseSpoolQueue');
    expect(actions(sqs)).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage']);
    expect(sqs.Resource).toEqual({ 'Fn::GetAtt': ['SpoolQueue', 'Arn'] });
    expect(bySid(list, 'ReadStageSecrets')).toMatchObject({ Action: 'ssm:GetParameter', Resource: stageSecrets('dev') });
    expect(bySid(list, 'DecryptStageSecrets')).toMatchObject({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } },
    });
    expect(resource(dev, 'ProbeRole').Properties.ManagedPolicyArns).toEqual([{ Ref: 'VpcNetworkInterfacesPolicy' }]);
  });

  it('gives the anomaly check publishing to the one topic, its slot claims and secrets, and no queue or metrics', () => {
    const list = statements(monitoring, 'AnomalyCheckRole');
    expect(list.map((s) => s.Sid).sort()).toEqual(['ClaimSlots', 'DecryptStageSecrets', 'EncryptAlerts', 'PublishAlerts', 'ReadStageSecrets', 'WriteOwnLogs']);
    // Put and get of claims on the stage's own claims table, nothing else of DynamoDB.
    expect(bySid(list, 'ClaimSlots')).toMatchObject({ Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: { 'Fn::GetAtt': ['AlertClaimsTable', 'Arn'] } });
    expect(resource(monitoring, 'AlertClaimsTable').Properties).toMatchObject({
      TableName: 'periscope-monitoring-alert-claims',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'claim', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
    expect(dev.Resources.AlertClaimsTable).toBeUndefined();
    expect(bySid(list, 'PublishAlerts')).toMatchObject({ Action: 'sns:Publish', Resource: { Ref: 'AlertsTopic' } });
    expect(bySid(list, 'EncryptAlerts')).toMatchObject({
      Resource: { 'Fn::GetAtt': ['AlertsKey', 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } } },
    });
    expect(bySid(list, 'WriteOwnLogs').Resource).toEqual(logsOf('periscope-monitoring-anomaly-check'));
    expect(bySid(list, 'ReadStageSecrets').Resource).toEqual(stageSecrets('monitoring'));
  });

  it('gives the Slack notifier its logs, secrets and dead-letter queue only', () => {
    const list = statements(monitoring, 'NotifySlackRole');
    expect(list.map((s) => s.Sid).sort()).toEqual(['DecryptStageSecrets', 'KeepUndeliveredNotifications', 'ReadStageSecrets', 'WriteOwnLogs']);
    expect(bySid(list, 'KeepUndeliveredNotifications')).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['NotifySlackDeadLetterQueue', 'Arn'] } });
    expect(resource(monitoring, 'NotifySlackRole').Properties.ManagedPolicyArns).toEqual([]);
  });

  it('uses a * resource only where the action has no narrower one', () => {
    for (const t of [dev, monitoring, prod]) {
      const documents = [
        ...ofType(t, 'AWS::IAM::Role').flatMap(([id]) => statements(t, id)),
        ...ofType(t, 'AWS::IAM::Policy').flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement),
        ...ofType(t, 'AWS::IAM::ManagedPolicy').flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement),
      ];
      const star = documents.filter((s) => JSON.stringify(s.Resource).includes('"*"'));
      for (const s of star) {
        const list = actions(s);
        const ec2Only = list.every((a) => a.startsWith('ec2:') && /NetworkInterface|Subnets|PrivateIpAddresses/.test(a));
        expect(ec2Only, JSON.stringify(s)).toBe(true);
      }
      expect(documents.some((s) => actions(s).some((a) => a.endsWith(':*') || a === '*'))).toBe(false);
      // No role can write CloudWatch metrics: self-metrics reach CloudWatch through the logs only.
      expect(documents.some((s) => actions(s).some((a) => a.startsWith('cloudwatch:')))).toBe(false);
    }
  });
});

describe('stages', () => {
  it('have no anomaly check or Slack notifier unless the stage runs them', () => {
    expect(dev.Resources.AnomalyCheckLambdaFunction).toBeUndefined();
    expect(dev.Resources.AnomalyCheckRole).toBeUndefined();
    expect(dev.Resources.NotifySlackLambdaFunction).toBeUndefined();
    expect(schedulesOf(dev, 'AnomalyCheck')).toEqual([]);
  });

  it('run the anomaly check once a minute in the VPC with the query, write and topic settings', () => {
    const fn = resource(monitoring, 'AnomalyCheckLambdaFunction').Properties;
    expect(fn).toMatchObject({ Runtime: expect.stringMatching(/^nodejs(22|24)\.x$/), Architectures: ['arm64'], Handler: 'functions/anomaly-check.handler' });
    expect(fn.VpcConfig).toEqual({ SubnetIds: ['subnet-0c1d2e3f4a5b60001', 'subnet-0c1d2e3f4a5b60002'], SecurityGroupIds: ['sg-0c1d2e3f4a5b60001'] });
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      STAGE: 'monitoring',
      TARGETS_FILE: 'targets/monitoring.yml',
      VM_QUERY_URL: 'https://vm.example.com',
      VM_QUERY_PASSWORD_FROM: 'ssm:/periscope/monitoring/vm-password',
      VM_WRITE_URL: 'https://vm.example.com',
      VM_UI_URL: 'https://vm.example.com/vmui',
      ALERTS_TOPIC_ARN: { Ref: 'AlertsTopic' },
      CLAIMS_TABLE: { Ref: 'AlertClaimsTable' },
      SCHEDULE_RATE_MS: '60000',
    });
    const [schedule, ...more] = schedulesOf(monitoring, 'AnomalyCheckLambdaFunction');
    expect(more).toEqual([]);
    expect(schedule?.expression).toBe('rate(1 minute)');
    expect(schedule?.target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it('subscribe the Slack notifier to the topic, outside the VPC', () => {
    const fn = resource(monitoring, 'NotifySlackLambdaFunction').Properties;
    expect(fn.VpcConfig).toBeUndefined();
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables.SLACK_WEBHOOK_FROM).toBe('ssm:/periscope/monitoring/slack-webhook');
    const lambdaSubscriptions = ofType(monitoring, 'AWS::SNS::Subscription').filter(([, r]) => r.Properties.Protocol === 'lambda');
    expect(lambdaSubscriptions.map(([, r]) => r.Properties.TopicArn)).toEqual([{ Ref: 'AlertsTopic' }]);
  });

  it('package each function of the stage on its own', async () => {
    const monitoringZips = (await readdir(monitoringPackage.dir)).filter((f) => f.endsWith('.zip')).sort();
    expect(monitoringZips).toEqual(['anomalyCheck.zip', 'notifySlack.zip', 'probe.zip', 'statusPage.zip']);
    expect((await readdir(devPackage.dir)).filter((f) => f.endsWith('.zip'))).toEqual(['probe.zip']);
  });
});

describe('the status page', () => {
  it('is off unless the stage enables it', () => {
    expect(dev.Resources.StatusPageLambdaFunction).toBeUndefined();
    expect(dev.Resources.StatusPageRole).toBeUndefined();
    expect(schedulesOf(dev, 'StatusPage')).toEqual([]);
  });

  it('renders on its schedule from VictoriaMetrics into the stage bucket', () => {
    const fn = resource(monitoring, 'StatusPageLambdaFunction').Properties;
    expect(fn).toMatchObject({ Handler: 'functions/status-page.handler', Architectures: ['arm64'] });
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      STAGE: 'monitoring',
      TARGETS_FILE: 'targets/monitoring.yml',
      VM_QUERY_URL: 'https://vm.example.com',
      VM_QUERY_PASSWORD_FROM: 'ssm:/periscope/monitoring/vm-password',
      STATUS_PAGE_BUCKET: 'status.example.com',
      // The page's title from the stage's params; the others fall back to the targets file.
      STATUS_PAGE_TITLE: 'Example Corp status',
      STATUS_PAGE_DESCRIPTION: '',
    });
    const [schedule, ...more] = schedulesOf(monitoring, 'StatusPageLambdaFunction');
    expect(more).toEqual([]);
    expect(schedule?.expression).toBe('rate(5 minutes)');
  });

  it('may only put objects into its bucket', () => {
    const list = statements(monitoring, 'StatusPageRole');
    expect(list.map((s) => s.Sid)).toEqual(['WriteOwnLogs', 'WriteStatusPage', 'ReadStageSecrets', 'DecryptStageSecrets']);
    const put = bySid(list, 'WriteStatusPage');
    expect(actions(put)).toEqual(['s3:PutObject']);
    expect(put.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::status.example.com/*' });
    // No other role of any stage touches S3.
    for (const t of [dev, monitoring, prod]) {
      for (const [id] of ofType(t, 'AWS::IAM::Role').filter(([rid]) => rid !== 'StatusPageRole')) {
        const policies = (t.Resources[id]?.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>;
        expect(policies.flatMap((p) => p.PolicyDocument.Statement).flatMap(actions).filter((a) => a.startsWith('s3:')), id).toEqual([]);
      }
    }
  });

  it('fails packaging when enabled without a bucket, or with a name that is no bucket', async () => {
    // The resolver serverless.yml calls for STATUS_PAGE_BUCKET, with the param osls would pass.
    const bucketOf = (value: string) => bucket({ resolveVariable: async (v: string) => (v === 'param:statusPage' ? true : value) });
    await expect(bucketOf('')).rejects.toThrow('params.statusPageBucket: statusPage is true but no bucket is named');
    await expect(bucketOf('Status_Page')).rejects.toThrow('params.statusPageBucket: "Status_Page" is not an S3 bucket name');
    await expect(bucketOf('status.example.com')).resolves.toBe('status.example.com');
  });
});
