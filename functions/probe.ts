// The probe Lambda: scheduled with {"group": NAME}, or invoked by hand with {"target": …, "debug": true}.
import type { Context } from 'aws-lambda';
import { accountFromArn, createProbeRuntime } from '../shared/aws/probe-runtime.js';
import { handleProbeEvent } from '../shared/pipeline/handle-probe-event.js';
import { withRequestContext } from '../shared/observability/request-context.js';

// Created once per container: clients, cached secrets and the parsed targets file outlive one invocation.
let runtime: ReturnType<typeof createProbeRuntime> | undefined;

// Every log line of the invocation carries its request id (shared/observability/request-context.ts).
export const handler = withRequestContext(handle);

async function handle(event: unknown, context: Context) {
  runtime ??= createProbeRuntime(process.env).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return handleProbeEvent(
    event,
    { remainingMs: () => context.getRemainingTimeInMillis(), account: accountFromArn(context.invokedFunctionArn) },
    await runtime,
  );
}
