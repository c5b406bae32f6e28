// The CloudFormation template of every sample stage (dev, prod, monitoring in serverless.yml, their targets
// files under targets/) against the CloudFormation registry schemas (@aws-cdk/aws-service-spec): types,
// properties and their shapes, required properties, Ref/GetAtt/Sub targets and attributes — what CloudFormation
// itself would refuse at deploy time, found at package time. The templates are the packagings the other
// suites share (test/support/packaged-stages.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceSpec, validateTemplate, type Template } from '../support/cfn-schema.js';
import { packagedStage } from '../support/packaged-stages.js';

const STAGES = ['dev', 'prod', 'monitoring'] as const;
const templates = {} as Record<(typeof STAGES)[number], Template>;

beforeAll(async () => {
  for (const stage of STAGES) {
    const dir = await packagedStage(stage);
    templates[stage] = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  }
  serviceSpec();
}, 600_000);

describe('sample stages against the CloudFormation registry schemas', () => {
  for (const stage of STAGES) {
    it(`${stage}: every resource, property, required field and reference is valid`, () => {
      const template = templates[stage];
      expect(Object.keys(template.Resources).length).toBeGreaterThan(10);
      expect(validateTemplate(template)).toEqual([]);
    });
  }
});

describe('the check itself', () => {
  /** The monitoring template with one thing broken. */
  const broken = (edit: (t: Template) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(templates.monitoring)) as Template;
    edit(copy);
    return validateTemplate(copy);
  };
  const props = (t: Template, id: string) => t.Resources[id]?.Properties as Record<string, unknown>;

  it('finds an unknown type, an unknown property, a wrong shape and a missing required property', () => {
    expect(broken((t) => void ((t.Resources.SpoolQueue as { Type: string }).Type = 'AWS::SQS::Queues'))).toEqual(['Resources.SpoolQueue: type AWS::SQS::Queues does not exist']);
    expect(broken((t) => void (props(t, 'SpoolQueue').VisibilityTimeOut = 60))).toEqual([expect.stringMatching(/^Resources\.SpoolQueue\.Properties\.VisibilityTimeOut: no such property/)]);
    expect(broken((t) => void (props(t, 'ProbeLambdaFunction').Timeout = 'fifty'))).toEqual(['Resources.ProbeLambdaFunction.Properties.Timeout: integer expected, got "fifty"']);
    expect(broken((t) => void (props(t, 'ProbeLambdaFunction').Architectures = 'arm64'))).toEqual([expect.stringMatching(/^Resources\.ProbeLambdaFunction\.Properties\.Architectures: list of string expected/)]);
    expect(broken((t) => void (props(t, 'SpoolQueue').SqsManagedSseEnabled = 'yes'))).toEqual(['Resources.SpoolQueue.Properties.SqsManagedSseEnabled: boolean expected, got "yes"']);
    expect(broken((t) => void delete props(t, 'ProbeRole').AssumeRolePolicyDocument)).toEqual(['Resources.ProbeRole.Properties: required property AssumeRolePolicyDocument is missing']);
    // Nested: a schedule target without its role.
    expect(broken((t) => void delete (props(t, 'ProbeSchedulerSchedule1').Target as Record<string, unknown>).RoleArn)).toEqual(['Resources.ProbeSchedulerSchedule1.Properties.Target: required property RoleArn is missing']);
    // Nested: a misspelt field of a schedule's retry policy.
    expect(broken((t) => void ((props(t, 'ProbeSchedulerSchedule1').Target as { RetryPolicy: Record<string, unknown> }).RetryPolicy.MaximumRetryAttempt = 0))).toEqual([
      expect.stringMatching(/^Resources\.ProbeSchedulerSchedule1\.Properties\.Target\.RetryPolicy\.MaximumRetryAttempt: no such property \(known: MaximumEventAgeInSeconds, MaximumRetryAttempts\)$/),
    ]);
  });

  it('finds references to nothing and attributes a type does not have', () => {
    expect(broken((t) => void (props(t, 'ProbeLambdaFunction').Role = { 'Fn::GetAtt': ['ProbeRoles', 'Arn'] }))).toEqual(['Resources.ProbeLambdaFunction.Properties.Role: Fn::GetAtt ProbeRoles.Arn: no such resource']);
    expect(broken((t) => void (props(t, 'ProbeLambdaFunction').Role = { 'Fn::GetAtt': ['ProbeRole', 'Name'] }))).toEqual([expect.stringMatching(/Fn::GetAtt ProbeRole\.Name: AWS::IAM::Role has no attribute Name/)]);
    expect(broken((t) => void ((props(t, 'ProbeLambdaFunction').Environment as { Variables: Record<string, unknown> }).Variables.SPOOL_QUEUE_URL = { Ref: 'SpoolQ' }))).toEqual([expect.stringMatching(/Ref SpoolQ: no such resource or parameter/)]);
    expect(broken((t) => void (props(t, 'SpoolQueue').QueueName = { 'Fn::Sub': '${AWS::StackName}-${SpoolDeadLetterQueue.Url}' }))).toEqual([expect.stringMatching(/Fn::GetAtt SpoolDeadLetterQueue\.Url: AWS::SQS::Queue has no attribute Url/)]);
    expect(broken((t) => void ((t.Resources.ProbeRole as { DependsOn?: string[] }).DependsOn = ['Nothing']))).toEqual(['Resources.ProbeRole.DependsOn: no such resource Nothing']);
  });
});
