// Wiring for the status-page Lambda: VictoriaMetrics to read, the targets file (which targets are public),
// and the bucket to write index.html and status.json to (s3:PutObject on that bucket is all it may do).
// Nothing here may hang quietly: S3 and SSM calls have timeouts that fire (sdk-clients.ts), the whole publish
// ends before the invocation does, and every run says how it went — a log line, and the EMF line whose
// StatusPagePublished the stale-page alarm counts (a page that stops being rewritten pages someone even when
// the function never gets to report: missing data is breaching). A failure also fails the invocation, for the
// function's Errors alarm.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { resolve } from 'node:path';
import { createSecretResolver, loadTargetsFile } from '../config/index.js';
import { errorMessage } from '../observability/error-message.js';
import { createJsonLogger, type Logger } from '../observability/logger.js';
import { createEmfSink, STATUS_PAGE_DIMENSIONS, type MetricsSink } from '../observability/metrics.js';
import { catalogFromFile } from '../reporting/catalog.js';
import { createVmReader } from '../reporting/vm-reader.js';
import { publishStatusPage, type PublishResult } from '../status-page/index.js';
import { loadStatusPageContent } from '../status-page/content.js';
import { vmAuthFromEnv } from '../victoria-metrics/auth.js';
import { requiredEnv } from './probe-runtime.js';
import { callWithin, s3ClientSettings, sdkClientSettings } from '../aws-sdk/client-settings.js';
import { createSsmFetcher } from './ssm-secrets.js';

export interface StatusPageRuntime {
  /** `deadlineMs`: epoch ms by which publishing must have ended (the invocation's end less a margin). */
  publish(nowMs: number, deadlineMs?: number): Promise<PublishResult>;
}

/** Kept back from the invocation: the failure is logged and reported before Lambda stops it. */
export const STATUS_PAGE_MARGIN_MS = 2_000;

class PublishDeadline extends Error {}

async function beforeDeadline<T>(work: Promise<T>, deadlineMs: number | undefined, signal: AbortController): Promise<T> {
  if (deadlineMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new PublishDeadline('not finished before the invocation deadline (VictoriaMetrics or S3 not answering)');
      signal.abort(err);
      reject(err);
    }, Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function createStatusPageRuntime(
  env: NodeJS.ProcessEnv,
  clients: { s3?: S3Client; ssm?: SSMClient } = {},
  observe: { logger?: Logger; metrics?: MetricsSink } = {},
): Promise<StatusPageRuntime> {
  const stage = requiredEnv(env, 'STAGE');
  const bucket = requiredEnv(env, 'STATUS_PAGE_BUCKET');
  const s3 = clients.s3 ?? new S3Client(s3ClientSettings(env));
  const secrets = createSecretResolver({ env, ssm: createSsmFetcher(clients.ssm ?? new SSMClient(sdkClientSettings())) });
  const auth = await vmAuthFromEnv(env, secrets, 'VM_QUERY');
  const reader = createVmReader({ url: requiredEnv(env, 'VM_QUERY_URL'), ...(auth ? { auth } : {}) });
  const targetsPath = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), env.TARGETS_FILE ?? `targets/${stage}.yml`);
  const file = await loadTargetsFile(targetsPath);
  const catalog = catalogFromFile(file);
  // Title, logo, description and notes: the targets file's status_page section, overridden by the params.
  const content = await loadStatusPageContent({ targetsPath, file, env });
  const logger = observe.logger ?? createJsonLogger();
  const metrics = observe.metrics ?? createEmfSink();
  const prefix = env.STATUS_PAGE_PREFIX ?? '';
  const report = async (published: boolean, durationMs: number) => {
    try {
      await metrics.put(
        [
          { name: 'StatusPagePublished', value: published ? 1 : 0, unit: 'Count', dimensions: STATUS_PAGE_DIMENSIONS },
          { name: 'StatusPageDuration', value: durationMs, unit: 'Milliseconds' },
        ],
        { stage },
      );
    } catch (err) {
      logger.error('self-metrics not sent', { error: errorMessage(err) });
    }
  };
  return {
    publish: async (nowMs, deadlineMs) => {
      const started = Date.now();
      const abandon = new AbortController();
      try {
        const result = await beforeDeadline(
          publishStatusPage(
            reader,
            catalog,
            async (key, body, contentType) => {
              if (abandon.signal.aborted) throw abandon.signal.reason;
              // Short caching: the page is rewritten on every run.
              await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, CacheControl: 'max-age=60' }), callWithin(undefined, abandon.signal));
            },
            nowMs,
            { prefix, content },
          ),
          deadlineMs,
          abandon,
        );
        logger.info('status page published', { bucket, ...result, duration_ms: Date.now() - started });
        await report(true, Date.now() - started);
        return result;
      } catch (err) {
        // The public page is now as old as its last successful run: say so, loudly.
        logger.error('status page not published; the public page keeps its previous content', { bucket, error: errorMessage(err), duration_ms: Date.now() - started });
        await report(false, Date.now() - started);
        throw new Error(`status page not published: ${errorMessage(err)}`, { cause: err });
      }
    },
  };
}
