// The one place that talks HTTP to VictoriaMetrics: every request carries the auth header and a timeout,
// and every failure names the endpoint without credentials or query string.
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
}

/** Sends one request to `url` (an endpoint of `conn`); network errors and timeouts throw QueryError('unreachable'). */
export async function vmFetch(conn: VmConnection, url: URL, request: VmRequest = {}): Promise<VmResponse> {
  try {
    // Node's built-in fetch (undici inside Node): no HTTP client in the Lambda bundle.
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      ...(request.body !== undefined ? { body: request.body } : {}),
      headers: { ...request.headers, ...vmAuthHeaders(conn.auth, conn.url) },
      signal: AbortSignal.timeout(Math.max(1, Math.floor(request.timeoutMs ?? conn.timeoutMs ?? 10_000))),
    });
    return { status: response.status, text: await response.text() };
  } catch (err) {
    throw new QueryError(`cannot reach VictoriaMetrics at ${redactUrl(url)}: ${fetchProblem(err)}`, 'unreachable');
  }
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
