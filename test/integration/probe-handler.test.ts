// The probe Lambda handler with scheduled, manual, debug, dry-run and malformed events. AWS (SQS, SSM) is a
// stand-in on 127.0.0.1 that checks the SigV4 signatures; self-metrics are the EMF lines on stdout;
// VictoriaMetrics and the targets are real.
import type { Context } from 'aws-lambda';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { captureStdout, type CapturedStdout } from '../support/capture-stdout.js';
import { startAwsStandIn, STAND_IN_CREDENTIALS, type AwsStandIn } from '../support/aws-stand-in.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';
import { VmClient } from '../support/victoria-metrics.js';

let aws: AwsStandIn;
let stdout: CapturedStdout;
const vm = new VmClient(inject('vmUrl'));

let web: TestServer;
let dir: string;
let seenAuth: string[] = [];

function context(remainingMs = 20_000): Context {
  const end = Date.now() + remainingMs;
  return {
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:210987654321:function:periscope-test-probe',
    getRemainingTimeInMillis: () => end - Date.now(),
  } as Context;
}

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

async function loadHandler(env: Record<string, string>): Promise<Handler> {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  // The answers are a union of shapes; the tests read them as plain records.
  const module = (await import('../../functions/probe.js')) as unknown as { handler: Handler };
  return module.handler;
}

/** The EMF lines the handler wrote (JSON lines with a CloudWatch directive). */
function emfLines(): Array<Record<string, unknown>> {
  return stdout.records().filter((record) => record._aws !== undefined);
}

beforeAll(async () => {
  aws = await startAwsStandIn();
  web = await startHttpServer((req, res) => {
    seenAuth.push(String(req.headers.authorization ?? ''));
    res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'text/plain' }).end('pizza is ready');
  });
  dir = await mkdtemp(join(tmpdir(), 'periscope-handler-'));
  await writeFile(
    join(dir, 'test.yml'),
    `labels: { team: food }
groups:
  - name: kitchen
    targets:
      - name: oven
        http: { url: "${web.url}/oven" }
      - name: fridge
        http: { url: "${web.url}/down" }
  - name: secured
    targets:
      - name: vault
        http: { url: "${web.url}/vault", bearer_token_from: "ssm:/periscope/test/vault-token" }
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
  seenAuth = [];
  aws.reset();
  aws.on('ReceiveMessage', { Messages: [] });
  aws.on('GetQueueAttributes', { Attributes: { ApproximateNumberOfMessages: '0' } });
  aws.on('GetParameter', { Parameter: { Value: 's3cr3t-token' } });
  stdout = captureStdout();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    STAGE: 'test',
    AWS_REGION: 'eu-central-1',
    TARGETS_FILE: join(dir, 'test.yml'),
    VM_WRITE_URL: vm.url,
    SPOOL_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/210987654321/periscope-test-spool',
    AWS_ENDPOINT_URL: aws.url,
    ...STAND_IN_CREDENTIALS,
    ...overrides,
  };
}

describe('probe handler', () => {
  it('runs a scheduled group, writes with the account from the ARN and reports self-metrics', async () => {
    const handler = await loadHandler(env());
    const summary = await handler({ group: 'kitchen' }, context());
    expect(summary).toMatchObject({ group: 'kitchen', targets: 2, succeeded: 1, failed: 1, spooled: 0 });
    expect(Object.keys(summary).sort()).toEqual(
      ['duration_ms', 'event_loop_lag_ms', 'failed', 'group', 'lost', 'rejected', 'replayed', 'samples_written', 'spool_depth', 'spool_failures', 'spooled', 'spooled_to_fallback', 'succeeded', 'targets'].sort(),
    );
    const series = await vm.exportSeries('probe_success{group="kitchen",stage="test"}');
    expect(series.map((s) => [s.metric.target, s.metric.account, s.metric.region, s.metric.team, s.values[0]]).sort()).toEqual([
      ['fridge', '210987654321', 'eu-central-1', 'food', 0],
      ['oven', '210987654321', 'eu-central-1', 'food', 1],
    ]);
    // One EMF line: the one CloudWatch metric (Runs, per stage and interval; SpoolFailures only in a run that had some), the rest logged beside it.
    const [emf, ...more] = emfLines();
    expect(more).toEqual([]);
    expect(emf).toMatchObject({ stage: 'test', interval: '1m', group: 'kitchen', Runs: 1, ProbesRun: 2, ProbesFailed: 1 });
    expect(emf).toMatchObject({ SpoolFailures: 0, SamplesLost: 0 });
    expect((emf?._aws as { CloudWatchMetrics: unknown }).CloudWatchMetrics).toEqual([{ Namespace: 'Periscope', Dimensions: [['stage', 'interval']], Metrics: [{ Name: 'Runs', Unit: 'Count' }] }]);
    expect(aws.callsOf('ReceiveMessage')).toHaveLength(1);
    expect(aws.callsOf('SendMessage')).toHaveLength(0);
    expect(aws.calls.every((c) => c.service === 'sqs')).toBe(true);
  });

  it('replays spooled batches from SQS before writing, then deletes them', async () => {
    const ts = Date.UTC(2026, 10, 20, 8, 0, 0);
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(`handler_replay_test{k="a"} 7 ${ts}\n`).toString('base64');
    aws.on(
      'ReceiveMessage',
      { Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: body, MessageAttributes: { created_ms: { DataType: 'Number', StringValue: String(ts) }, samples: { DataType: 'Number', StringValue: '1' } } }] },
      { Messages: [] },
    );
    const handler = await loadHandler(env());
    const summary = await handler({ group: 'kitchen' }, context());
    expect(summary.replayed).toBe(1);
    expect(aws.callsOf('DeleteMessage')).toEqual([{ QueueUrl: env().SPOOL_QUEUE_URL, ReceiptHandle: 'r1' }]);
    const series = await vm.exportSeries('handler_replay_test');
    expect(series[0]).toMatchObject({ values: [7], timestamps: [ts] });
  });

  it('spools to SQS when VictoriaMetrics is unreachable, and ends before the invocation does', async () => {
    aws.on('SendMessage', { MessageId: 'x' });
    const handler = await loadHandler(env({ VM_WRITE_URL: 'http://127.0.0.1:9' }));
    const ctx = context(6_000);
    const summary = await handler({ group: 'kitchen' }, ctx);
    expect(ctx.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(summary.samples_written).toBe(0);
    const sent = aws.callsOf('SendMessage') as Array<{ MessageBody: string; MessageAttributes: { samples: { StringValue: string } } }>;
    expect(sent).toHaveLength(1);
    const text = gunzipSync(Buffer.from(sent[0]?.MessageBody ?? '', 'base64')).toString();
    expect(text).toContain('probe_success{');
    expect(text).toContain('target="oven"');
    expect(sent[0]?.MessageAttributes.samples.StringValue).toBe(String(summary.spooled));
  });

  it('probes a URL by hand and answers with the probe result; dry_run writes nothing', async () => {
    const handler = await loadHandler(env());
    const answer = await handler({ target: `${web.url}/manual-dry`, dry_run: true }, context());
    expect(answer).toMatchObject({ target: 'manual', module: 'http', instance: `${web.url}/manual-dry`, success: true, reason: null });
    expect(answer.samples).toEqual(expect.arrayContaining([{ name: 'probe_success', labels: {}, value: 1 }]));
    expect(answer.written).toBeUndefined();
    expect(await vm.exportSeries(`probe_success{instance="${web.url}/manual-dry"}`)).toEqual([]);
  });

  it('a manual probe without dry_run is written under the group "manual"', async () => {
    const handler = await loadHandler(env());
    const answer = await handler({ target: `${web.url}/manual-write` }, context());
    expect((answer.written as { samples: number }).samples).toBe((answer.samples as unknown[]).length);
    const series = await vm.exportSeries(`probe_success{instance="${web.url}/manual-write"}`);
    expect(series[0]?.metric).toMatchObject({ group: 'manual', target: 'manual', stage: 'test' });
  });

  it('probes a named target of the file with debug: waterfall, headers and body excerpt', async () => {
    const handler = await loadHandler(env());
    const answer = await handler({ group: 'kitchen', target: 'oven', debug: true, dry_run: true }, context());
    expect(answer).toMatchObject({ target: 'oven', success: true });
    expect(String(answer.waterfall)).toMatch(/^OK {2}http /);
    const debug = answer.debug as { body_excerpt?: string; responses?: Array<{ status: number }> };
    expect(debug.body_excerpt).toContain('pizza is ready');
    expect(debug.responses?.[0]?.status).toBe(200);
  });

  it('probes a full target object given in the event', async () => {
    const handler = await loadHandler(env());
    const answer = await handler({ target: { name: 'adhoc', http: { url: `${web.url}/x`, valid_status_codes: [201] } }, dry_run: true }, context());
    expect(answer).toMatchObject({ target: 'adhoc', success: false, reason: 'status_code' });
  });

  it('resolves ssm: secrets once per container, decrypted, and never returns them', async () => {
    const handler = await loadHandler(env());
    const first = await handler({ group: 'secured', target: 'vault', debug: true, dry_run: true }, context());
    await handler({ group: 'secured', target: 'vault', dry_run: true }, context());
    expect(seenAuth).toEqual(['Bearer s3cr3t-token', 'Bearer s3cr3t-token']);
    expect(aws.callsOf('GetParameter')).toEqual([{ Name: '/periscope/test/vault-token', WithDecryption: true }]);
    expect(aws.calls.find((c) => c.action === 'GetParameter')?.service).toBe('ssm');
    expect(JSON.stringify(first)).not.toContain('s3cr3t-token');
  });

  it.each([
    [{ group: 'nope' }, 'group', 'unknown group "nope"'],
    [{ target: 42 }, 'target', ''],
    [{}, '', 'needs "group"'],
    [{ group: 'kitchen', surprise: true }, 'surprise', 'unknown field'],
    [{ group: 'kitchen', target: 'missing' }, 'target', 'no target "missing"'],
    [{ target: 'not a url' }, 'target', 'is not a URL'],
    [{ target: { name: 'x', http: { url: 'ftp://x' } } }, 'http.url', 'scheme'],
    ['{broken', '', 'not JSON'],
    [[1, 2], '', 'must be an object'],
  ])('answers a bad event %j with an error object and writes nothing', async (event, path, text) => {
    const handler = await loadHandler(env());
    const answer = (await handler(event, context())) as { error: string; message: string; problems: Array<{ path: string; message: string }> };
    expect(answer.error).toBe('bad_event');
    expect(answer.problems[0]?.path).toBe(path);
    expect(answer.message).toContain(text);
    expect(seenAuth).toEqual([]);
    expect(aws.callsOf('SendMessage')).toHaveLength(0);
    expect(emfLines()).toEqual([]);
  });
});
