// Writing: one batch of Prometheus exposition text to the import API, gzip-compressed. What an answer means:
//   2xx                      written (VictoriaMetrics answers 204 even when it drops lines: callers check
//                            samples before, storage/exposition.ts, and tests read back);
//   400, 422                 rejected: VictoriaMetrics (or vmauth) says the batch is malformed; no retry helps;
//   408, 429, 5xx, no answer retried now (exponential backoff, full jitter) while the circuit and the
//                            deadline allow, then kept (spooled) for a later run;
//   any other 4xx            kept for later without retrying now: 401/403 (credentials, vmauth's rules),
//                            404/405 (a URL or proxy being fixed), 413 (a proxy's limit) change by a fix,
//                            not by hammering — and a later run replays the batch once they do.
// A circuit shared by a run's writes stops retrying a VictoriaMetrics that has failed for a few seconds: the
// rest of the run's batches go to the spool at once, with time left for it (write-circuit.ts).
import { gzipSync } from 'node:zlib';
import { exponentialBackoff, retry, type AttemptOutcome } from '../async/retry.js';
import type { VmConnection } from './auth.js';
import { QueryError, vmErrorDetail, vmFetch } from './http.js';
import { importUrl, redactUrl, vmEndpoint } from './url.js';
import type { WriteCircuit } from './write-circuit.js';

export interface WriteBatchOptions {
  /** Epoch ms after which no attempt may start or run. */
  deadlineMs: number;
  /** Upper bound for one attempt (default 5 s: VictoriaMetrics takes a batch in milliseconds). */
  attemptTimeoutMs?: number;
  /** Shared by the writes of a run: once open, no attempt is made and the batch is kept for later. */
  circuit?: WriteCircuit;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** For tests: deterministic jitter and no real sleeping. */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type WriteBatchResult =
  | { ok: true; attempts: number }
  /** retriable: keep the batch and write it later (spool); false only for a rejection (400, 422). */
  | { ok: false; retriable: boolean; attempts: number; status?: number; message: string };

/** Whether an answer may change on an immediate retry: timeout (408), overload (429) and server errors. */
export function retriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** VictoriaMetrics' (and vmauth's) answers to a malformed request: the only final refusals of a write. */
export function rejectedStatus(status: number): boolean {
  return status === 400 || status === 422;
}

/**
 * vmauth (1.79) answers an unknown bearer token with 400 "cannot find the provided auth token …": a credential
 * a person fixes, like a 401, not a malformed batch — the batch is kept for later, not set aside.
 */
export function credentialRefusal(status: number, text: string): boolean {
  return status === 400 && /cannot find the provided auth token|missing authorization|unauthorized/i.test(text);
}

/** The default upper bound of one write attempt. */
export const WRITE_ATTEMPT_TIMEOUT_MS = 5_000;

/** Sends exposition text (already gzip-compressed or not) and reports what happened; never throws. */
export async function writeBatch(body: string | Buffer, conn: VmConnection, options: WriteBatchOptions): Promise<WriteBatchResult> {
  const url = importUrl(conn.url);
  const payload = typeof body === 'string' ? gzipSync(body) : body;
  const now = options.now ?? Date.now;
  const circuit = options.circuit;
  if (now() >= options.deadlineMs) return { ok: false, retriable: true, attempts: 0, message: 'deadline reached before the first attempt' };
  if (circuit?.isOpen(now())) return { ok: false, retriable: true, attempts: 0, message: circuit.reason() };
  const attempt = async (attempts: number): Promise<AttemptOutcome<WriteBatchResult>> => {
    const started = now();
    if (attempts > 1 && circuit?.isOpen(started)) return { value: { ok: false, retriable: true, attempts: attempts - 1, message: circuit.reason() }, retry: false };
    const timeoutMs = Math.min(options.attemptTimeoutMs ?? WRITE_ATTEMPT_TIMEOUT_MS, options.deadlineMs - started);
    let outcome: AttemptOutcome<WriteBatchResult>;
    try {
      const { status, text } = await vmFetch(conn, url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        timeoutMs,
        maxResponseBytes: 64 * 1024,
      });
      if (status >= 200 && status < 300) {
        circuit?.succeeded();
        return { value: { ok: true, attempts }, retry: false };
      }
      const message = `VictoriaMetrics at ${redactUrl(url)} answered ${status}: ${vmErrorDetail(text, conn)}`;
      if (rejectedStatus(status) && !credentialRefusal(status, text)) {
        // VictoriaMetrics is up and answering: a rejection says nothing against the next batch.
        circuit?.succeeded();
        return { value: { ok: false, retriable: false, attempts, status, message }, retry: false };
      }
      const retryNow = retriableStatus(status) && !credentialRefusal(status, text);
      circuit?.failed(started, message, { now: !retryNow });
      outcome = { value: { ok: false, retriable: true, attempts, status, message }, retry: retryNow };
    } catch (err) {
      const message = (err as QueryError).message;
      circuit?.failed(started, message);
      outcome = { value: { ok: false, retriable: true, attempts, message }, retry: true };
    }
    // The circuit's budget is spent: no wait for an attempt that would not be made.
    if (outcome.retry && circuit && now() >= circuit.retryUntil(now())) outcome.retry = false;
    return outcome;
  };
  const { value } = await retry(attempt, {
    backoffMs: exponentialBackoff({ baseMs: options.baseBackoffMs ?? 200, capMs: options.maxBackoffMs ?? 2_000, jitter: 'full', ...(options.random ? { random: options.random } : {}) }),
    // No retry after the circuit opens (it opens once VictoriaMetrics has failed for its budget).
    deadlineMs: Math.min(options.deadlineMs, circuit?.retryUntil(now()) ?? Infinity),
    now,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return value;
}

/** POST that must succeed once (tests' set-up, admin calls): any answer but 2xx throws with VictoriaMetrics' message. */
async function postOnce(conn: VmConnection, url: URL, body?: Buffer, headers: Record<string, string> = {}): Promise<void> {
  const { status, text } = await vmFetch(conn, url, { method: 'POST', ...(body ? { body } : {}), headers });
  if (status < 200 || status >= 300) {
    throw new QueryError(`VictoriaMetrics answered ${status} to ${url.pathname}: ${vmErrorDetail(text, conn, 300)}`, rejectedStatus(status) ? 'bad_query' : 'server', status);
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
