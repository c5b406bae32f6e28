// For local runs (SLACK_WEBHOOK_URL): notifications posted straight to the webhook, no SNS in between.
import type { Logger } from '../observability/logger.js';
import { buildSlackMessage } from './slack.js';
import { postToSlack } from './slack-post.js';
import type { Notification } from './types.js';

/** How long a local post may take, retries included. */
const DIRECT_DEADLINE_MS = 15_000;

/**
 * For local runs (SLACK_WEBHOOK_URL): posts each notification straight to the webhook. A failure rejects,
 * so the alerting engine keeps the alert unnotified and tries again at the next evaluation.
 */
export function createDirectSlackNotifier(webhookUrl: string, logger: Logger): (n: Notification) => Promise<void> {
  return (n) => postToSlack(webhookUrl, buildSlackMessage(n), { deadlineMs: Date.now() + DIRECT_DEADLINE_MS, logger });
}
