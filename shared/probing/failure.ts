// Turning what went wrong into one reason of the fixed vocabulary. Probers throw ProbeFailure where they
// know the reason; errors from sockets, TLS and DNS are classified here, in one place.
import type { FailureReason } from './types.js';

export class ProbeFailure extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason, message: string) {
    super(message);
    this.name = 'ProbeFailure';
    this.reason = reason;
  }
}

const TLS_VERIFY_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/**
 * Classifies a low-level error. `stage` says how far the probe got, so a timeout before the connection is
 * a connect_timeout and after it a timeout.
 */
export function classifyError(err: unknown, stage: 'resolve' | 'connect' | 'tls' | 'exchange'): { reason: FailureReason; message: string } {
  if (err instanceof ProbeFailure) return { reason: err.reason, message: err.message };
  const e = err as NodeJS.ErrnoException & { reason?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return { reason: 'dns', message: `DNS lookup failed (${code})` };
  }
  if (code === 'ECONNREFUSED') return { reason: 'refused', message: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return { reason: stage === 'tls' ? 'tls_handshake' : 'reset', message: `connection reset by peer (${code})` };
  }
  if (TLS_VERIFY_CODES.has(code)) return { reason: 'tls_verify', message: `certificate verification failed: ${code}` };
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /SSL routines|wrong version number|handshake/i.test(message)) {
    return { reason: 'tls_handshake', message: `TLS handshake failed: ${message}` };
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { reason: stage === 'exchange' ? 'timeout' : 'connect_timeout', message: 'timed out' };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return { reason: 'network', message: `network unreachable (${code})` };
  }
  if (stage === 'tls') return { reason: 'tls_handshake', message: `TLS handshake failed: ${message}` };
  return { reason: 'network', message };
}
