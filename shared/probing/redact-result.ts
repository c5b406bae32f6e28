// The last line of defence for secrets in probe results: every value a probe resolved through its secret
// resolver (a PostgreSQL password, a bearer token, a step's variables_from) is redacted from every text of
// its result — message, steps, --debug request/responses/log/excerpt, values — in every encoded form, even
// when a server echoed it back in an error message the prober could not know held it.
import type { SecretResolver } from '../config/index.js';
import { redactSecrets } from '../observability/redact.js';
import type { ProbeResult } from './types.js';

/** A resolver that remembers what it handed out. */
export interface RecordingResolver extends SecretResolver {
  readonly values: ReadonlySet<string>;
}

export function recordingResolver(inner: SecretResolver): RecordingResolver {
  const values = new Set<string>();
  return {
    values,
    async resolve(ref: string): Promise<string> {
      const value = await inner.resolve(ref);
      values.add(value);
      return value;
    },
  };
}

function redactDeep(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, secrets);
    return out;
  }
  return value;
}

/** The result with every resolved secret redacted; the same object when the probe resolved none. */
export function redactResult(result: ProbeResult, secrets: ReadonlySet<string>): ProbeResult {
  if (secrets.size === 0) return result;
  return redactDeep(result, secrets) as ProbeResult;
}
