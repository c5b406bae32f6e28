// Every line a Lambda handler writes while it runs — its own log lines, those from deep in shared/ (a failed
// probe, a rule that cannot be evaluated, a rejected Slack post) and the EMF self-metrics — carries the
// invocation's request id, and two invocations at once in one process keep their own. The handlers run as
// Lambda loads them (functions/*.ts) with a fake context; VictoriaMetrics, the targets and the Slack webhook
// are real servers on 127.0.0.1, AWS is the SigV4-checking stand-in or aws-sdk-client-mock.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { createJsonLogger } from '../../shared/observability/logger.js';
import { createEmfSink } from '../../shared/observability/metrics.js';
import { currentRequestId, runInRequest } from '../../shared/observability/request-context.js';
import { startAwsStandIn, STAND_IN_CREDENTIALS, type AwsStandIn } from '../support/aws-stand-in.js';
import { captureStdout, type CapturedStdout } from '../support/capture-stdout.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const vmUrl = inject('vmUrl');
const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
let aws: AwsStandIn;
let web: TestServer;
let dir: string;
let stdout: CapturedStdout;
/** Requests for /slow/* wait here until one has arrived for each of the two groups. */
const waiting: Array<() => void> = [];
const slowGroups = new Set<string>();

function context(awsRequestId: string): Context {
  const end = Date.now() + 20_000;
  return {
    awsRequestId,
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:210987654321:function:periscope-test-fn',
    getRemainingTimeInMillis: () => end - Date.now(),
  } as Context;
}

/** The handlers as Lambda loads them: a fresh module (and container state) per test. */
const HANDLERS = {
  probe: () => import('../../functions/probe.js'),
  'anomaly-check': () => import('../../functions/anomaly-check.js'),
  'notify-slack': () => import('../../functions/notify-slack.js'),
  'status-page': () => import('../../functions/status-page.js'),
};

async function loadHandler(fn: keyof typeof HANDLERS, env: Record<string, string>): Promise<Handler> {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  // Events and answers differ per handler; the tests pass what each expects.
  return ((await HANDLERS[fn]()) as unknown as { handler: Handler }).handler;
}

/** Every JSON line written since the test began; fails when there are none, or one is no JSON object. */
function lines(): Array<Record<string, unknown>> {
  const records = stdout.records();
  expect(records.length).toBeGreaterThan(0);
  return records;
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  if (url === '/ok') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  if (url === '/slack') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
  if (url.startsWith('/slow/')) {
    // Both invocations are inside their probes before either gets an answer: their work interleaves.
    slowGroups.add(url.split('/')[2] ?? '');
    waiting.push(() => res.writeHead(503).end('busy'));
    if (slowGroups.size === 2) for (const answer of waiting.splice(0)) answer();
    return;
  }
  res.writeHead(503).end('down');
}

beforeAll(async () => {
  aws = await startAwsStandIn();
  web = await startHttpServer(serve);
  dir = await mkdtemp(join(tmpdir(), 'periscope-request-id-'));
  await writeFile(
    join(dir, 'probe.yml'),
    `groups:
  - name: kitchen
    public: true
    targets:
      - name: oven
        http: { url: "${web.url}/ok" }
      - name: fridge
        http: { url: "${web.url}/down" }
  - name: slow-a
    targets:
      - name: a
        http: { url: "${web.url}/slow/a" }
  - name: slow-b
    targets:
      - name: b
        http: { url: "${web.url}/slow/b" }
`,
  );
  await writeFile(
    join(dir, 'rules.yml'),
    `rules:
  - name: request-id-rules
    rules:
      - alert: Broken
        expr: 'aggr_over_time("no_such_func", probe_success[5m])'
      - alert: Quiet
        expr: 'vector(0) > 1'
`,
  );
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await web.close();
  await aws.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  aws.reset();
  aws.on('ReceiveMessage', { Messages: [] });
  aws.on('GetQueueAttributes', { Attributes: { ApproximateNumberOfMessages: '0' } });
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  dynamodb.reset();
  dynamodb.on(PutItemCommand).resolves({});
  stdout = captureStdout();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const probeEnv = () => ({
  STAGE: 'request-id',
  AWS_REGION: 'eu-central-1',
  TARGETS_FILE: join(dir, 'probe.yml'),
  VM_WRITE_URL: vmUrl,
  SPOOL_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/210987654321/periscope-request-id-spool',
  AWS_ENDPOINT_URL: aws.url,
  ...STAND_IN_CREDENTIALS,
});

describe('request ids in the handlers log lines', () => {
  it('probe: the failed-probe warning, the run summary and the EMF self-metrics', async () => {
    const handler = await loadHandler('probe', probeEnv());
    await handler({ group: 'kitchen' }, context('req-probe-1'));
    const all = lines();
    expect(all.map((l) => l.message).sort()).toEqual(['probe failed', 'run finished', 'self-metrics']);
    expect(all.find((l) => l.message === 'self-metrics')?._aws).toBeDefined();
    for (const line of all) expect(line.requestId, JSON.stringify(line)).toBe('req-probe-1');
  });

  it('probe: two invocations at once in one process keep their own ids', async () => {
    const handler = await loadHandler('probe', probeEnv());
    slowGroups.clear();
    await Promise.all([handler({ group: 'slow-a' }, context('req-a')), handler({ group: 'slow-b' }, context('req-b'))]);
    const all = lines();
    const byGroup = { 'slow-a': 'req-a', 'slow-b': 'req-b' } as Record<string, string>;
    for (const line of all) expect(line.requestId, JSON.stringify(line)).toBe(byGroup[String(line.group)]);
    // Each invocation wrote its warning, summary and metrics.
    for (const group of ['slow-a', 'slow-b']) {
      expect(all.filter((l) => l.group === group).map((l) => l.message).sort()).toEqual(['probe failed', 'run finished', 'self-metrics']);
    }
  });

  it('anomaly check: a rule that cannot be evaluated, the run summary and the self-metrics', async () => {
    const handler = await loadHandler('anomaly-check', {
      STAGE: 'request-id',
      AWS_REGION: 'eu-central-1',
      TARGETS_FILE: join(dir, 'rules.yml'),
      VM_QUERY_URL: vmUrl,
      VM_WRITE_URL: vmUrl,
      ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:periscope-request-id-alerts',
      // The broken rule's health notification claims its slot (the claim is granted) and goes to SNS.
      CLAIMS_TABLE: 'periscope-request-id-alert-claims',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      SCHEDULE_RATE_MS: '3600000',
    });
    await handler({}, context('req-anomaly-1'));
    const all = lines();
    expect(all.map((l) => l.message).sort()).toEqual(['anomaly check finished', 'rule cannot be evaluated', 'self-metrics']);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    for (const line of all) expect(line.requestId, JSON.stringify(line)).toBe('req-anomaly-1');
  });

  it('notify-slack: the rejected post and the undelivered notification', async () => {
    const handler = await loadHandler('notify-slack', { SLACK_WEBHOOK_FROM: 'env:REQUEST_ID_HOOK', REQUEST_ID_HOOK: `${web.url}/slack` });
    const event = { Records: [{ Sns: { MessageId: 'msg-1', Subject: 'Ops notice', Message: 'Disk almost full on db-1' } }] } as SNSEvent;
    await expect(handler(event, context('req-slack-1'))).rejects.toThrow('not delivered to Slack');
    const all = lines();
    expect(all.map((l) => l.message)).toEqual(['Slack webhook rejected the message', 'Slack notification not delivered']);
    for (const line of all) expect(line.requestId, JSON.stringify(line)).toBe('req-slack-1');
  });

  it('status page: the published summary', async () => {
    const handler = await loadHandler('status-page', {
      STAGE: 'request-id',
      AWS_REGION: 'eu-central-1',
      TARGETS_FILE: join(dir, 'probe.yml'),
      VM_QUERY_URL: vmUrl,
      STATUS_PAGE_BUCKET: 'status.example.com',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    await handler({}, context('req-status-1'));
    const all = lines();
    // The log line and the self-metrics line (StatusPagePublished, which the stale-page alarm counts).
    expect(all.map((l) => l.message)).toEqual(['status page published', 'self-metrics']);
    expect(s3.commandCalls(PutObjectCommand).length).toBeGreaterThan(0);
    for (const line of all) expect(line.requestId, JSON.stringify(line)).toBe('req-status-1');
  });
});

describe('the request context', () => {
  it('follows each request through interleaved awaits and timers, and is absent outside one', async () => {
    const written: Array<Record<string, unknown>> = [];
    const logger = createJsonLogger((line) => written.push(JSON.parse(line) as Record<string, unknown>));
    const metrics = createEmfSink((line) => written.push(JSON.parse(line) as Record<string, unknown>));
    const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
    const work = async (name: string) => {
      for (let step = 0; step < 3; step++) {
        logger.info('step', { name, step });
        await tick();
      }
      await metrics.put([{ name: 'Steps', value: 3, unit: 'Count' }], { name });
    };
    await Promise.all([runInRequest({ requestId: 'one' }, () => work('one')), runInRequest({ requestId: 'two' }, () => work('two'))]);
    logger.info('outside');
    // The two requests' lines alternate: they really ran at once.
    expect(written.slice(0, 2).map((l) => l.name)).toEqual(['one', 'two']);
    for (const line of written.slice(0, -1)) expect(line.requestId).toBe(line.name);
    expect(written).toHaveLength(9);
    expect(written.at(-1)).not.toHaveProperty('requestId');
    expect(currentRequestId()).toBeUndefined();
  });
});
