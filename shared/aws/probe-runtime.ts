// Wiring for the probe Lambda: settings from the environment, created once per container. No AWS SDK: the
// self-metrics are EMF log lines, SQS and SSM are signed JSON calls (json-api.ts) — the cold start is the
// bundle's own code.
import { resolve } from 'node:path';
import { ConfigError, createSecretResolver, loadTargetsFile, type TargetsFile } from '../config/index.js';
import { createJsonLogger } from '../observability/logger.js';
import { createEmfSink } from '../observability/metrics.js';
import type { ProbeRuntime } from '../pipeline/handle-probe-event.js';
import { createSqsSpool } from '../storage/sqs-spool.js';
import { vmAuthFromEnv } from '../victoria-metrics/auth.js';
import { createDiscovery } from '../discovery/index.js';
import { createLazyDiscoveryApis } from '../discovery/aws-clients.js';
import { createAwsJsonCall, type AwsJsonCall } from './json-api.js';
import { createSsmParameterFetcher, ssmJsonCall } from './ssm-parameters.js';

/** The AWS APIs the probe calls; tests may pass their own. */
export interface AwsCalls {
  sqs: AwsJsonCall;
  ssm: AwsJsonCall;
}

/** An environment variable the function cannot run without; its absence is a configuration error. */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError('environment', [{ path: name, message: 'is not set' }]);
  return value;
}

export function accountFromArn(arn: string | undefined): string {
  return arn?.split(':')[4] || 'unknown';
}

export async function createProbeRuntime(env: NodeJS.ProcessEnv, calls?: Partial<AwsCalls>): Promise<ProbeRuntime> {
  const stage = requiredEnv(env, 'STAGE');
  const region = env.AWS_REGION ?? 'unknown';
  const sqs = calls?.sqs ?? createAwsJsonCall({ service: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' }, env);
  const secrets = createSecretResolver({ env, ssm: createSsmParameterFetcher(calls?.ssm ?? ssmJsonCall(env)) });
  const file = env.TARGETS_FILE ?? `targets/${stage}.yml`;
  const path = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let targets: Promise<TargetsFile> | undefined;
  const auth = await vmAuthFromEnv(env, secrets);
  const logger = createJsonLogger();
  const metrics = createEmfSink();
  return {
    loadTargets: () => (targets ??= loadTargetsFile(path).catch((err: unknown) => {
      targets = undefined;
      throw err;
    })),
    stage,
    region,
    vm: { url: requiredEnv(env, 'VM_WRITE_URL'), ...(auth ? { auth } : {}) },
    spool: createSqsSpool(sqs, requiredEnv(env, 'SPOOL_QUEUE_URL')),
    secrets,
    metrics,
    logger,
    // One cache per container: discovered lists live as long as it does (and their TTL).
    discover: createDiscovery({ apis: createLazyDiscoveryApis(), logger, metrics }),
    ...(env.PROBE_CONCURRENCY ? { concurrency: Number(env.PROBE_CONCURRENCY) } : {}),
  };
}
