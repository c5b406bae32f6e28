// What to say about a caught value, in one place: anything can be thrown, and fetch hides the real cause
// (ECONNREFUSED, a timeout) one level down.

/** The message of an Error, or the thrown value as text (a string, a rejected non-Error). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message with the error's class, for errors nobody expected (a TypeError in a rule is not a RangeError). */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Why a fetch (or a node:http request) failed: 'timed out', or the socket error's code and message (fetch
 * wraps it in `cause`).
 * With `codeOnly` the message is left out: undici's messages can carry the address, and for some URLs
 * (a Slack webhook) the path is the secret.
 */
export function fetchProblem(err: unknown, options: { codeOnly?: boolean } = {}): string {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; code?: unknown; cause?: { name?: unknown; message?: unknown; code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  if (options.codeOnly) return code ? `network error ${code}` : `network error (${name})`;
  const cause = e.cause;
  if (cause) return `${code ?? String(cause.name)}: ${String(cause.message)}`;
  // node:http's own socket errors carry the code themselves.
  if (code) return `${code}: ${String(e.message)}`;
  return `${name}: ${String(e.message)}`;
}
