// The last line of defence for secrets in probe results: every value a probe resolved through its secret
// resolver (a PostgreSQL password, a bearer token, a step's variables_from) is redacted from the free text of
// its result — message, steps, --debug request/responses/log/excerpt, values — in every encoded form, even
// when a server echoed it back in an error message the prober could not know held it.
import type { SecretResolver } from '../config/index.js';
import { redactSecrets } from '../observability/redact.js';
import type { ProbeResult } from './types.js';

/** The sample whose `message` label is the failure's free text (written so the UI can show what the CLI prints). */
const FAILURE_MESSAGE_SAMPLE = 'probe_failure_message_info';

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

/**
 * The result with every resolved secret redacted from its free text: the message, the steps' messages,
 * --debug, the values a server returned (PostgreSQL's first value, gRPC's status message, the final URL).
 * Names, reasons and labels are from the configuration or a fixed vocabulary and are left as they are (a
 * one-letter secret must not turn "status_code" into something else), except the one label that carries free
 * text into VictoriaMetrics: probe_failure_message_info's message. The same object when there is none.
 */
export function redactResult(result: ProbeResult, secrets: ReadonlySet<string>): ProbeResult {
  if (secrets.size === 0) return result;
  const text = (value: string): string => redactSecrets(value, secrets);
  return {
    ...result,
    ...(result.message !== undefined ? { message: text(result.message) } : {}),
    ...(result.steps ? { steps: result.steps.map((step) => (step.message !== undefined ? { ...step, message: text(step.message) } : step)) } : {}),
    ...(result.debug ? { debug: redactDeep(result.debug, secrets) as ProbeResult['debug'] } : {}),
    ...(result.postgres ? { postgres: redactDeep(result.postgres, secrets) as ProbeResult['postgres'] } : {}),
    ...(result.grpc?.status_message !== undefined ? { grpc: { ...result.grpc, status_message: text(result.grpc.status_message) } } : {}),
    ...(result.http ? { http: { ...result.http, final_url: text(result.http.final_url) } } : {}),
    samples: result.samples.map((sample) =>
      sample.name === FAILURE_MESSAGE_SAMPLE && sample.labels.message !== undefined ? { ...sample, labels: { ...sample.labels, message: text(sample.labels.message) } } : sample,
    ),
  };
}
