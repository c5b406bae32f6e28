// The status-page Lambda: on its schedule, renders the public targets' overview and incidents and writes
// index.html and status.json to the stage's status-page bucket.
import type { Context } from 'aws-lambda';
import { createStatusPageRuntime, STATUS_PAGE_MARGIN_MS, type StatusPageRuntime } from '../shared/aws/status-page-runtime.js';
import { withRequestContext } from '../shared/observability/request-context.js';

let runtime: Promise<StatusPageRuntime> | undefined;

// Every log line of the invocation carries its request id (shared/observability/request-context.ts).
export const handler = withRequestContext(handle);

async function handle(_event: unknown, context: Context) {
  runtime ??= createStatusPageRuntime(process.env).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  // Ends (and reports) before Lambda would stop it: a hanging VictoriaMetrics or S3 is a logged failure.
  return (await runtime).publish(Date.now(), Date.now() + context.getRemainingTimeInMillis() - STATUS_PAGE_MARGIN_MS);
}
