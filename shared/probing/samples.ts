// Assembling a ProbeResult: the samples every prober writes (probe_success, durations, address, reason)
// are built here once, so the HTTP, TCP and PostgreSQL probers only add their own.
import type { ModuleName } from '../config/index.js';
import { ipAddressHash, type Resolved } from './resolve.js';
import type { DebugInfo, FailureReason, Labels, PhaseTiming, ProbeResult, Sample } from './types.js';

export interface ProbeOutcome {
  target: string;
  module: ModuleName;
  instance: string;
  timestampMs: number;
  durationSeconds: number;
  timeoutMs: number;
  resolved?: Resolved;
  failure?: { reason: FailureReason; message: string };
  /** Phase label → seconds, in the order they should print; written as the module's duration metric. */
  phases: PhaseTiming[];
  /** The phase still running when the probe ended, when `phases` gives it no time (see ProbeResult). */
  unfinishedPhase?: string;
  /** Metric name for phases, e.g. probe_http_duration_seconds. */
  phaseMetric?: string;
  samples: Sample[];
  extra?: Pick<ProbeResult, 'http' | 'tls' | 'postgres' | 'dns' | 'grpc' | 'steps'>;
  debug?: DebugInfo;
}

/**
 * One label object for every sample without labels, and one per phase: a run of 10 000 targets holds ~18
 * samples each until they are written, and an empty object per sample was a fifth of that memory. Frozen:
 * labels are never changed in place (label-samples.ts copies them), and this keeps it so.
 */
export const NO_LABELS: Labels = Object.freeze({});
const phaseLabels = new Map<string, Labels>();

function labelsForPhase(phase: string): Labels {
  let labels = phaseLabels.get(phase);
  if (!labels) {
    labels = Object.freeze({ phase });
    phaseLabels.set(phase, labels);
  }
  return labels;
}

/** Messages are bounded: a label value stays short, whatever a peer sent (VictoriaMetrics truncates at 16 KiB silently). */
const MESSAGE_LABEL_MAX = 240;

function messageLabel(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  return chars.length <= MESSAGE_LABEL_MAX ? oneLine : `${chars.slice(0, MESSAGE_LABEL_MAX - 1).join('')}…`;
}

export function buildResult(outcome: ProbeOutcome): ProbeResult {
  const success = outcome.failure === undefined;
  const samples: Sample[] = [
    { name: 'probe_success', labels: NO_LABELS, value: success ? 1 : 0 },
    { name: 'probe_duration_seconds', labels: NO_LABELS, value: outcome.durationSeconds },
    { name: 'probe_timeout_seconds', labels: NO_LABELS, value: outcome.timeoutMs / 1000 },
  ];
  // As blackbox: when resolution failed the address series still exist, with protocol and hash 0.
  samples.push(
    { name: 'probe_dns_lookup_time_seconds', labels: NO_LABELS, value: outcome.resolved?.seconds ?? 0 },
    { name: 'probe_ip_protocol', labels: NO_LABELS, value: outcome.resolved?.family ?? 0 },
    { name: 'probe_ip_addr_hash', labels: NO_LABELS, value: outcome.resolved ? ipAddressHash(outcome.resolved.address) : 0 },
  );
  if (outcome.phaseMetric) {
    for (const { phase, seconds } of outcome.phases) {
      samples.push({ name: outcome.phaseMetric, labels: labelsForPhase(phase), value: seconds });
    }
  }
  samples.push(...outcome.samples);
  if (outcome.failure) {
    samples.push({ name: 'probe_failure_info', labels: { reason: outcome.failure.reason }, value: 1 });
    // The message `periscope probe` prints, for the pages on-call reads (a series of its own, so
    // probe_failure_info{reason} keeps its labels for dashboards and rules).
    samples.push({ name: 'probe_failure_message_info', labels: { reason: outcome.failure.reason, message: messageLabel(outcome.failure.message) }, value: 1 });
  }
  return {
    target: outcome.target,
    module: outcome.module,
    instance: outcome.instance,
    success,
    reason: outcome.failure?.reason ?? null,
    ...(outcome.failure ? { message: outcome.failure.message } : {}),
    timestamp_ms: outcome.timestampMs,
    duration_seconds: outcome.durationSeconds,
    timeout_seconds: outcome.timeoutMs / 1000,
    phases: outcome.phases,
    ...(outcome.unfinishedPhase ? { unfinished_phase: outcome.unfinishedPhase } : {}),
    ...outcome.extra,
    samples,
    ...(outcome.debug ? { debug: outcome.debug } : {}),
  };
}
