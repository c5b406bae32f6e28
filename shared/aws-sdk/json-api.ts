// AWS JSON-protocol calls (SQS, SSM) signed with SigV4 by `aws4`, over node:https. The probe needs four SQS
// actions and one SSM action; the SDK v3 clients for them were 435 KiB of a 753 KiB bundle and most of its
// load time, while `aws4` (zero dependencies, the signer behind many AWS tools) is a few KiB. Credentials come
// from the environment, as Lambda provides them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
// AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL point a service elsewhere, as for the SDK.
// Every attempt has a connect timeout and an overall timeout (an endpoint that accepts and never answers, as
// in a VPC without a route to the service, fails the attempt instead of holding it), and the answer is bounded.
import aws4 from 'aws4';
import { exponentialBackoff, retry, type AttemptOutcome } from '../async/retry.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AWS_TIMEOUTS } from './timeouts.js';

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

/** Per call: a signal that abandons it (the caller's deadline); no new attempt starts after it fired. */
export interface AwsCallOptions {
  signal?: AbortSignal;
}

export type AwsJsonCall = <T>(action: string, input: Record<string, unknown>, options?: AwsCallOptions) => Promise<T>;

export interface AwsJsonTimeouts {
  /** TCP (and TLS) connection established within this. */
  connectMs: number;
  /** One attempt, connection to last byte of the answer. */
  requestMs: number;
  attempts: number;
}

/** SQS answers at most 10 messages of 256 KiB (base64 in JSON): far below this. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** The endpoint of `service`: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the regional one. */
export function endpointFor(service: string, env: NodeJS.ProcessEnv, region: string): URL {
  const override = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL;
  return new URL(override ?? `https://${service}.${region}.amazonaws.com/`);
}

function send(url: URL, options: aws4.Request & { headers: Record<string, string> }, body: string, timeouts: AwsJsonTimeouts, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const attemptSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeouts.requestMs)]) : AbortSignal.timeout(timeouts.requestMs);
    const req = request(
      { protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, method: 'POST', path: options.path, headers: options.headers, signal: attemptSignal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The overall timeout covers the connection too; this one says which part failed, and sooner.
    const connectTimer = setTimeout(() => req.destroy(new Error(`no connection to ${url.host} within ${timeouts.connectMs} ms`)), timeouts.connectMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      reject(attemptSignal.aborted && !signal?.aborted ? new Error(`no answer from ${url.host} within ${timeouts.requestMs} ms`) : err);
    });
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

/**
 * A caller for one service. Throttling, 5xx, network errors and timeouts are retried (AWS_TIMEOUTS.attempts in
 * all) with jittered backoff; a call therefore ends within about attempts × requestMs + 1.5 s, or at its signal.
 */
export function createAwsJsonCall(spec: AwsJsonService, env: NodeJS.ProcessEnv = process.env, timeouts: AwsJsonTimeouts = AWS_TIMEOUTS): AwsJsonCall {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const url = endpointFor(spec.service, env, region);
  return async <T>(action: string, input: Record<string, unknown>, options: AwsCallOptions = {}): Promise<T> => {
    const body = JSON.stringify(input);
    const attempt = async (): Promise<AttemptOutcome<{ ok: true; value: T } | { ok: false; error: Error }>> => {
      if (options.signal?.aborted) return { value: { ok: false, error: new Error(`${spec.service} ${action}: abandoned (${String(options.signal.reason)})`) }, retry: false };
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
        answer = await send(url, signed, body, timeouts, options.signal);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        return { value: { ok: false, error: new Error(`${spec.service} ${action}: ${error.message}`, { cause: error }) }, retry: !options.signal?.aborted };
      }
      const { status, text } = answer;
      if (status >= 200 && status < 300) {
        try {
          return { value: { ok: true, value: (text ? JSON.parse(text) : {}) as T }, retry: false };
        } catch {
          return { value: { ok: false, error: new AwsApiError('InvalidAnswer', `${spec.service} ${action}: answer is not JSON`, status) }, retry: true };
        }
      }
      const error = apiError(status, text);
      const throttled = status === 429 || /Throttl|RequestThrottled|TooManyRequests/.test(error.code);
      return { value: { ok: false, error }, retry: status >= 500 || throttled };
    };
    const { value } = await retry(attempt, { maxAttempts: timeouts.attempts, backoffMs: exponentialBackoff({ baseMs: 100, capMs: 1_000, jitter: 'equal' }) });
    if (value.ok) return value.value;
    throw value.error;
  };
}
