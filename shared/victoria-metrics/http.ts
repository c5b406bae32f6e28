// The one place that talks HTTP to VictoriaMetrics: every request carries the auth header and a timeout,
// and every failure names the endpoint without credentials or query string.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fetchProblem } from '../observability/error-message.js';
import { redactSecrets, vmAuthHeaders, type VmConnection } from './auth.js';
import { redactUrl } from './url.js';

export class QueryError extends Error {
  constructor(
    message: string,
    /** bad_query: the expression's fault (400/422); unreachable: no answer; server: any other answer. */
    readonly kind: 'bad_query' | 'unreachable' | 'server',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface VmResponse {
  status: number;
  text: string;
}

export interface VmRequest {
  method?: 'GET' | 'POST';
  body?: Buffer | string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** A longer answer fails the request (default 256 MiB: exports for reports are the largest). */
  maxResponseBytes?: number;
}

const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * Sends one request to `url` (an endpoint of `conn`); network errors and timeouts throw QueryError('unreachable').
 * node:http(s), not fetch: no HTTP client in the Lambda bundle either way, but Node loads its fetch (undici)
 * on the first call, which costs a probe cold start ~55 ms of CPU for its first write (node:http is loaded
 * already). Redirects are not followed (VictoriaMetrics and vmauth answer without them).
 */
export function vmFetch(conn: VmConnection, url: URL, request: VmRequest = {}): Promise<VmResponse> {
  const body = request.body;
  const headers: Record<string, string> = { ...request.headers, ...vmAuthHeaders(conn.auth, conn.url) };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<VmResponse>((resolve, reject) => {
    const fail = (err: unknown) => reject(new QueryError(`cannot reach VictoriaMetrics at ${redactUrl(url)}: ${fetchProblem(err)}`, 'unreachable'));
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(request.timeoutMs ?? conn.timeoutMs ?? 10_000)));
    const req = send(url, { method: request.method ?? 'GET', headers, signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      const max = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) req.destroy(new Error(`answer longer than ${max} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * VictoriaMetrics' own words for a failed request: the `error` of its JSON answer, else the start of the
 * text; never the connection's secrets.
 */
export function vmErrorDetail(text: string, conn: Pick<VmConnection, 'url' | 'auth'>, max = 500): string {
  let detail = text.trim().slice(0, max);
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === 'string') detail = error;
  } catch {
    // not JSON (a proxy's page, a plain-text error): keep the text
  }
  return redactSecrets(detail, conn);
}
