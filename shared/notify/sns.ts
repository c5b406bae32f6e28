// Notifications to the alerts topic: one SNS message per notification with a text body for email (and
// any protocol without its own key) and the Notification as JSON for the Lambda and SQS subscribers.
// Attributes let subscriptions filter (e.g. only severity=critical to a pager).
import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { callWithin } from '../aws-sdk/client-settings.js';
import { formatEmailText } from './email-text.js';
import { alertCount, clipText } from './format.js';
import type { Notification, NotifiedAlert } from './types.js';

/** SNS allows 256 KiB for body and attributes together; the margin covers the subject and rounding. */
export const SNS_MESSAGE_BUDGET_BYTES = 256 * 1024 - 2 * 1024;
/** SNS: "less than 100 characters", ASCII, no control characters or line breaks. */
export const SNS_SUBJECT_MAX = 99;

export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageStructure: 'json';
  MessageAttributes: Record<string, MessageAttributeValue>;
}

export async function publishNotification(client: SNSClient, topicArn: string, n: Notification): Promise<void> {
  await client.send(new PublishCommand({ TopicArn: topicArn, ...formatSnsMessage(n) }), callWithin());
}

/** The Publish input (without the topic): subject, per-protocol JSON envelope and filter attributes. */
export function formatSnsMessage(n: Notification): SnsMessage {
  const attributes = messageAttributes(n);
  const subject = formatSubject(n);
  const budget = SNS_MESSAGE_BUDGET_BYTES - Buffer.byteLength(subject) - attributesBytes(attributes);
  return { Subject: subject, Message: fitEnvelope(n, budget), MessageStructure: 'json', MessageAttributes: attributes };
}

/** `[FIRING:3] EndpointDown - prod eu-central-1 (reminder)`, shortened in the name, never in the status. */
export function formatSubject(n: Notification): string {
  const total = alertCount(n);
  const prefix = `[${n.status.toUpperCase()}${total > 1 ? `:${total}` : ''}] `;
  const suffix = ` - ${asciiLine(n.stage)} ${asciiLine(n.region)}${n.reminder ? ' (reminder)' : ''}`;
  const name = asciiLine(n.alertname);
  const room = SNS_SUBJECT_MAX - prefix.length - suffix.length;
  if (room >= 12) return prefix + clipText(name, room) + suffix;
  return clipText(prefix + name + suffix, SNS_SUBJECT_MAX);
}

/** Printable ASCII on one line: accents dropped, anything else as "?". */
function asciiLine(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
}

function messageAttributes(n: Notification): Record<string, MessageAttributeValue> {
  // SNS rejects empty attribute values.
  const attr = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || 'none' });
  return {
    alertname: attr(n.alertname),
    severity: attr(n.severity),
    status: attr(n.status),
    stage: attr(n.stage),
    region: attr(n.region),
  };
}

function attributesBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, v]) => sum + Buffer.byteLength(name) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''),
    0,
  );
}

function envelope(n: Notification): string {
  const text = formatEmailText(n);
  const json = JSON.stringify(n);
  return JSON.stringify({ default: text, email: text, lambda: json, sqs: json });
}

/** Texts are cut ever shorter until at least one alert fits; the last resort keeps no alerts, only their count. */
const CLIP_STEPS = [Infinity, 4000, 500, 100];

/**
 * The whole notification when it fits; else the most leading alerts that fit (binary search: the size
 * grows with the number kept), with `truncated_alerts` counting the rest so every reader can say so.
 */
function fitEnvelope(n: Notification, budget: number): string {
  const fits = (message: string) => Buffer.byteLength(message) <= budget;
  const whole = envelope(n);
  const keeping = (source: Notification, k: number): Notification => ({
    ...source,
    alerts: source.alerts.slice(0, k),
    truncated_alerts: alertCount(source) - k,
  });
  for (const clip of CLIP_STEPS) {
    const source = clip === Infinity ? n : clipStrings(n, clip);
    const all = clip === Infinity ? whole : envelope(source);
    const allBytes = Buffer.byteLength(all);
    if (allBytes <= budget) return all;
    let best: string | undefined;
    let lo = 1;
    // Alerts of similar size cannot fit more than their share of the budget: a much shorter search.
    let hi = Math.min(source.alerts.length, Math.ceil((source.alerts.length * budget) / allBytes) + 1);
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const candidate = envelope(keeping(source, mid));
      if (fits(candidate)) {
        best = candidate;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best) return best;
  }
  return envelope(keeping(clipStrings(n, 100), 0));
}

function clipStrings(n: Notification, max: number): Notification {
  const clipRecord = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [clipText(k, max), clipText(v, max)]));
  const clipAlert = (a: NotifiedAlert): NotifiedAlert => ({ ...a, labels: clipRecord(a.labels), annotations: clipRecord(a.annotations) });
  // A cut URL would lead nowhere: an overlong one is dropped instead.
  const { query_url: queryUrl, ...rest } = n;
  return {
    ...rest,
    alertname: clipText(n.alertname, max),
    group: clipText(n.group, max),
    expr: clipText(n.expr, Math.max(max, 1000)),
    ...(queryUrl && queryUrl.length <= Math.max(max, 2000) ? { query_url: queryUrl } : {}),
    alerts: n.alerts.map(clipAlert),
  };
}
