// Writing: one batch of Prometheus exposition text to the import API, gzip-compressed, with network errors,
// 429 and 5xx retried (exponential backoff, full jitter) while the deadline allows; any other 4xx is final
// (retrying a malformed batch cannot help). VictoriaMetrics answers 204 even when it drops lines: callers
// check samples before (storage/exposition.ts) and tests read back.
import { gzipSync } from 'node:zlib';
import { exponentialBackoff, retry, type AttemptOutcome } from '../async/retry.js';
import type { VmConnection } from './auth.js';
import { QueryError, vmErrorDetail, vmFetch } from './http.js';
import { importUrl, redactUrl, vmEndpoint } from './url.js';

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
  sleep?: (ms: number) => Promise<void>;
}

export type WriteBatchResult =
  | { ok: true; attempts: number }
  | { ok: false; retriable: boolean; attempts: number; status?: number; message: string };

/** Whether an answer may change on a retry: overload (429) and server errors may, other 4xx do not. */
export function retriableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Sends exposition text (already gzip-compressed or not) and reports what happened; never throws. */
export async function writeBatch(body: string | Buffer, conn: VmConnection, options: WriteBatchOptions): Promise<WriteBatchResult> {
  const url = importUrl(conn.url);
  const payload = typeof body === 'string' ? gzipSync(body) : body;
  const now = options.now ?? Date.now;
  if (now() >= options.deadlineMs) return { ok: false, retriable: true, attempts: 0, message: 'deadline reached before the first attempt' };
  const attempt = async (attempts: number): Promise<AttemptOutcome<WriteBatchResult>> => {
    const timeoutMs = Math.min(options.attemptTimeoutMs ?? 10_000, options.deadlineMs - now());
    try {
      const { status, text } = await vmFetch(conn, url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        timeoutMs,
      });
      if (status >= 200 && status < 300) return { value: { ok: true, attempts }, retry: false };
      const retriable = retriableStatus(status);
      const message = `VictoriaMetrics at ${redactUrl(url)} answered ${status}: ${vmErrorDetail(text, conn)}`;
      return { value: { ok: false, retriable, attempts, status, message }, retry: retriable };
    } catch (err) {
      return { value: { ok: false, retriable: true, attempts, message: (err as QueryError).message }, retry: true };
    }
  };
  const { value } = await retry(attempt, {
    backoffMs: exponentialBackoff({ baseMs: options.baseBackoffMs ?? 200, capMs: options.maxBackoffMs ?? 5_000, jitter: 'full', ...(options.random ? { random: options.random } : {}) }),
    deadlineMs: options.deadlineMs,
    now,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return value;
}

/** POST that must succeed once (tests' set-up, admin calls): any answer but 2xx throws with VictoriaMetrics' message. */
async function postOnce(conn: VmConnection, url: URL, body?: Buffer, headers: Record<string, string> = {}): Promise<void> {
  const { status, text } = await vmFetch(conn, url, { method: 'POST', ...(body ? { body } : {}), headers });
  if (status < 200 || status >= 300) {
    throw new QueryError(`VictoriaMetrics answered ${status} to ${url.pathname}: ${vmErrorDetail(text, conn, 300)}`, retriableStatus(status) ? 'server' : 'bad_query', status);
  }
}

/**
 * A Prometheus remote-write body (snappy-framed protobuf) to /api/v1/write: the one way to give
 * VictoriaMetrics a staleness marker, which its import APIs drop. Not retried: its one user is the rule
 * unit tests, against a VictoriaMetrics of their own.
 */
export function remoteWrite(conn: VmConnection, snappyBody: Buffer): Promise<void> {
  return postOnce(conn, vmEndpoint(conn.url, '/api/v1/write'), snappyBody, { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' });
}

/** Deletes every series matching the selector (the rule unit tests start each test from nothing). */
export function deleteSeries(conn: VmConnection, match: string): Promise<void> {
  return postOnce(conn, vmEndpoint(conn.url, '/api/v1/admin/tsdb/delete_series', new URLSearchParams({ 'match[]': match })));
}
