// Wiring for the status-page Lambda: VictoriaMetrics to read, the targets file (which targets are public),
// and the bucket to write index.html and status.json to (s3:PutObject on that bucket is all it may do).
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { resolve } from 'node:path';
import { createSecretResolver, loadTargetsFile } from '../config/index.js';
import { createJsonLogger } from '../observability/logger.js';
import { catalogFromFile } from '../reporting/catalog.js';
import { createVmReader } from '../reporting/vm-reader.js';
import { publishStatusPage, type PublishResult } from '../status-page/index.js';
import { loadStatusPageContent } from '../status-page/content.js';
import { vmAuthFromEnv } from '../victoria-metrics/auth.js';
import { requiredEnv } from './probe-runtime.js';
import { createSsmFetcher } from './ssm-secrets.js';

export interface StatusPageRuntime {
  publish(nowMs: number): Promise<PublishResult>;
}

export async function createStatusPageRuntime(env: NodeJS.ProcessEnv, clients: { s3?: S3Client; ssm?: SSMClient } = {}): Promise<StatusPageRuntime> {
  const stage = requiredEnv(env, 'STAGE');
  const bucket = requiredEnv(env, 'STATUS_PAGE_BUCKET');
  const s3 = clients.s3 ?? new S3Client({});
  const secrets = createSecretResolver({ env, ssm: createSsmFetcher(clients.ssm ?? new SSMClient({})) });
  const auth = await vmAuthFromEnv(env, secrets, 'VM_QUERY');
  const reader = createVmReader({ url: requiredEnv(env, 'VM_QUERY_URL'), ...(auth ? { auth } : {}) });
  const targetsPath = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), env.TARGETS_FILE ?? `targets/${stage}.yml`);
  const file = await loadTargetsFile(targetsPath);
  const catalog = catalogFromFile(file);
  // Title, logo, description and notes: the targets file's status_page section, overridden by the params.
  const content = await loadStatusPageContent({ targetsPath, file, env });
  const logger = createJsonLogger();
  const prefix = env.STATUS_PAGE_PREFIX ?? '';
  return {
    publish: async (nowMs) => {
      const result = await publishStatusPage(
        reader,
        catalog,
        async (key, body, contentType) => {
          // Short caching: the page is rewritten on every run.
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, CacheControl: 'max-age=60' }));
        },
        nowMs,
        { prefix, content },
      );
      logger.info('status page published', { bucket, ...result });
      return result;
    },
  };
}
