// Notifications: SNS for the deployed pipeline (email, Lambda and SQS subscribers), Slack for the
// notify-slack Lambda and for local runs that post directly.
export { formatSnsMessage, formatSubject, publishNotification, SNS_MESSAGE_BUDGET_BYTES, type SnsMessage } from './sns.js';
export { formatEmailText } from './email-text.js';
export { buildSlackMessage, buildSlackTextMessage, MAX_ALERT_SECTIONS, SLACK_LIMITS, type SlackBlock, type SlackPayload } from './slack.js';
export { postToSlack, SlackPostError, type PostToSlackOptions } from './slack-post.js';
export { formatValue, formatDuration } from './format.js';
export { createDirectSlackNotifier } from './direct-slack.js';
export type { Notification, NotificationStatus, NotifiedAlert } from './types.js';
