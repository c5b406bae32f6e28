// One batch to VictoriaMetrics: gzip, POST, retry network errors and 5xx with exponential backoff and full
// jitter while the invocation has time left; 4xx is final (retrying a malformed batch cannot help).
import { gzipSync } from 'node:zlib';
import { importUrl, redactUrl } from './vm-url.js';

export type VmAuth = { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

export interface VmWriteConfig {
  url: string;
  auth?: VmAuth;
}

export interface WriteBatchOptions {
  /** Epoch ms after which no attempt may start or run. */
  deadlineMs: number;
  /** Upper bound for one attempt. */
  attemptTimeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** For tests: deterministic jitter and no real sleeping. */
  random?: () => number;
  now?: () => number;
}

export type WriteBatchResult =
  | { ok: true; attempts: number }
  | { ok: false; retriable: boolean; attempts: number; status?: number; message: string };

/** The Authorization header for VictoriaMetrics (or vmauth in front of it), for writes and queries alike. */
export function vmAuthHeaders(auth: VmAuth | undefined): Record<string, string> {
  if (!auth) return {};
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** fetch wraps the socket error in `cause`: name what really happened (ECONNREFUSED, a timeout). */
export function fetchProblem(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  const cause = e.cause;
  return cause ? `${cause.code ?? cause.name}: ${cause.message}` : `${e.name}: ${e.message}`;
}

/** Sends exposition text (already gzip-compressed or not) and reports what happened; never throws. */
export async function writeBatch(body: string | Buffer, config: VmWriteConfig, options: WriteBatchOptions): Promise<WriteBatchResult> {
  const url = importUrl(config.url);
  const payload = typeof body === 'string' ? gzipSync(body) : body;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const base = options.baseBackoffMs ?? 200;
  const cap = options.maxBackoffMs ?? 5_000;
  let attempts = 0;
  let last: WriteBatchResult = { ok: false, retriable: true, attempts: 0, message: 'deadline reached before the first attempt' };
  while (now() < options.deadlineMs) {
    attempts++;
    const timeout = Math.max(1, Math.floor(Math.min(options.attemptTimeoutMs ?? 10_000, options.deadlineMs - now())));
    try {
      // Node's built-in fetch (undici inside Node): no HTTP client in the Lambda bundle.
      const response = await fetch(url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip', ...vmAuthHeaders(config.auth) },
        signal: AbortSignal.timeout(timeout),
      });
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) return { ok: true, attempts };
      const message = `VictoriaMetrics at ${redactUrl(url)} answered ${response.status}: ${text.trim().slice(0, 500)}`;
      if (response.status < 500 && response.status !== 429) {
        return { ok: false, retriable: false, attempts, status: response.status, message };
      }
      last = { ok: false, retriable: true, attempts, status: response.status, message };
    } catch (err) {
      last = { ok: false, retriable: true, attempts, message: `cannot reach VictoriaMetrics at ${redactUrl(url)}: ${fetchProblem(err)}` };
    }
    const backoff = Math.floor(random() * Math.min(cap, base * 2 ** (attempts - 1)));
    if (now() + backoff >= options.deadlineMs) break;
    await sleep(backoff);
  }
  return { ...last, attempts };
}
