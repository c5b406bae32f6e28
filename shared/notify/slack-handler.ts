// The notify-slack Lambda's logic: each SNS record becomes one Slack message. A failed post makes the
// invocation fail, so SNS/Lambda retry it and the dead-letter queue keeps what never got through.
// Its AWS wiring (secrets through SSM) is shared/aws/slack-runtime.ts, with the other handlers' runtimes.
import type { SNSEvent } from 'aws-lambda';
import type { Logger } from '../observability/logger.js';
import { buildSlackMessage, buildSlackTextMessage, parseJsonObject, type SlackPayload } from './slack.js';
import { postToSlack, SlackPostError } from './slack-post.js';
import type { Notification } from './types.js';
import { errorMessage } from '../observability/error-message.js';

export interface SlackHandlerDeps {
  /** The resolved webhook URL (a secret). */
  webhookUrl: () => Promise<string>;
  logger: Logger;
  random?: () => number;
  /** Kept free of the invocation's remaining time, to log and return before Lambda's timeout. */
  marginMs?: number;
}

const DEFAULT_MARGIN_MS = 2_000;

export async function handleSlackSnsEvent(event: SNSEvent, remainingMs: () => number, deps: SlackHandlerDeps): Promise<{ posted: number }> {
  const { logger } = deps;
  let webhook: string;
  try {
    webhook = await deps.webhookUrl();
  } catch (err) {
    // Secret errors name the reference, never the value.
    const message = errorMessage(err);
    logger.error('Slack webhook secret not available', { error: message });
    throw new Error(`notify-slack: Slack webhook secret not available: ${message}`, { cause: err });
  }

  let posted = 0;
  const failures: string[] = [];
  // SNS invokes with one record; should there be more, each still gets its try before the invocation fails.
  for (const record of event.Records) {
    const { payload, about } = slackPayloadFor(record.Sns.Message, record.Sns.Subject);
    try {
      await postToSlack(webhook, payload, {
        deadlineMs: Date.now() + remainingMs() - (deps.marginMs ?? DEFAULT_MARGIN_MS),
        logger,
        ...(deps.random ? { random: deps.random } : {}),
      });
      posted++;
    } catch (err) {
      const e = err instanceof SlackPostError ? err : new SlackPostError(`Slack webhook: ${(err as Error).name}`, true);
      logger.error('Slack notification not delivered', {
        sns_message_id: record.Sns.MessageId,
        ...about,
        error: e.message,
        retriable: e.retriable,
        ...(e.status !== undefined ? { status: e.status } : {}),
      });
      failures.push(e.message);
    }
  }
  if (failures.length > 0) {
    throw new Error(`notify-slack: ${failures.length} of ${event.Records.length} message(s) not delivered to Slack: ${failures[0]}`);
  }
  return { posted };
}

/** The Notification the anomaly check published, or anything else published to the topic, as text. */
export function slackPayloadFor(message: string, subject: string | null | undefined): { payload: SlackPayload; about: Record<string, string> } {
  const parsed = parseJsonObject(message);
  if (parsed && isNotification(parsed)) {
    // JSON has no NaN or ±Inf: JSON.stringify wrote them as null.
    const n: Notification = { ...parsed, alerts: parsed.alerts.map((a) => ({ ...a, value: a.value ?? NaN })) };
    return { payload: buildSlackMessage(n), about: { alertname: n.alertname, status: n.status } };
  }
  return { payload: buildSlackTextMessage(subject, message), about: { kind: 'text' } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown) => typeof v === 'string';

/** Checks the fields the Slack message reads; a foreign JSON message fails this and is posted as text. */
function isNotification(value: Record<string, unknown>): value is Record<string, unknown> & Notification {
  const fields = ['alertname', 'group', 'severity', 'stage', 'region', 'expr', 'evaluated_at'];
  return (
    (value.status === 'firing' || value.status === 'resolved') &&
    fields.every((f) => isString(value[f])) &&
    Array.isArray(value.alerts) &&
    value.alerts.every(
      (a: unknown) =>
        isRecord(a) &&
        isRecord(a.labels) &&
        isRecord(a.annotations) &&
        (typeof a.value === 'number' || a.value === null) &&
        isString(a.started_at),
    )
  );
}
