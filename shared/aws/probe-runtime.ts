// Wiring for the probe Lambda: settings from the environment, created once per container. No AWS SDK: the
// self-metrics are EMF log lines, SQS and SSM are signed JSON calls (aws-sdk/json-api.ts) — the cold start is the
// bundle's own code. What only some groups need is loaded when one does: the YAML parser and the schema (when
// the targets file has no snapshot), discovery, the probers' libraries.
import { readConfigText } from '../config/read-text.js';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveFilePaths } from '../config/file-paths.js';
import { ConfigError } from '../config/errors.js';
import type { TargetsFile } from '../config/index.js';
import { createSecretResolver } from '../config/secrets.js';
import { snapshotFor } from '../config/targets-snapshot.js';
import { loadRegexEngine } from '../regex/engine.js';
import type { Discover } from '../discovery/index.js';
import { createJsonLogger } from '../observability/logger.js';
import { createEmfSink } from '../observability/metrics.js';
import type { ProbeRuntime } from '../pipeline/handle-probe-event.js';
import { createSqsSpool } from '../storage/sqs-spool.js';
import { createFileSpool } from '../storage/file-spool.js';
import type { Spool } from '../storage/spool.js';
import { vmAuthFromEnv } from '../victoria-metrics/auth.js';
import { createLazyDiscoveryApis } from '../discovery/aws-clients.js';
import { createAwsJsonCall, type AwsJsonCall } from '../aws-sdk/json-api.js';
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

/**
 * The targets file at `path`, validated: from the snapshot at `snapshotPath` (written at package time) when
 * it was made from this very file, else parsed and validated here. Either way the files it names (CA files,
 * `file:` secrets) are resolved against its directory, in the package as on the machine that packaged it.
 */
export async function loadProbeTargets(path: string, snapshotPath?: string): Promise<TargetsFile> {
  const text = await readConfigText(path);
  const snapshotText = snapshotPath ? await readFile(snapshotPath, 'utf8').catch(() => undefined) : undefined;
  const snapshot = snapshotText === undefined ? undefined : snapshotFor(snapshotText, text);
  if (snapshot) {
    // Validating the file would have loaded the RE2 engine for its patterns; the probers expect it loaded.
    if (snapshot.regexes) await loadRegexEngine();
    return resolveFilePaths(snapshot.targets, dirname(path));
  }
  const [{ parseTargetsFile }, { withRegexEngine }] = await Promise.all([import('../config/load.js'), import('../regex/index.js')]);
  return resolveFilePaths(await withRegexEngine(() => parseTargetsFile(text, path)), dirname(path));
}

/**
 * The spool's fallback in Lambda: a file spool in the container's /tmp, made on first use. Batches land there
 * only when VictoriaMetrics and SQS both failed; the container's next run replays them (to VictoriaMetrics).
 */
export function lazyFileSpool(dir: string): Spool {
  let spool: Spool | undefined;
  const get = () => (spool ??= createFileSpool(dir));
  return {
    put: (entry) => get().put(entry),
    take: (limit) => get().take(limit),
    depth: () => get().depth(),
    deadLetter: (entry) => (get().deadLetter as NonNullable<Spool['deadLetter']>)(entry),
  };
}

/** Discovery, created (with its clients and its per-container cache) when the first discovery group runs. */
function lazyDiscovery(create: () => Promise<Discover>): Discover {
  let discover: Promise<Discover> | undefined;
  return async (group, dimensions) => {
    discover ??= create().catch((err: unknown) => {
      discover = undefined;
      throw err;
    });
    return (await discover)(group, dimensions);
  };
}

export async function createProbeRuntime(env: NodeJS.ProcessEnv, calls?: Partial<AwsCalls>): Promise<ProbeRuntime> {
  const stage = requiredEnv(env, 'STAGE');
  const region = env.AWS_REGION ?? 'unknown';
  const sqs = calls?.sqs ?? createAwsJsonCall({ service: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' }, env);
  const secrets = createSecretResolver({ env, ssm: createSsmParameterFetcher(calls?.ssm ?? ssmJsonCall(env)) });
  const file = env.TARGETS_FILE ?? `targets/${stage}.yml`;
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const path = resolve(root, file);
  const snapshot = env.TARGETS_SNAPSHOT ? resolve(root, env.TARGETS_SNAPSHOT) : undefined;
  let targets: Promise<TargetsFile> | undefined;
  const auth = await vmAuthFromEnv(env, secrets);
  const logger = createJsonLogger();
  const metrics = createEmfSink();
  return {
    loadTargets: () => (targets ??= loadProbeTargets(path, snapshot).catch((err: unknown) => {
      targets = undefined;
      throw err;
    })),
    stage,
    region,
    vm: { url: requiredEnv(env, 'VM_WRITE_URL'), ...(auth ? { auth } : {}) },
    spool: createSqsSpool(sqs, requiredEnv(env, 'SPOOL_QUEUE_URL'), env.SPOOL_DEAD_LETTER_QUEUE_URL || undefined),
    fallbackSpool: lazyFileSpool(env.FALLBACK_SPOOL_DIR ?? '/tmp/periscope-spool'),
    secrets,
    metrics,
    logger,
    // One cache per container: discovered lists live as long as it does (and their TTL).
    discover: lazyDiscovery(async () => (await import('../discovery/index.js')).createDiscovery({ apis: createLazyDiscoveryApis(), logger, metrics })),
    ...(env.PROBE_CONCURRENCY ? { concurrency: Number(env.PROBE_CONCURRENCY) } : {}),
  };
}
