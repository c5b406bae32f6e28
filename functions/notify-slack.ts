// The notify-slack Lambda: subscribed to the alerts topic, posts each notification to Slack. Throws when
// a post fails, so Lambda retries and the dead-letter queue keeps the message.
import type { Context, SNSEvent } from 'aws-lambda';
import { createSlackHandlerDeps } from '../shared/aws/slack-runtime.js';
import { handleSlackSnsEvent } from '../shared/notify/slack-handler.js';
import { withRequestContext } from '../shared/observability/request-context.js';

// Created once per container: the resolved webhook secret outlives one invocation.
let deps: ReturnType<typeof createSlackHandlerDeps> | undefined;

// Every log line of the invocation carries its request id (shared/observability/request-context.ts).
export const handler = withRequestContext(handle);

async function handle(event: SNSEvent, context: Context): Promise<void> {
  deps ??= createSlackHandlerDeps(process.env);
  await handleSlackSnsEvent(event, () => context.getRemainingTimeInMillis(), deps);
}
