// The anomaly-check Lambda: on its schedule, evaluates the alerting rules that are due and notifies SNS.
import { handleAnomalyCheck } from '../shared/alerting/handle-anomaly-check.js';
import { createAnomalyRuntime } from '../shared/aws/anomaly-runtime.js';

// Created once per container: clients, cached secrets and the parsed rules outlive one invocation.
let runtime: ReturnType<typeof createAnomalyRuntime> | undefined;

export async function handler() {
  runtime ??= createAnomalyRuntime(process.env).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return handleAnomalyCheck(await runtime);
}
