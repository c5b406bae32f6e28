// Multi-step HTTP checks (blackbox_exporter has none): each step is an HTTP probe with the http prober's
// semantics, run in order under one shared timeout, its response feeding variables to the steps after it.
// One probe_success for the whole check; each step's HTTP samples carry a `step` label, plus
// probe_http_step_success{step} and probe_http_step_duration_seconds{step}; the failure names the step.
// Secret values (variables_from) and extracted values long enough to be tokens never reach debug output.
import { SecretError, type HttpModule, type StepsModule } from '../../config/index.js';
import { monotonicSeconds } from '../clock.js';
import { ProbeFailure } from '../failure.js';
import { formatDebug } from '../format.js';
import { probeHttpStep } from '../http/probe.js';
import { httpInstance } from '../http/request.js';
import { buildResult } from '../samples.js';
import type { FailureReason, ProbeOptions, ProbeResult, Sample, StepDetails } from '../types.js';
import { extractValue, stepRequest } from './variables.js';
import { redactSecrets } from '../../observability/redact.js';

/** Shorter extracted values (ids, counts) stay readable in --debug; longer ones are treated as tokens. */
const REDACT_EXTRACTED_FROM_LENGTH = 6;
/** Samples that describe the whole check, written once without a step label. */
const CHECK_LEVEL = new Set(['probe_success', 'probe_duration_seconds', 'probe_timeout_seconds', 'probe_failure_info']);
/** Taken from the first step: where the check starts. */
const FROM_FIRST_STEP = ['probe_dns_lookup_time_seconds', 'probe_ip_protocol', 'probe_ip_addr_hash'];

interface StepFailure {
  reason: FailureReason;
  message: string;
  step: string;
}

export async function probeSteps(targetName: string, steps: StepsModule, options: ProbeOptions): Promise<ProbeResult> {
  const timestampMs = Date.now();
  const started = monotonicSeconds();
  const variables = new Map<string, string>();
  const secretValues: string[] = [];
  const stepSamples: Sample[] = [];
  const details: StepDetails[] = [];
  const log: string[] | undefined = options.debug ? [] : undefined;
  const firstStepSamples = new Map<string, number>();
  let failure: StepFailure | undefined;

  for (const [index, step] of steps.entries()) {
    const label = `step "${step.name}" (${index + 1} of ${steps.length})`;
    const remainingMs = options.timeoutMs - (monotonicSeconds() - started) * 1000;
    if (remainingMs <= 0) {
      failure = { reason: 'timeout', message: `${label} not started: the check's ${options.timeoutMs} ms timeout is used up`, step: step.name };
      break;
    }
    try {
      for (const [name, ref] of Object.entries(step.variables_from)) {
        const value = await options.secrets.resolve(ref);
        variables.set(name, value);
        secretValues.push(value);
      }
    } catch (err) {
      const message = err instanceof SecretError || err instanceof ProbeFailure ? err.message : 'a secret could not be resolved';
      failure = { reason: 'secret', message: `${label}: ${message}`, step: step.name };
      break;
    }
    const request = stepRequest(step, variables) as HttpModule;
    const capture = Object.keys(step.extract).length > 0;
    const stepStart = monotonicSeconds();
    const { result, response } = await probeHttpStep(targetName, request, { ...options, timeoutMs: remainingMs }, { secretValues, capture });
    const seconds = monotonicSeconds() - stepStart;
    if (index === 0) for (const sample of result.samples) if (FROM_FIRST_STEP.includes(sample.name)) firstStepSamples.set(sample.name, sample.value);
    for (const sample of result.samples) {
      if (!CHECK_LEVEL.has(sample.name) && !FROM_FIRST_STEP.includes(sample.name)) stepSamples.push({ ...sample, labels: { ...sample.labels, step: step.name } });
    }
    const detail: StepDetails = {
      name: step.name,
      success: result.success,
      reason: result.reason,
      ...(result.message ? { message: result.message } : {}),
      status_code: result.http?.status_code ?? 0,
      url: httpInstance(step.url),
      duration_seconds: seconds,
      extracted: [],
    };
    details.push(detail);
    if (log) appendStepLog(log, label, result);
    if (!result.success) {
      failure = { reason: result.reason ?? 'network', message: `${label}: ${result.message ?? result.reason ?? 'failed'}`, step: step.name };
      break;
    }
    for (const [name, spec] of Object.entries(step.extract)) {
      const extracted = extractValue(spec, response ?? { headers: {}, body: '' });
      if ('error' in extracted) {
        failure = { reason: 'extract', message: `${label}: cannot extract \${${name}}: ${extracted.error}`, step: step.name };
        detail.success = false;
        detail.reason = 'extract';
        detail.message = failure.message;
        break;
      }
      variables.set(name, extracted.value);
      if (extracted.value.length >= REDACT_EXTRACTED_FROM_LENGTH) secretValues.push(extracted.value);
      detail.extracted.push(name);
      log?.push(`    extracted \${${name}} (${extracted.value.length} characters${extracted.value.length >= REDACT_EXTRACTED_FROM_LENGTH ? ', not shown' : `: ${JSON.stringify(extracted.value)}`})`);
    }
    if (failure) break;
  }

  for (const detail of details) {
    stepSamples.push(
      { name: 'probe_http_step_success', labels: { step: detail.name }, value: detail.success ? 1 : 0 },
      { name: 'probe_http_step_duration_seconds', labels: { step: detail.name }, value: detail.duration_seconds },
    );
  }
  const durationSeconds = monotonicSeconds() - started;
  const result = buildResult({
    target: targetName,
    module: 'steps',
    instance: httpInstance((steps[0] as StepsModule[number]).url),
    timestampMs,
    durationSeconds,
    timeoutMs: options.timeoutMs,
    ...(failure ? { failure: { reason: failure.reason, message: scrub(failure.message, secretValues) } } : {}),
    phases: details.map((d) => ({ phase: d.name, seconds: d.duration_seconds })),
    samples: stepSamples,
    extra: { steps: details.map((d) => (d.message ? { ...d, message: scrub(d.message, secretValues) } : d)) },
    ...(log ? { debug: { log: log.map((line) => scrub(line, secretValues)) } } : {}),
  });
  for (const sample of result.samples) {
    const first = firstStepSamples.get(sample.name);
    if (first !== undefined) sample.value = first;
    if (sample.name === 'probe_failure_info' && failure) sample.labels = { ...sample.labels, step: failure.step };
  }
  return result;
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.length === 0 ? text : redactSecrets(text, secrets);
}

/** One step's request, responses, body excerpt and log (formatDebug's text, already scrubbed by the HTTP prober). */
function appendStepLog(log: string[], label: string, result: ProbeResult): void {
  log.push(`=== ${label}: ${result.success ? 'ok' : `FAILED (${result.reason ?? 'unknown'})`}`);
  const text = formatDebug(result);
  if (text) log.push(...text.split('\n'));
}
