// Failure reasons in words: a short phrase per reason for the UI (when a probe wrote no message), and the
// three words a customer reads on the status page — never the reason code itself.
import type { FailureReason } from '../probing/types.js';

const PHRASES: Record<FailureReason, string> = {
  dns: 'name does not resolve',
  refused: 'connection refused',
  reset: 'connection reset',
  connect_timeout: 'timed out connecting',
  timeout: 'timed out',
  tls_handshake: 'TLS handshake failed',
  tls_verify: 'certificate not trusted',
  status_code: 'unexpected status code',
  http_version: 'unexpected HTTP version',
  body_regex: 'body check failed',
  header_regex: 'header check failed',
  json_body: 'JSON body check failed',
  body_too_large: 'body too large',
  headers_too_large: 'response headers too large',
  response_too_large: 'response too large',
  http2: 'HTTP/2 error',
  decompression: 'body does not decompress',
  ssl_required: 'no TLS where required',
  ssl_forbidden: 'TLS where forbidden',
  expect: 'expected reply not received',
  auth: 'authentication failed',
  query: 'query failed',
  assertion: 'query result check failed',
  secret: 'a secret could not be read',
  deadline: 'no time left in the run',
  network: 'network error',
  dns_query: 'no usable DNS reply',
  dns_rcode: 'unexpected DNS response code',
  dns_records: 'DNS records check failed',
  grpc_status: 'gRPC call failed',
  not_serving: 'service not serving',
  extract: 'a step value could not be extracted',
};

/** A short phrase for a reason code ("status_code" → "unexpected status code"); unknown codes as they are. */
export function reasonPhrase(reason: string): string {
  return (PHRASES as Record<string, string>)[reason] ?? reason.replace(/_/g, ' ');
}

const NOT_RESPONDING = new Set(['dns', 'refused', 'reset', 'connect_timeout', 'timeout', 'network', 'deadline', 'dns_query']);
const SECURE = new Set(['tls_handshake', 'tls_verify', 'ssl_required', 'ssl_forbidden']);

/** What a customer reads for a failing service. */
export type PublicProblem = 'Not responding' | 'Secure connection failing' | 'Errors';

export function publicProblem(reason: string | undefined): PublicProblem {
  if (reason && NOT_RESPONDING.has(reason)) return 'Not responding';
  if (reason && SECURE.has(reason)) return 'Secure connection failing';
  return 'Errors';
}
