// Settings every AWS SDK v3 client is made with (the Lambdas', and discovery's in the CLI too): connect and
// request timeouts that fire (see timeouts.ts), a bounded number of attempts, and a signal per call that ends it, retries included, within
// AWS_CALL_BUDGET_MS. An endpoint override (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL) is honoured by the
// SDK itself; S3 then addresses buckets by path, as a stand-in or a VPC interface endpoint needs.
import { AWS_CALL_BUDGET_MS, AWS_TIMEOUTS } from './timeouts.js';

export interface SdkClientSettings {
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

export function sdkClientSettings(): SdkClientSettings {
  return {
    maxAttempts: AWS_TIMEOUTS.attempts,
    requestHandler: { connectionTimeout: AWS_TIMEOUTS.connectMs, requestTimeout: AWS_TIMEOUTS.requestMs, throwOnRequestTimeout: true },
  };
}

/** S3 with a custom endpoint: path-style addressing (http://127.0.0.1:port/bucket/key). */
export function s3ClientSettings(env: NodeJS.ProcessEnv = process.env): SdkClientSettings & { forcePathStyle?: boolean } {
  return { ...sdkClientSettings(), ...(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {}) };
}

/** The second argument of `client.send`: abandons the call, retries included, when the budget is spent. */
export function callWithin(budgetMs: number = AWS_CALL_BUDGET_MS, signal?: AbortSignal): { abortSignal: AbortSignal } {
  const timeout = AbortSignal.timeout(Math.max(1, Math.floor(budgetMs)));
  return { abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout };
}
