// Wiring for the probe Lambda: AWS clients and settings from the environment, created once per container.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { resolve } from 'node:path';
import { ConfigError, createSecretResolver, loadTargetsFile, type SecretResolver, type TargetsFile } from '../config/index.js';
import { createJsonLogger } from '../observability/logger.js';
import { createCloudWatchSink } from '../observability/metrics.js';
import type { ProbeRuntime } from '../pipeline/handle-probe-event.js';
import { createSqsSpool } from '../storage/sqs-spool.js';
import type { VmAuth } from '../storage/write-batch.js';
import { createDiscovery } from '../discovery/index.js';
import { createLazyDiscoveryApis } from './discovery-clients.js';
import { createSsmFetcher } from './ssm-secrets.js';

export interface AwsClients {
  sqs: SQSClient;
  ssm: SSMClient;
  cloudwatch: CloudWatchClient;
}

/** An environment variable the function cannot run without; its absence is a configuration error. */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError('environment', [{ path: name, message: 'is not set' }]);
  return value;
}

/** VictoriaMetrics credentials: VM_WRITE_USERNAME + VM_WRITE_PASSWORD_FROM, or VM_WRITE_TOKEN_FROM (secret references). */
export async function vmAuthFromEnv(env: NodeJS.ProcessEnv, secrets: SecretResolver, prefix = 'VM_WRITE'): Promise<VmAuth | undefined> {
  const tokenRef = env[`${prefix}_TOKEN_FROM`];
  if (tokenRef) return { type: 'bearer', token: await secrets.resolve(tokenRef) };
  const passwordRef = env[`${prefix}_PASSWORD_FROM`];
  if (passwordRef) return { type: 'basic', username: env[`${prefix}_USERNAME`] ?? '', password: await secrets.resolve(passwordRef) };
  return undefined;
}

export function accountFromArn(arn: string | undefined): string {
  return arn?.split(':')[4] || 'unknown';
}

export async function createProbeRuntime(env: NodeJS.ProcessEnv, clients?: Partial<AwsClients>): Promise<ProbeRuntime> {
  const stage = requiredEnv(env, 'STAGE');
  const region = env.AWS_REGION ?? 'unknown';
  const sqs = clients?.sqs ?? new SQSClient({});
  const ssm = clients?.ssm ?? new SSMClient({});
  const cloudwatch = clients?.cloudwatch ?? new CloudWatchClient({});
  const secrets = createSecretResolver({ env, ssm: createSsmFetcher(ssm) });
  const file = env.TARGETS_FILE ?? `targets/${stage}.yml`;
  const path = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let targets: Promise<TargetsFile> | undefined;
  const auth = await vmAuthFromEnv(env, secrets);
  const logger = createJsonLogger();
  const metrics = createCloudWatchSink(cloudwatch);
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
