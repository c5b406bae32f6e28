// What every prober returns: a result object for people and the samples it would write, named and shaped
// as blackbox_exporter names them so existing dashboards and alert rules keep working.
import type { ModuleName, SecretResolver } from '../config/index.js';

export type Labels = Record<string, string>;

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** Why a probe failed: a small fixed vocabulary, also written as probe_failure_info{reason}. */
export const FAILURE_REASONS = [
  'dns',
  'refused',
  'reset',
  'connect_timeout',
  'timeout',
  'tls_handshake',
  'tls_verify',
  'status_code',
  'http_version',
  'body_regex',
  'header_regex',
  'json_body',
  'body_too_large',
  'decompression',
  /** HTTP: the response head (or trailers) has more lines or bytes than the parser keeps. */
  'headers_too_large',
  /** gRPC, DNS, TCP, PostgreSQL: the peer sent more than the probe reads (see docs/probes.md, limits). */
  'response_too_large',
  /** HTTP/2: a protocol error, or a request HTTP/2 cannot carry. */
  'http2',
  'ssl_required',
  'ssl_forbidden',
  'expect',
  'auth',
  'query',
  'assertion',
  'secret',
  'deadline',
  'network',
  /** DNS: no usable reply (refused, closed, undecodable). */
  'dns_query',
  /** DNS: the reply's rcode is not in valid_rcodes. */
  'dns_rcode',
  /** DNS: a validate_*_rrs rule failed. */
  'dns_records',
  /** gRPC: the call ended with a status other than OK. */
  'grpc_status',
  /** gRPC: the health service answered, but not SERVING. */
  'not_serving',
  /** Multi-step: a variable could not be extracted from a step's response. */
  'extract',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface CertInfo {
  subject: string;
  issuer: string;
  /** Comma-joined DNS names of the subjectAltName, as blackbox writes them. */
  subject_alternative: string;
  serial_number: string;
  fingerprint_sha256: string;
  /** Unix seconds. */
  not_before: number;
  not_after: number;
}

export interface TlsInfo {
  /** "TLS 1.2", "TLS 1.3" */
  version: string;
  /** IANA cipher suite name, e.g. TLS_AES_128_GCM_SHA256 */
  cipher: string;
  /** Whether the chain and host name verified (false also when verification was skipped). */
  verified: boolean;
  /** Why verification failed (OpenSSL/Node code, e.g. CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID). */
  verify_error?: string;
  /** Unix seconds: earliest NotAfter among the certificates the server presented. */
  earliest_cert_expiry: number;
  /** Unix seconds: earliest NotAfter in the chain up to the root (blackbox's last chain expiry). */
  last_chain_expiry: number;
  leaf: CertInfo;
}

export interface PhaseTiming {
  phase: string;
  seconds: number;
}

export interface HttpDetails {
  status_code: number;
  /** "HTTP/1.1" */
  version?: string;
  redirects: number;
  final_url: string;
  content_length: number;
  body_length: number;
  ssl: boolean;
}

export interface DnsDetails {
  /** udp, tcp, or tcp+tls; "udp→tcp" when a truncated UDP reply was retried over TCP. */
  transport: string;
  rcode?: string;
  /** The answer records in miekg/dns text form (as validate_answer_rrs matches them), the first 20. */
  answers?: string[];
  answer_rrs: number;
  authority_rrs: number;
  additional_rrs: number;
  serial?: number;
}

export interface GrpcDetails {
  /** Numeric gRPC status code (0 OK, 5 NOT_FOUND, 12 UNIMPLEMENTED, 14 UNAVAILABLE…). */
  status_code: number;
  /** grpc-message, when the server sent one. */
  status_message?: string;
  /** SERVING, NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN, when the call returned a response. */
  serving_status?: string;
}

export interface StepDetails {
  name: string;
  success: boolean;
  reason: FailureReason | null;
  message?: string;
  status_code: number;
  url: string;
  duration_seconds: number;
  /** Names of the variables this step extracted (values are not kept: they are often credentials). */
  extracted: string[];
}

export interface DebugInfo {
  request?: { method: string; url: string; headers: Record<string, string> };
  responses?: Array<{ url: string; status: number; headers: Record<string, string> }>;
  /** First KiB of the (decompressed) body, or of what a TCP/PostgreSQL peer said. */
  body_excerpt?: string;
  /** Step-by-step log of what the prober did, secrets redacted. */
  log: string[];
}

export interface ProbeResult {
  target: string;
  module: ModuleName;
  /** What was probed: the URL or host:port, never with credentials. */
  instance: string;
  success: boolean;
  reason: FailureReason | null;
  /** Human explanation of the failure, no secrets. */
  message?: string;
  /** Wall-clock start, ms since epoch: the timestamp of every sample of this probe. */
  timestamp_ms: number;
  duration_seconds: number;
  timeout_seconds: number;
  phases: PhaseTiming[];
  /**
   * The phase the probe was still in when it ended (a timeout, a refused connection), for probers whose phase
   * timings give an unfinished phase no time (HTTP and DNS, as blackbox reports them): the waterfall shows the
   * time the phases leave out there. Absent when every phase finished.
   */
  unfinished_phase?: string;
  http?: HttpDetails;
  tls?: TlsInfo;
  postgres?: { server_version?: string; value?: string };
  dns?: DnsDetails;
  grpc?: GrpcDetails;
  /** Multi-step checks: one entry per step that ran, in order. */
  steps?: StepDetails[];
  samples: Sample[];
  debug?: DebugInfo;
}

export interface ProbeOptions {
  /** Hard limit for this probe. */
  timeoutMs: number;
  /** Aborted when the whole run reaches its deadline: the probe ends with reason "deadline". */
  signal?: AbortSignal;
  /** Collect request/response headers, a body excerpt and a step log in result.debug. */
  debug?: boolean;
  secrets: SecretResolver;
}
