// The anomaly-check Lambda end to end: real VictoriaMetrics with a seeded series, SNS replaced by
// aws-sdk-client-mock. Fires once, stays quiet on the next (cold) invocation, fails loudly on bad config.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureStdout, type CapturedStdout } from '../support/capture-stdout.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/dynamodb-local.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const sns = mockClient(SNSClient);
let vm: VmHandle;
// The slot claims go to a real (local) DynamoDB API: dynalite.
let dynamo: LocalDynamoDb;
let dir: string;
let stdout: CapturedStdout;

type Handler = () => Promise<Record<string, unknown>>;

async function loadHandler(env: Record<string, string>): Promise<Handler> {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return ((await import('../../functions/anomaly-check.js')) as unknown as { handler: Handler }).handler;
}

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  dynamo = await startLocalDynamoDb();
  await dynamo.createClaimsTable('periscope-prod-alert-claims');
  dir = await mkdtemp(join(tmpdir(), 'periscope-anomaly-'));
  const now = Date.now();
  const lines: string[] = [];
  for (let t = now - 20 * 60_000; t <= now - 2_000; t += 15_000) lines.push(prometheusLine('orders_failed_last_hour', { service: 'pizza-service' }, 640, t));
  await vm.importPrometheus(lines.join('\n'));
  await vm.flush();
  await writeFile(
    join(dir, 'prod.yml'),
    `rules:
  - name: pizza
    interval: 1m
    rules:
      - alert: PizzaOrdersFailing
        threshold: { query: 'sum by (service) (orders_failed_last_hour)', at_least: 500 }
        labels: { severity: critical }
        annotations:
          summary: "{{ $labels.service }}: {{ $value }} failed orders in the last hour"
`,
  );
  await writeFile(
    join(dir, 'other.yml'),
    `rules:\n  - name: pizza-unclaimed\n    interval: 1m\n    rules:\n      - alert: PizzaOrdersFailing\n        threshold: { query: 'sum by (service) (orders_failed_last_hour)', at_least: 500 }\n`,
  );
  await writeFile(join(dir, 'broken.yml'), `rules:\n  - name: x\n    rules:\n      - alert: A\n        expr: up\n        annotations: { summary: "{{ $value | humanise }}" }\n`);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await vm.cleanup();
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  stdout = captureStdout();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const env = (file: string) => ({
  STAGE: 'prod',
  AWS_REGION: 'eu-central-1',
  TARGETS_FILE: join(dir, file),
  VM_QUERY_URL: vm.url,
  VM_WRITE_URL: vm.url,
  VM_UI_URL: 'https://vm.example.com',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:periscope-prod-alerts',
  CLAIMS_TABLE: 'periscope-prod-alert-claims',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  // Every group is due at every invocation in this test.
  SCHEDULE_RATE_MS: '3600000',
});

describe('anomaly-check handler', () => {
  it('publishes a firing alert once to SNS, then a cold start sends nothing new', async () => {
    const handler = await loadHandler(env('prod.yml'));
    const first = await handler();
    expect(first).toMatchObject({ groups: [{ group: 'pizza', firing: 1, sent: 1, rule_errors: 0 }], failed: [] });
    const published = sns.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    const input = published[0]!.args[0].input;
    expect(input.TopicArn).toBe('arn:aws:sns:eu-central-1:123456789012:periscope-prod-alerts');
    expect(input.Subject).toBe('[FIRING] PizzaOrdersFailing - prod eu-central-1');
    expect((input.Subject ?? '').length).toBeLessThanOrEqual(100);
    expect(input.MessageAttributes?.severity?.StringValue).toBe('critical');
    expect(input.MessageAttributes?.status?.StringValue).toBe('firing');
    const message = JSON.parse(input.Message ?? '{}') as { email: string; lambda: string };
    expect(message.email).toContain('pizza-service: 640 failed orders in the last hour');
    expect(message.email).toContain('https://vm.example.com/vmui/');
    // Self-metrics are one log line; only what an alarm watches is a CloudWatch metric — failed publishes and
    // claims, and only in a run that had some: here none.
    const metrics = stdout.records().find((r) => r.message === 'self-metrics');
    expect(metrics).toMatchObject({ stage: 'prod', NotificationsSent: 1, RuleEvaluationFailures: 0, NotificationFailures: 0, ClaimFailures: 0 });
    expect(metrics?._aws).toBeUndefined();
    // It claimed the slot in the claims table before sending; and, as no evaluation had committed the
    // previous slot, that one's claim too (so no late evaluation of it can send the same alert).
    const claims = await dynamo.client().send(new ScanCommand({ TableName: 'periscope-prod-alert-claims' }));
    const slot = Date.parse((first as { groups: Array<{ evaluated_at: string }> }).groups[0]!.evaluated_at);
    expect(claims.Items?.map((i) => i.claim?.S).sort()).toEqual([`pizza/${slot - 60_000}`, `pizza/${slot}`]);

    const cold = await loadHandler(env('prod.yml'));
    const second = await cold();
    expect(second).toMatchObject({ groups: [{ group: 'pizza', firing: 1, sent: 0 }] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    // Two handler loads (fresh modules, AWS SDK clients included) on a busy machine.
  }, 90_000);

  it('sends without a claim when the claims table cannot be reached: a duplicate page rather than a lost one', async () => {
    const handler = await loadHandler({ ...env('other.yml'), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' });
    const answer = await handler();
    expect(answer).toMatchObject({ groups: [{ group: 'pizza-unclaimed', firing: 1, sent: 1 }] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('fails the invocation with the file and field when the rules are invalid', async () => {
    const handler = await loadHandler(env('broken.yml'));
    await expect(handler()).rejects.toThrow(/broken\.yml: rules\[0\]\.rules\[0\]\.annotations\.summary: template: .*humanise/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('fails the invocation when VictoriaMetrics cannot be reached, so the Errors alarm fires', async () => {
    const handler = await loadHandler({ ...env('prod.yml'), VM_QUERY_URL: 'http://127.0.0.1:9', VM_WRITE_URL: 'http://127.0.0.1:9' });
    await expect(handler()).rejects.toThrow(/no rule group could be evaluated: pizza: cannot restore alert state/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
