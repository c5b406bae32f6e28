// AWS JSON-protocol calls (SQS, SSM) signed with SigV4 by `aws4`, over node:https. The probe needs four SQS
// actions and one SSM action; the SDK v3 clients for them were 435 KiB of a 753 KiB bundle and most of its
// load time, while `aws4` (zero dependencies, the signer behind many AWS tools) is a few KiB. Credentials come
// from the environment, as Lambda provides them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
// AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL point a service elsewhere, as for the SDK.
import aws4 from 'aws4';
import { exponentialBackoff, retry, type AttemptOutcome } from '../async/retry.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface AwsJsonService {
  /** Signing name and endpoint prefix: `sqs`, `ssm`. */
  service: string;
  /** X-Amz-Target prefix: `AmazonSQS`, `AmazonSSM`. */
  targetPrefix: string;
  /** `1.0` (SQS) or `1.1` (SSM). */
  jsonVersion: '1.0' | '1.1';
}

export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export type AwsJsonCall = <T>(action: string, input: Record<string, unknown>) => Promise<T>;

const ATTEMPTS = 3;
const REQUEST_TIMEOUT_MS = 5_000;

function endpointFor(service: string, env: NodeJS.ProcessEnv, region: string): URL {
  const override = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL;
  return new URL(override ?? `https://${service}.${region}.amazonaws.com/`);
}

function send(url: URL, options: aws4.Request & { headers: Record<string, string> }, body: string): Promise<{ status: number; text: string }> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      { protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, method: 'POST', path: options.path, headers: options.headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function apiError(status: number, text: string): AwsApiError {
  let code = `HTTP${status}`;
  let message = text.slice(0, 200);
  try {
    const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    // `com.amazonaws.sqs#QueueDoesNotExist` → `QueueDoesNotExist`
    if (parsed.__type) code = parsed.__type.split('#').at(-1) ?? code;
    message = parsed.message ?? parsed.Message ?? message;
  } catch {
    // Not JSON (a proxy's error page): keep the status and the start of the text.
  }
  return new AwsApiError(code, message, status);
}

/** A caller for one service. Throttling, 5xx and network errors are retried twice with jittered backoff (~100 ms, ~200 ms). */
export function createAwsJsonCall(spec: AwsJsonService, env: NodeJS.ProcessEnv = process.env): AwsJsonCall {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const url = endpointFor(spec.service, env, region);
  return async <T>(action: string, input: Record<string, unknown>): Promise<T> => {
    const body = JSON.stringify(input);
    const attempt = async (): Promise<AttemptOutcome<{ ok: true; value: T } | { ok: false; error: Error }>> => {
      // Signed per attempt: the signature carries the time, and credentials may have been refreshed.
      const signed = aws4.sign(
        {
          host: url.host,
          path: url.pathname,
          method: 'POST',
          service: spec.service,
          region,
          body,
          headers: { 'Content-Type': `application/x-amz-json-${spec.jsonVersion}`, 'X-Amz-Target': `${spec.targetPrefix}.${action}` },
        },
        { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) },
      ) as aws4.Request & { headers: Record<string, string> };
      let answer: { status: number; text: string };
      try {
        answer = await send(url, signed, body);
      } catch (err) {
        return { value: { ok: false, error: err as Error }, retry: true };
      }
      const { status, text } = answer;
      if (status >= 200 && status < 300) return { value: { ok: true, value: (text ? JSON.parse(text) : {}) as T }, retry: false };
      const error = apiError(status, text);
      const throttled = status === 429 || /Throttl|RequestThrottled|TooManyRequests/.test(error.code);
      return { value: { ok: false, error }, retry: status >= 500 || throttled };
    };
    const { value } = await retry(attempt, { maxAttempts: ATTEMPTS, backoffMs: exponentialBackoff({ baseMs: 100, capMs: 1_000, jitter: 'equal' }) });
    if (value.ok) return value.value;
    throw value.error;
  };
}
