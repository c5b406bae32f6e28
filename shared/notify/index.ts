// Notifications: SNS for the deployed pipeline (email, Lambda and SQS subscribers), Slack for the
// notify-slack Lambda and for local runs that post directly.
import type { Logger } from '../observability/logger.js';
import { buildSlackMessage } from './slack.js';
import { postToSlack } from './slack-post.js';
import type { Notification } from './types.js';

export { formatSnsMessage, formatSubject, publishNotification, SNS_MESSAGE_BUDGET_BYTES, type SnsMessage } from './sns.js';
export { formatEmailText } from './email-text.js';
export { buildSlackMessage, buildSlackTextMessage, MAX_ALERT_SECTIONS, SLACK_LIMITS, type SlackBlock, type SlackPayload } from './slack.js';
export { postToSlack, SlackPostError, type PostToSlackOptions } from './slack-post.js';
export { formatValue, formatDuration } from './format.js';
export type { Notification, NotificationStatus, NotifiedAlert } from './types.js';

/** How long a local post may take, retries included. */
const DIRECT_DEADLINE_MS = 15_000;

/**
 * For local runs (SLACK_WEBHOOK_URL): posts each notification straight to the webhook. A failure rejects,
 * so the alerting engine keeps the alert unnotified and tries again at the next evaluation.
 */
export function createDirectSlackNotifier(webhookUrl: string, logger: Logger): (n: Notification) => Promise<void> {
  return (n) => postToSlack(webhookUrl, buildSlackMessage(n), { deadlineMs: Date.now() + DIRECT_DEADLINE_MS, logger });
}
