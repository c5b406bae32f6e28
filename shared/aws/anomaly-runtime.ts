// Wiring for the anomaly-check Lambda: VictoriaMetrics endpoints and credentials, the alerts topic, the
// slot-claims table and self-metrics (EMF log lines) from the environment, created once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { resolve } from 'node:path';
import { createSecretResolver } from '../config/index.js';
import type { AnomalyCheckRuntime } from '../alerting/evaluation/handle-anomaly-check.js';
import type { ClaimStore } from '../alerting/state/claim-store.js';
import { publishNotification } from '../notify/index.js';
import { createJsonLogger } from '../observability/logger.js';
import { CLAIM_FAILURES_DIMENSIONS, createEmfSink, failureCount, type MetricsSink } from '../observability/metrics.js';
import { vmAuthFromEnv } from '../victoria-metrics/auth.js';
import { requiredEnv } from './probe-runtime.js';
import { createDynamoDbClaimStore } from './dynamodb-claims.js';
import { sdkClientSettings } from '../aws-sdk/client-settings.js';
import { failFastAfterTimeout } from './fail-fast.js';
import { createSsmFetcher } from './ssm-secrets.js';

export async function createAnomalyRuntime(
  env: NodeJS.ProcessEnv,
  clients: { sns?: SNSClient; ssm?: SSMClient; dynamodb?: DynamoDBClient } = {},
): Promise<AnomalyCheckRuntime> {
  const stage = requiredEnv(env, 'STAGE');
  const topicArn = requiredEnv(env, 'ALERTS_TOPIC_ARN');
  const claimsTable = requiredEnv(env, 'CLAIMS_TABLE');
  const sns = clients.sns ?? new SNSClient(sdkClientSettings());
  const secrets = createSecretResolver({ env, ssm: createSsmFetcher(clients.ssm ?? new SSMClient(sdkClientSettings())) });
  const readAuth = await vmAuthFromEnv(env, secrets, 'VM_QUERY');
  const writeAuth = await vmAuthFromEnv(env, secrets, 'VM_WRITE');
  const logger = createJsonLogger();
  // Claims that could not be made (the table denied or unreachable): the check then sends without one, a
  // duplicate page rather than a lost one — counted here and reported with the run's metrics (ClaimFailures,
  // alarmed), since the claim store is this wiring's part.
  let claimFailures = 0;
  const emf = createEmfSink();
  const metrics: MetricsSink = {
    put: (list, properties, atMs) => {
      const failures = claimFailures;
      claimFailures = 0;
      return emf.put([...list, failureCount('ClaimFailures', failures, CLAIM_FAILURES_DIMENSIONS)], properties, atMs);
    },
  };
  const claimStore = failFastClaims(createDynamoDbClaimStore(clients.dynamodb ?? new DynamoDBClient(sdkClientSettings()), claimsTable));
  const claims: ClaimStore = {
    claim: async (key, expiresAtMs) => {
      try {
        return await claimStore.claim(key, expiresAtMs);
      } catch (err) {
        claimFailures++;
        throw err;
      }
    },
  };
  return {
    targetsPath: resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), env.TARGETS_FILE ?? `targets/${stage}.yml`),
    scheduleRateMs: Number(env.SCHEDULE_RATE_MS ?? 60_000),
    // Logged as one EMF line per run; only NotificationFailures and ClaimFailures (per stage) are CloudWatch
    // metrics, for their alarms, and only in runs that had failures.
    metrics,
    deps: {
      read: { url: requiredEnv(env, 'VM_QUERY_URL'), ...(readAuth ? { auth: readAuth } : {}) },
      write: { url: requiredEnv(env, 'VM_WRITE_URL'), ...(writeAuth ? { auth: writeAuth } : {}) },
      // Replaced by the file's alerting settings when the rules load.
      settings: { evaluation_interval: 60_000, repeat_interval: 4 * 3_600_000, maintenance: [], external_labels: {} },
      // A failed publish (denied by a topic or key policy, SNS unreachable) is logged, counted in
      // NotificationFailures and sent again by the next evaluation; an unreachable SNS costs one timeout per run.
      notify: failFastAfterTimeout((n) => publishNotification(sns, topicArn, n), { name: 'SNS Publish' }),
      logger,
      stage,
      region: env.AWS_REGION ?? 'unknown',
      ...(env.VM_UI_URL ? { vmUiUrl: env.VM_UI_URL } : {}),
      mode: 'live',
      // Overlapping invocations of a slot: exactly one sends (a conditional put; see dynamodb-claims.ts).
      // Timeouts that fire (sdk-clients.ts): the claim stands before the sends, and an unreachable table (a VPC
      // without a route to DynamoDB) must fall back to sending within the run, not hang it until the Lambda times out.
      claims,
    },
  };
}

function failFastClaims(store: ClaimStore): ClaimStore {
  const claim = failFastAfterTimeout((key: string, expiresAtMs: number) => store.claim(key, expiresAtMs), { name: 'DynamoDB claim' });
  return { claim };
}
