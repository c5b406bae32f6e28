// The anomaly-check Lambda: on its schedule, evaluates the alerting rules that are due and notifies SNS.
import type { Context } from 'aws-lambda';
import { handleAnomalyCheck } from '../shared/alerting/evaluation/handle-anomaly-check.js';
import { createAnomalyRuntime } from '../shared/aws/anomaly-runtime.js';
import { withRequestContext } from '../shared/observability/request-context.js';

// Created once per container: clients, cached secrets and the parsed rules outlive one invocation.
let runtime: ReturnType<typeof createAnomalyRuntime> | undefined;

// Every log line of the invocation carries its request id (shared/observability/request-context.ts).
export const handler = withRequestContext(handle);

async function handle(_event: unknown, _context: Context) {
  runtime ??= createAnomalyRuntime(process.env).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return handleAnomalyCheck(await runtime);
}
