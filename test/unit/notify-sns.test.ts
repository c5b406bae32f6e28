import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { formatEmailText, formatSnsMessage, formatValue, publishNotification } from '../../shared/notify/index.js';
import type { Notification, NotifiedAlert } from '../../shared/notify/types.js';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:periscope-alerts-prod';

function alert(overrides: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    labels: { instance: 'orders-api', severity: 'critical', alertname: 'PizzaOrdersSpike', job: 'shop' },
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

function envelopeOf(n: Notification): { default: string; email: string; lambda: string; sqs: string } {
  return JSON.parse(formatSnsMessage(n).Message) as { default: string; email: string; lambda: string; sqs: string };
}

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

describe('SNS subject', () => {
  it('states status, name, stage and region', () => {
    expect(formatSnsMessage(notification()).Subject).toBe('[FIRING] PizzaOrdersSpike - prod eu-central-1');
  });

  it('counts grouped alerts and marks reminders and resolutions', () => {
    const three = [alert(), alert({ fingerprint: 'b' }), alert({ fingerprint: 'c' })];
    expect(formatSnsMessage(notification({ alertname: 'EndpointDown', alerts: three })).Subject).toBe('[FIRING:3] EndpointDown - prod eu-central-1');
    expect(formatSnsMessage(notification({ reminder: true })).Subject).toBe('[FIRING] PizzaOrdersSpike - prod eu-central-1 (reminder)');
    expect(formatSnsMessage(notification({ status: 'resolved' })).Subject).toBe('[RESOLVED] PizzaOrdersSpike - prod eu-central-1');
  });

  it('stays under 100 ASCII characters with a very long, non-ASCII name, keeping the status', () => {
    const n = notification({ alertname: `Pizzería—Überlast ${'X'.repeat(300)}\nsecond line`, reminder: true, alerts: [alert(), alert({ fingerprint: 'z' })] });
    const subject = formatSnsMessage(n).Subject;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith('[FIRING:2] Pizzeria?Uberlast XXX')).toBe(true);
    expect(subject).toContain('...');
    expect(subject.endsWith(' - prod eu-central-1 (reminder)')).toBe(true);
  });

  it('stays within the limit with many labels and a long stage name', () => {
    const labels = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`label_${i}`, 'v'.repeat(50)]));
    const n = notification({ stage: 's'.repeat(150), alerts: [alert({ labels })] });
    const subject = formatSnsMessage(n).Subject;
    expect(subject.length).toBeLessThan(100);
    expect(subject.startsWith('[FIRING] ')).toBe(true);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('SNS publish', () => {
  it('publishes one JSON-structured message with filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const n = notification();
    await publishNotification(new SNSClient({ region: 'eu-central-1' }), TOPIC, n);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toBe('[FIRING] PizzaOrdersSpike - prod eu-central-1');
    expect(input.MessageAttributes).toMatchObject({
      alertname: { DataType: 'String', StringValue: 'PizzaOrdersSpike' },
      severity: { DataType: 'String', StringValue: 'critical' },
      status: { DataType: 'String', StringValue: 'firing' },
      stage: { DataType: 'String', StringValue: 'prod' },
    });
    const envelope = JSON.parse(input.Message!) as Record<string, string>;
    expect(Object.keys(envelope).sort()).toEqual(['default', 'email', 'lambda', 'sqs']);
    expect(envelope.email).toBe(envelope.default);
    expect(JSON.parse(envelope.lambda!)).toEqual(n);
    expect(JSON.parse(envelope.sqs!)).toEqual(n);
  });

  it('passes SNS errors on, so the engine retries at the next evaluation', async () => {
    sns.on(PublishCommand).rejects(new Error('Throttling'));
    await expect(publishNotification(new SNSClient({ region: 'eu-central-1' }), TOPIC, notification())).rejects.toThrow('Throttling');
  });

  it('never sends an empty attribute value (SNS rejects those)', () => {
    const attributes = formatSnsMessage(notification({ severity: '', stage: '' })).MessageAttributes;
    for (const value of Object.values(attributes)) expect(value.StringValue).not.toBe('');
  });
});

describe('email text', () => {
  it('reads as a summary, the alert, then where to look', () => {
    const text = envelopeOf(notification()).email;
    const lines = text.split('\n');
    expect(lines[0]).toBe('Pizza orders spiked to 25000 per minute');
    expect(text).toContain('Description: Orders are far above the seasonal baseline.');
    expect(text).toContain('Value: 25000');
    expect(text).not.toContain('2.5e');
    expect(text).toContain('Firing since 2026-11-22 10:00 UTC (for 1h 5m)');
    expect(text).toContain('Query: https://vm.example.com/vmui/#/?g0.expr=sum%28rate%28orders_total%5B5m%5D%29%29');
    expect(text).toContain('  sum(rate(orders_total[5m])) * 60 > 20000');
    expect(text).toContain('Stage: prod');
    expect(text).toContain('Region: eu-central-1');
    // Labels: alertname and severity first, the rest sorted.
    const labelStart = lines.indexOf('Labels:');
    expect(lines.slice(labelStart + 1, labelStart + 5)).toEqual(['  alertname=PizzaOrdersSpike', '  severity=critical', '  instance=orders-api', '  job=shop']);
  });

  it('says when and after how long an alert resolved', () => {
    const n = notification({
      status: 'resolved',
      alerts: [alert({ ended_at: '2026-11-22T11:05:00.000Z', duration_seconds: 3900 })],
    });
    const text = formatEmailText(n);
    expect(text.split('\n')[0]).toBe('Resolved: Pizza orders spiked to 25000 per minute');
    expect(text).toContain('Resolved at 2026-11-22 11:05 UTC after 1h 5m');
    expect(text).not.toContain('Firing since');
  });

  it('falls back to the alert name and status without a shared summary', () => {
    const n = notification({ alerts: [alert({ annotations: {} }), alert({ annotations: { summary: 'other' }, fingerprint: 'b' })] });
    expect(formatEmailText(n).split('\n')[0]).toBe('PizzaOrdersSpike is firing (2 alerts)');
  });

  it('wraps long prose at 100 columns but leaves URLs whole', () => {
    const url = `https://runbooks.example.com/${'x'.repeat(120)}`;
    const description = `${'word '.repeat(80)}see ${url}`;
    const text = formatEmailText(notification({ alerts: [alert({ annotations: { description } })] }));
    const lines = text.split('\n');
    expect(lines.some((l) => l.trim() === url)).toBe(true);
    expect(lines.filter((l) => l.includes('word')).every((l) => l.length <= 100)).toBe(true);
  });

  it('formats values as plain numbers', () => {
    expect(formatValue(25000)).toBe('25000');
    expect(formatValue(1e20)).toBe('100000000000000000000');
    expect(formatValue(Math.PI)).toBe('3.14159');
    expect(formatValue(0.000123456789)).toBe('0.000123457');
    expect(formatValue(1234567.891)).toBe('1234568');
    expect(formatValue(-0.5)).toBe('-0.5');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
  });
});

describe('message size', () => {
  const BYTES_LIMIT = 256 * 1024;

  function totalBytes(m: ReturnType<typeof formatSnsMessage>): number {
    const attributes = Object.entries(m.MessageAttributes).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''),
      0,
    );
    return Buffer.byteLength(m.Message) + attributes + Buffer.byteLength(m.Subject);
  }

  it('keeps 2 000 grouped alerts under 256 KiB, saying how many were left out', () => {
    const alerts = Array.from({ length: 2000 }, (_, i) =>
      alert({
        labels: { alertname: 'EndpointDown', severity: 'critical', instance: `https://endpoint-${i}.example.com/health`, job: 'blackbox', team: 'checkout' },
        annotations: { summary: `Endpoint ${i} is down`, description: `Probe of endpoint ${i} failed for 5 minutes: connection refused.` },
        value: 0,
        fingerprint: `fp-${i}`,
      }),
    );
    const n = notification({ alertname: 'EndpointDown', alerts });
    const m = formatSnsMessage(n);
    expect(totalBytes(m)).toBeLessThanOrEqual(BYTES_LIMIT);
    expect(m.Subject).toBe('[FIRING:2000] EndpointDown - prod eu-central-1');

    const envelope = JSON.parse(m.Message) as Record<string, string>;
    const sent = JSON.parse(envelope.lambda!) as Notification;
    expect(sent.alerts.length).toBeGreaterThan(10);
    expect(sent.alerts.length).toBeLessThan(2000);
    expect(sent.alerts.length + sent.truncated_alerts!).toBe(2000);
    expect(sent.alerts[0]).toEqual(alerts[0]);
    expect(envelope.email).toContain(`... and ${sent.truncated_alerts} more alerts`);
    expect(envelope.email).toContain('Alerts: 2000');
    expect(envelope.email).toContain(`--- Alert ${sent.alerts.length} of 2000 ---`);
    expect(envelope.email).not.toContain(`--- Alert ${sent.alerts.length + 1} of 2000 ---`);
  });

  it('keeps a notification whose single alert is huge under the limit', () => {
    const description = 'é'.repeat(400_000);
    const m = formatSnsMessage(notification({ alerts: [alert({ annotations: { description } })] }));
    expect(totalBytes(m)).toBeLessThanOrEqual(BYTES_LIMIT);
    const sent = JSON.parse((JSON.parse(m.Message) as Record<string, string>).lambda!) as Notification;
    expect(sent.alerts).toHaveLength(1);
    expect(sent.alerts[0]!.annotations.description!.length).toBeLessThan(description.length);
  });

  it('leaves a notification that fits untouched', () => {
    const n = notification({ alerts: Array.from({ length: 50 }, (_, i) => alert({ fingerprint: `f${i}` })) });
    const sent = JSON.parse(envelopeOf(n).lambda) as Notification;
    expect(sent).toEqual(n);
    expect(sent.truncated_alerts).toBeUndefined();
  });
});
