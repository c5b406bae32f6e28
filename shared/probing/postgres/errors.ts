// What a pg error means for the probe. Server errors carry an SQLSTATE; during the connection an
// authentication class error (28xxx) or an unknown database (3D000) is "auth" — both mean the credentials
// or the target's settings are wrong, not that the server is down — and any other server error while
// connecting (too many clients, starting up, shutting down) means the server turned the connection away.
// After the connection, every server error is "query", except a statement_timeout cancel ("timeout").
// Server messages name the user or the database, never the password.
import { classifyError, ProbeFailure } from '../failure.js';
import type { FailureReason } from '../types.js';
import { errorMessage } from '../../observability/error-message.js';

/** pg's message when the server answers an SSLRequest with 'N'. */
export const SSL_NOT_SUPPORTED = 'The server does not support SSL connections';

export function isSslRefused(err: unknown): boolean {
  return err instanceof Error && err.message === SSL_NOT_SUPPORTED;
}

export function classifyPgError(err: unknown, stage: 'connect' | 'tls' | 'query'): { reason: FailureReason; message: string } {
  if (err instanceof ProbeFailure) return { reason: err.reason, message: err.message };
  // pg's DatabaseError, told by shape: the prober loads pg only when a PostgreSQL target runs.
  if (isDatabaseError(err)) {
    const text = `${err.message} (SQLSTATE ${err.code})`;
    if (stage !== 'query') {
      if (err.code.startsWith('28')) return { reason: 'auth', message: `authentication failed: ${text}` };
      if (err.code === '3D000') return { reason: 'auth', message: text };
      return { reason: 'refused', message: `server refused the connection: ${text}` };
    }
    if (err.code === '57014') return { reason: 'timeout', message: `query cancelled by statement_timeout: ${text}` };
    return { reason: 'query', message: `query failed: ${text}` };
  }
  const message = errorMessage(err);
  // pg's own errors have no code; recognise the ones that matter by their fixed text.
  if (/^SASL: /.test(message)) return { reason: 'auth', message: `authentication failed: ${message}` };
  if (/^Connection terminated/.test(message)) {
    return { reason: 'reset', message: 'server closed the connection unexpectedly' };
  }
  if (message === 'There was an error establishing an SSL connection') return { reason: 'tls_handshake', message };
  if (message === 'timeout expired') return { reason: stage === 'query' ? 'timeout' : 'connect_timeout', message: 'timed out' };
  return classifyError(err, stage === 'query' ? 'exchange' : stage);
}

function isDatabaseError(err: unknown): err is Error & { code: string; severity?: string } {
  return err instanceof Error && err.name === 'error' && typeof (err as { code?: unknown }).code === 'string' && 'severity' in err;
}
