import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildSlackMessage,
  createDirectSlackNotifier,
  formatSnsMessage,
  MAX_ALERT_SECTIONS,
  postToSlack,
  SLACK_LIMITS,
  SlackPostError,
  type SlackBlock,
  type SlackPayload,
} from '../../shared/notify/index.js';
import { createSlackHandlerDeps } from '../../shared/aws/slack-runtime.js';
import { handleSlackSnsEvent, type SlackHandlerDeps } from '../../shared/notify/slack-handler.js';
import type { Notification, NotifiedAlert } from '../../shared/notify/types.js';
import { createJsonLogger } from '../../shared/observability/logger.js';
import { freePort } from '../support/ports.js';

const WEBHOOK_PATH = '/services/T000/B000/XXXX';

function alert(overrides: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    labels: { alertname: 'PizzaOrdersSpike', severity: 'critical', instance: 'orders-api', job: 'shop' },
    annotations: { summary: 'Pizza orders spiked to 25000 per minute', description: 'Orders are far above the seasonal baseline.' },
    value: 25000,
    started_at: '2026-11-22T10:00:00.000Z',
    duration_seconds: 3900,
    fingerprint: 'abc123',
    ...overrides,
  };
}

function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    status: 'firing',
    alertname: 'PizzaOrdersSpike',
    group: 'shop',
    severity: 'critical',
    stage: 'prod',
    region: 'eu-central-1',
    reminder: false,
    alerts: [alert()],
    query_url: 'https://vm.example.com/vmui/#/?g0.expr=sum%28rate%28orders_total%5B5m%5D%29%29',
    expr: 'sum(rate(orders_total[5m])) * 60 > 20000',
    evaluated_at: '2026-11-22T11:05:00.000Z',
    ...overrides,
  };
}

// ---- A local stand-in for hooks.slack.com: answers from a script, records what it received. ----

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

interface Received {
  path: string;
  contentType: string | undefined;
  body: string;
}

const received: Received[] = [];
let script: Reply[] = [];
let fallback: Reply = { status: 200, body: 'ok' };
const hanging = new Set<http.ServerResponse>();
let server: http.Server;
let webhook: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      const reply = script.shift() ?? fallback;
      if (reply.hang) {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/html', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  script = [];
  fallback = { status: 200, body: 'ok' };
});

function capture() {
  const lines: string[] = [];
  const logger = createJsonLogger((line) => lines.push(line));
  return { lines, logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The webhook's path (its secret part) must appear nowhere. */
function expectNoSecret(...texts: Array<string | undefined>): void {
  for (const text of texts) {
    expect(text ?? '').not.toContain('XXXX');
    expect(text ?? '').not.toContain('/services/');
  }
}

const noJitter = () => 0;

// ---- The message ----

function allBlocks(p: SlackPayload): SlackBlock[] {
  return [...(p.blocks ?? []), ...(p.attachments ?? []).flatMap((a) => a.blocks)];
}

function expectWithinLimits(p: SlackPayload): void {
  const blocks = allBlocks(p);
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  for (const block of blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      expect(block.text ?? block.fields).toBeDefined();
      if (block.text) expect(block.text.text.length).toBeGreaterThan(0);
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    if (block.type === 'context') for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
    if (block.type === 'actions') for (const b of block.elements) expect(b.url.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonUrl);
  }
}

describe('Slack message', () => {
  it('has a header, summary, fields, alert details, a query button and a red bar for critical firing', () => {
    const p = buildSlackMessage(notification());
    expect(p.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🔥 FIRING: PizzaOrdersSpike', emoji: true } });
    expect(p.blocks?.[1]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: 'Pizza orders spiked to 25000 per minute' } });
    expect(p.text).toContain('FIRING: PizzaOrdersSpike');
    expect(p.attachments).toHaveLength(1);
    const [attachment] = p.attachments!;
    expect(attachment!.color).toBe('#d6232b');
    const fields = attachment!.blocks[0]!.type === 'section' ? attachment!.blocks[0]!.fields!.map((f) => f.text) : [];
    expect(fields).toEqual(expect.arrayContaining(['*Severity*\ncritical', '*Stage*\nprod', '*Region*\neu-central-1', '*Value*\n25000', '*Firing since*\n2026-11-22 10:00 UTC (1h 5m)']));
    const json = JSON.stringify(p);
    expect(json).toContain('Orders are far above the seasonal baseline.');
    expect(json).toContain('`instance=orders-api`');
    expect(allBlocks(p)).toContainEqual(expect.objectContaining({ type: 'actions', elements: [expect.objectContaining({ url: notification().query_url })] }));
    // mrkdwn control characters in the expression are escaped.
    expect(json).toContain('* 60 &gt; 20000');
    expectWithinLimits(p);
  });

  it('shows status and severity by emoji and colour', () => {
    const resolved = buildSlackMessage(notification({ status: 'resolved', alerts: [alert({ ended_at: '2026-11-22T11:05:00Z' })] }));
    expect(resolved.blocks?.[0]).toMatchObject({ text: { text: '✅ RESOLVED: PizzaOrdersSpike' } });
    expect(resolved.attachments?.[0]?.color).toBe('#2eb67d');
    expect(JSON.stringify(resolved)).toContain('*Resolved after*\\n1h 5m (at 2026-11-22 11:05 UTC)');

    const warning = buildSlackMessage(notification({ severity: 'warning', reminder: true }));
    expect(warning.blocks?.[0]).toMatchObject({ text: { text: '⚠️ FIRING: PizzaOrdersSpike (reminder)' } });
    expect(warning.attachments?.[0]?.color).toBe('#f2a100');

    const info = buildSlackMessage(notification({ severity: 'info' }));
    expect(info.blocks?.[0]).toMatchObject({ text: { text: 'ℹ️ FIRING: PizzaOrdersSpike' } });
  });

  it('shows the first of 200 alerts and counts the rest, within the block limit', () => {
    const alerts = Array.from({ length: 200 }, (_, i) =>
      alert({ labels: { alertname: 'EndpointDown', severity: 'critical', instance: `https://e${i}.example.com` }, annotations: { summary: `Endpoint ${i} down` }, fingerprint: `f${i}` }),
    );
    const p = buildSlackMessage(notification({ alertname: 'EndpointDown', alerts }));
    expectWithinLimits(p);
    expect(p.blocks?.[0]).toMatchObject({ text: { text: '🔥 FIRING: EndpointDown (200 alerts)' } });
    const json = JSON.stringify(p);
    expect(json).toContain('Endpoint 0 down');
    expect(json).toContain(`Endpoint ${MAX_ALERT_SECTIONS - 1} down`);
    expect(json).not.toContain(`Endpoint ${MAX_ALERT_SECTIONS} down`);
    expect(json).toContain(`… and ${200 - MAX_ALERT_SECTIONS} more alerts`);
  });

  it('leaves out the alert section of a lone alert with nothing more to say (Slack rejects empty text)', () => {
    const p = buildSlackMessage(notification({ alerts: [alert({ labels: { alertname: 'PizzaOrdersSpike' }, annotations: {} })] }));
    expectWithinLimits(p);
    expect(p.attachments![0]!.blocks.filter((b) => b.type === 'section')).toHaveLength(1);
    expect(p.blocks?.[1]).toMatchObject({ text: { text: 'PizzaOrdersSpike is firing' } });
  });

  it('counts alerts the SNS publisher left out', () => {
    const p = buildSlackMessage(notification({ alerts: [alert()], truncated_alerts: 37 }));
    expect(JSON.stringify(p)).toContain('… and 37 more alerts');
    expect(p.blocks?.[0]).toMatchObject({ text: { text: '🔥 FIRING: PizzaOrdersSpike (38 alerts)' } });
  });

  it('cuts a 10 000-character description, a 300-character name and a huge query URL to the limits', () => {
    const n = notification({
      alertname: `A${'n'.repeat(299)}`,
      query_url: `https://vm.example.com/vmui/#/?g0.expr=${'x'.repeat(5000)}`,
      alerts: [alert({ annotations: { description: `<${'d'.repeat(10_000)}>` }, labels: { alertname: 'x', big: 'v'.repeat(3000) } })],
    });
    const p = buildSlackMessage(n);
    expectWithinLimits(p);
    expect(JSON.stringify(p)).toContain('&lt;ddd');
    expect(allBlocks(p).some((b) => b.type === 'actions')).toBe(false);
  });
});

// ---- Posting ----

describe('postToSlack', () => {
  it('posts the JSON payload to the webhook', async () => {
    const payload = buildSlackMessage(notification());
    await postToSlack(webhook, payload, { deadlineMs: Date.now() + 5_000, logger: capture().logger });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe(WEBHOOK_PATH);
    expect(received[0]!.contentType).toContain('application/json');
    expect(JSON.parse(received[0]!.body)).toEqual(payload);
  });

  it('waits as Retry-After says on 429, then succeeds', async () => {
    script = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }];
    const log = capture();
    await postToSlack(webhook, { text: 'hello' }, { deadlineMs: Date.now() + 10_000, logger: log.logger, random: noJitter });
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(log.records().find((r) => r.level === 'warn')).toMatchObject({ problem: 'rate limited (429)', retry_in_ms: 1000 });
    expectNoSecret(...log.lines);
  });

  it('gives up at once when Retry-After is past the deadline', async () => {
    script = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '3600' } }];
    const err = await postToSlack(webhook, { text: 'hello' }, { deadlineMs: Date.now() + 5_000, logger: capture().logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackPostError);
    expect((err as SlackPostError).retriable).toBe(true);
    expect((err as Error).message).toContain('Retry-After 3600s is past the deadline');
    expect(received).toHaveLength(1);
  });

  it('retries 5xx with backoff until Slack answers', async () => {
    script = [{ status: 500, body: 'internal_error' }, { status: 503, body: 'service_unavailable' }];
    const log = capture();
    await postToSlack(webhook, { text: 'hello' }, { deadlineMs: Date.now() + 10_000, logger: log.logger, random: noJitter });
    expect(received).toHaveLength(3);
    expect(log.records().filter((r) => r.level === 'warn').map((r) => r.problem)).toEqual(['500 internal_error', '503 service_unavailable']);
    expect(log.records().at(-1)).toMatchObject({ level: 'info', attempts: 3, host: new URL(webhook).host });
  });

  it('does not retry a 400 and reports Slack\'s error without the URL', async () => {
    script = [{ status: 400, body: 'invalid_blocks' }];
    const log = capture();
    const err = await postToSlack(webhook, { text: 'hello' }, { deadlineMs: Date.now() + 10_000, logger: log.logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackPostError);
    const e = err as SlackPostError;
    expect(e.retriable).toBe(false);
    expect(e.status).toBe(400);
    expect(e.slackError).toBe('invalid_blocks');
    expect(e.message).toContain('400 invalid_blocks');
    expect(received).toHaveLength(1);
    expect(log.records()).toEqual([expect.objectContaining({ level: 'error', status: 400, slack_error: 'invalid_blocks' })]);
    expectNoSecret(e.message, e.stack, ...log.lines);
  });

  it('retries a webhook that is down until the deadline, then throws', async () => {
    const port = await freePort();
    const down = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
    const log = capture();
    const err = await postToSlack(down, { text: 'hello' }, { deadlineMs: Date.now() + 1_500, logger: log.logger, random: noJitter }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackPostError);
    const e = err as SlackPostError;
    expect(e.retriable).toBe(true);
    expect(e.message).toMatch(/not delivered after \d+ attempts: network error ECONNREFUSED/);
    expect(log.records().filter((r) => r.level === 'warn').length).toBeGreaterThanOrEqual(1);
    expect(log.records().at(-1)).toMatchObject({ level: 'error', message: 'Slack webhook: giving up' });
    expectNoSecret(e.message, e.stack, ...log.lines);
  });

  it('gives up on a webhook that never answers', async () => {
    script = [{ status: 0, hang: true }, { status: 0, hang: true }, { status: 0, hang: true }];
    const err = await postToSlack(webhook, { text: 'hello' }, { deadlineMs: Date.now() + 1_500, logger: capture().logger, random: noJitter }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackPostError);
    expect((err as Error).message).toContain('timed out');
    expect(received.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a malformed webhook URL without echoing it', async () => {
    const err = await postToSlack('not a url XXXX', { text: 'x' }, { deadlineMs: Date.now() + 1_000, logger: capture().logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackPostError);
    expectNoSecret((err as Error).message);
  });
});

// ---- The Lambda handler's logic ----

function snsEvent(message: string, subject: string | null = 'subject'): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-central-1:123456789012:alerts:sub',
        Sns: {
          Type: 'Notification',
          MessageId: 'msg-1',
          TopicArn: 'arn:aws:sns:eu-central-1:123456789012:alerts',
          Subject: subject as string,
          Message: message,
          Timestamp: '2026-11-22T11:05:00.000Z',
          SignatureVersion: '1',
          Signature: 'sig',
          SigningCertUrl: 'https://sns.example/cert',
          UnsubscribeUrl: 'https://sns.example/unsub',
          MessageAttributes: {},
        },
      },
    ],
  };
}

function handlerDeps(log = capture()): SlackHandlerDeps {
  return { webhookUrl: async () => webhook, logger: log.logger, random: noJitter, marginMs: 500 };
}

describe('notify-slack handler', () => {
  it('posts the notification the SNS publisher wrote for the lambda protocol, once', async () => {
    const n = notification();
    const { Message, Subject } = formatSnsMessage(n);
    const lambdaMessage = (JSON.parse(Message) as { lambda: string }).lambda;
    const result = await handleSlackSnsEvent(snsEvent(lambdaMessage, Subject), () => 10_000, handlerDeps());
    expect(result).toEqual({ posted: 1 });
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual(buildSlackMessage(n));
  });

  it('throws when Slack keeps failing, after a structured log line without the URL', async () => {
    fallback = { status: 500, body: 'internal_error' };
    const log = capture();
    const { Message } = formatSnsMessage(notification());
    const event = snsEvent((JSON.parse(Message) as { lambda: string }).lambda);
    const err = await handleSlackSnsEvent(event, () => 2_000, handlerDeps(log)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^notify-slack: 1 of 1 message\(s\) not delivered to Slack: Slack webhook: not delivered after \d+ attempts: 500 internal_error$/);
    expect(received.length).toBeGreaterThan(1);
    expect(log.records().at(-1)).toMatchObject({
      level: 'error',
      message: 'Slack notification not delivered',
      sns_message_id: 'msg-1',
      alertname: 'PizzaOrdersSpike',
      status: 500,
      retriable: true,
    });
    expectNoSecret((err as Error).message, (err as Error).stack, ...log.lines);
  });

  it('throws at once on a 4xx, without retrying', async () => {
    script = [{ status: 404, body: 'no_service' }];
    const err = await handleSlackSnsEvent(snsEvent('plain'), () => 10_000, handlerDeps()).catch((e: unknown) => e);
    expect((err as Error).message).toContain('404 no_service');
    expect(received).toHaveLength(1);
  });

  it('posts a message somebody else published as text with its subject', async () => {
    await handleSlackSnsEvent(snsEvent('Disk <almost> full on db-1', 'Ops notice'), () => 10_000, handlerDeps());
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0]!.body) as SlackPayload;
    expect(body).toEqual({ text: '*Ops notice*\nDisk &lt;almost&gt; full on db-1' });
  });

  it('posts foreign JSON (not a Notification) as a code block', async () => {
    await handleSlackSnsEvent(snsEvent('{"AlarmName":"cpu","NewStateValue":"ALARM"}', null), () => 10_000, handlerDeps());
    const body = JSON.parse(received[0]!.body) as SlackPayload;
    expect(body.blocks).toBeUndefined();
    expect(body.text).toContain('"AlarmName": "cpu"');
    expect(body.text.startsWith('```')).toBe(true);
  });

  it('renders NaN values (null in JSON) instead of treating the notification as foreign', async () => {
    const n = notification({ alerts: [alert({ value: Number.NaN })] });
    const lambdaMessage = (JSON.parse(formatSnsMessage(n).Message) as { lambda: string }).lambda;
    await handleSlackSnsEvent(snsEvent(lambdaMessage), () => 10_000, handlerDeps());
    const body = JSON.parse(received[0]!.body) as SlackPayload;
    expect(JSON.stringify(body.attachments)).toContain('*Value*\\nNaN');
  });

  it('fails clearly when the webhook secret cannot be resolved', async () => {
    const log = capture();
    const deps = { ...createSlackHandlerDeps({}), logger: log.logger };
    await expect(handleSlackSnsEvent(snsEvent('x'), () => 10_000, deps)).rejects.toThrow('SLACK_WEBHOOK_FROM is not set');
    expect(received).toHaveLength(0);
    expect(log.records()[0]).toMatchObject({ level: 'error', message: 'Slack webhook secret not available' });
  });

  it('resolves env: and ssm: secret references, once per container', async () => {
    const fromEnv = createSlackHandlerDeps({ SLACK_WEBHOOK_FROM: 'env:HOOK', HOOK: webhook });
    expect(await fromEnv.webhookUrl()).toBe(webhook);

    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand, { Name: '/periscope/slack', WithDecryption: true }).resolves({ Parameter: { Value: webhook } });
    const fromSsm = createSlackHandlerDeps({ SLACK_WEBHOOK_FROM: 'ssm:/periscope/slack' }, { ssm: new SSMClient({ region: 'eu-central-1' }) });
    await handleSlackSnsEvent(snsEvent('one'), () => 10_000, { ...fromSsm, logger: capture().logger });
    await handleSlackSnsEvent(snsEvent('two'), () => 10_000, { ...fromSsm, logger: capture().logger });
    expect(received.map((r) => JSON.parse(r.body) as SlackPayload).map((p) => p.text)).toEqual(['*subject*\none', '*subject*\ntwo']);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    ssm.restore();
  });
});

describe('direct notifier (local runs)', () => {
  it('posts a notification straight to the webhook and rejects when Slack refuses it', async () => {
    const notify = createDirectSlackNotifier(webhook, capture().logger);
    await notify(notification());
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual(buildSlackMessage(notification()));

    script = [{ status: 403, body: 'invalid_token' }];
    await expect(notify(notification())).rejects.toThrow('403 invalid_token');
  });
});
