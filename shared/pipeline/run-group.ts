// One scheduled run of a group — the probe Lambda's whole job, and the local run's per tick:
// replay the spool (while probing), probe every target before the deadline, write, spool what fails,
// report self-metrics and return a summary. Nothing a dependency does ends a run early: the spool's failures are
// contained (run-spool.ts), VictoriaMetrics' behind a circuit (run-writes.ts), and `Runs`, which the
// probes-stopped alarms count, is reported whatever happened (a discovery group that cannot discover included).
import type { GroupSpec, SecretResolver, TargetsFile } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { failureCount, intervalDimension, RUNS_DIMENSIONS, SPOOL_FAILURES_DIMENSIONS, type MetricsSink, type SelfMetric } from '../observability/metrics.js';
import type { ProbeResult } from '../probing/index.js';
import type { Spool } from '../storage/spool.js';
import { replaySpool, writeSamples, type WriteSamplesResult } from '../storage/write-samples.js';
import type { VmWriteConfig } from '../victoria-metrics/index.js';
import type { TimedSample } from '../storage/exposition.js';
import type { Discover } from '../discovery/index.js';
import { labelSamples, type RunIdentity } from './label-samples.js';
import { probeGroup } from './probe-group.js';
import { errorMessage } from '../observability/error-message.js';
import { planRunWrites } from './run-writes.js';

export interface RunGroupDeps {
  file: TargetsFile;
  group: GroupSpec;
  identity: Omit<RunIdentity, 'group'>;
  vm: VmWriteConfig;
  spool: Spool;
  /** Where batches go when the spool fails (in Lambda: a file spool in /tmp, replayed by the container's next run). */
  fallbackSpool?: Spool;
  secrets: SecretResolver;
  metrics: MetricsSink;
  logger: Logger;
  /** Epoch ms by which everything, spooling included, must be done. */
  deadlineMs: number;
  concurrency?: number;
  /** Time kept back at the end for writing and spooling. */
  writeReserveMs?: number;
  dryRun?: boolean;
  /** Resolves a group's `discovery:` into targets; required for such groups. */
  discover?: Discover;
  onResult?: (result: ProbeResult) => void;
  now?: () => number;
}

export interface RunSummary {
  group: string;
  targets: number;
  succeeded: number;
  failed: number;
  samples_written: number;
  spooled: number;
  replayed: number;
  rejected: number;
  /** Samples neither written nor kept anywhere: VictoriaMetrics and every spool failed. */
  lost: number;
  /** Failed spool operations (SpoolFailures): the spool was denied, unreachable or full. */
  spool_failures: number;
  /** Batches kept in the fallback spool because the spool failed. */
  spooled_to_fallback: number;
  /** null: the spool could not say. */
  spool_depth: number | null;
  duration_ms: number;
  /** Event-loop lag while probing: high values mean the prober, not the endpoints, was slow. */
  event_loop_lag_ms: { max: number; p99: number };
}

export async function runGroup(deps: RunGroupDeps): Promise<{ summary: RunSummary; results: ProbeResult[] }> {
  const now = deps.now ?? Date.now;
  const started = now();
  const identity: RunIdentity = { ...deps.identity, group: deps.group.name };
  const interval = intervalDimension(deps.group.interval ?? deps.file.defaults.interval);
  // Counted whatever happens below: a run that fails still ran (the Errors alarm says it failed).
  let metrics: SelfMetric[] = [{ name: 'Runs', value: 1, unit: 'Count', dimensions: RUNS_DIMENSIONS }];
  try {
    const outcome = await probeAndWrite(deps, identity, started, now);
    metrics = outcome.metrics;
    return { summary: outcome.summary, results: outcome.results };
  } finally {
    try {
      // Timestamped at the run's start, not its end: a run's length varies by seconds (a slow target), its start
      // by far less, so a run near a period boundary rarely changes sides and the alarm's sums stay steady.
      await deps.metrics.put(metrics, { stage: identity.stage, interval, group: identity.group }, started);
    } catch (err) {
      deps.logger.error('self-metrics not sent', { error: errorMessage(err) });
    }
  }
}

async function probeAndWrite(deps: RunGroupDeps, identity: RunIdentity, started: number, now: () => number): Promise<{ summary: RunSummary; results: ProbeResult[]; metrics: SelfMetric[] }> {
  let group = deps.group;
  if (group.discovery) {
    if (!deps.discover) throw new Error(`group ${group.name} uses discovery, but this runner has no AWS discovery clients`);
    group = await deps.discover(group, { stage: identity.stage, group: identity.group });
  }
  const plan = planRunWrites({
    vm: deps.vm,
    spool: deps.spool,
    ...(deps.fallbackSpool ? { fallbackSpool: deps.fallbackSpool } : {}),
    logger: deps.logger,
    deadlineMs: deps.deadlineMs,
    startedMs: started,
    ...(deps.writeReserveMs !== undefined ? { reserveMs: deps.writeReserveMs } : {}),
  });

  // Probes stop at the probe deadline; whatever they measured until then is still written.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, plan.probeDeadlineMs - now()));
  // replaySpool never rejects (spool failures are contained); the catch is for what nobody expects.
  const replaying = deps.dryRun
    ? undefined
    : replaySpool(plan.replay).catch((err: unknown) => {
        deps.logger.error('spool replay failed', { error: errorMessage(err) });
        return undefined;
      });
  let probed: Awaited<ReturnType<typeof probeGroup>>;
  try {
    probed = await probeGroup(deps.file, group, {
      concurrency: deps.concurrency ?? 50,
      secrets: deps.secrets,
      signal: controller.signal,
      ...(deps.onResult ? { onResult: deps.onResult } : {}),
    });
  } finally {
    clearTimeout(timer);
    // Settled before anything else uses the spool, even when probing threw.
    await replaying;
  }
  const results = probed.results;
  const replay = (await replaying) ?? { replayedBatches: 0, replayedSamples: 0, stopped: false };

  const extraLabels = { ...deps.file.labels, ...group.labels };
  const samples: TimedSample[] = [];
  for (const [index, result] of results.entries()) {
    const target = group.targets[index];
    samples.push(...labelSamples(result, identity, { ...extraLabels, ...target?.labels }));
  }
  // The prober's own health beside its measurements: a busy prober inflates every duration of the run.
  samples.push({
    name: 'periscope_probe_event_loop_lag_seconds',
    labels: { job: 'periscope', group: identity.group, stage: identity.stage, account: identity.account, region: identity.region },
    value: probed.lag.max_ms / 1000,
    timestampMs: started,
  });
  const written: WriteSamplesResult = deps.dryRun
    ? { written: 0, spooled: 0, spooledBatches: 0, rejected: 0, invalid: 0, failures: 0, lost: 0 }
    : await writeSamples(samples, plan.write);

  const failed = results.filter((r) => !r.success);
  for (const result of failed) {
    deps.logger.warn('probe failed', { group: identity.group, target: result.target, instance: result.instance, reason: result.reason, error: result.message, duration_ms: Math.round(result.duration_seconds * 1000) });
  }
  const spoolDepth = deps.dryRun ? 0 : await plan.spool.depthOrUndefined();
  const summary: RunSummary = {
    group: identity.group,
    targets: results.length,
    succeeded: results.length - failed.length,
    failed: failed.length,
    samples_written: written.written + replay.replayedSamples,
    spooled: written.spooled,
    replayed: replay.replayedSamples,
    rejected: written.rejected + written.invalid,
    lost: written.lost,
    spool_failures: plan.spool.failures,
    spooled_to_fallback: plan.spool.fellBack,
    spool_depth: spoolDepth ?? null,
    duration_ms: now() - started,
    event_loop_lag_ms: { max: probed.lag.max_ms, p99: probed.lag.p99_ms },
  };
  // CloudWatch metrics (with dimensions) only for what an alarm watches: Runs per stage and interval (the
  // probes-stopped alarms). SpoolFailures is one only in a run that had some (CloudWatch bills a custom metric
  // for the hours it is sent: nothing while the spool works); the probe handler then fails the invocation, which
  // the probe-errors alarm watches. The rest is logged on the same line and visible in VictoriaMetrics.
  const metrics: SelfMetric[] = [
    { name: 'Runs', value: 1, unit: 'Count', dimensions: RUNS_DIMENSIONS },
    failureCount('SpoolFailures', summary.spool_failures + (summary.lost > 0 ? 1 : 0), SPOOL_FAILURES_DIMENSIONS),
    { name: 'ProbesRun', value: summary.targets, unit: 'Count' },
    { name: 'ProbesFailed', value: summary.failed, unit: 'Count' },
    { name: 'SamplesWritten', value: summary.samples_written, unit: 'Count' },
    { name: 'SamplesLost', value: summary.lost, unit: 'Count' },
    { name: 'WriteFailures', value: written.failures, unit: 'Count' },
    { name: 'SpooledBatches', value: written.spooledBatches, unit: 'Count' },
    ...(spoolDepth === undefined ? [] : [{ name: 'SpoolDepth', value: spoolDepth, unit: 'Count' as const }]),
    { name: 'RunDuration', value: summary.duration_ms, unit: 'Milliseconds' },
    { name: 'EventLoopLagMax', value: probed.lag.max_ms, unit: 'Milliseconds' },
  ];
  (summary.lost > 0 ? deps.logger.error : deps.logger.info)('run finished', { ...summary });
  return { summary, results, metrics };
}

