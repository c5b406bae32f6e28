// The probe Lambda's logic, apart from AWS wiring: parse the event, run a group or one manual probe, and
// answer with a summary, a probe result (the same JSON as `periscope probe --json`) or an error object.
// Bad input never throws: it comes back as {error, message, problems} and nothing is written.
// The schema library and the YAML parser are loaded by manual probes only (import() below): a scheduled run's
// cold start needs neither (parseScheduledEvent; the runtime's targets come from a snapshot).
import { ConfigError } from '../config/errors.js';
import type { SecretResolver, TargetSpec, TargetsFile } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { MetricsSink } from '../observability/metrics.js';
import { formatWaterfall } from '../probing/format.js';
import { runProbe, type ProbeResult } from '../probing/index.js';
import type { Spool } from '../storage/spool.js';
import type { VmWriteConfig } from '../victoria-metrics/index.js';
import { writeSamples } from '../storage/write-samples.js';
import { planRunWrites } from './run-writes.js';
import type { Discover } from '../discovery/index.js';
import { labelSamples } from './label-samples.js';
import { parseScheduledEvent } from './scheduled-event.js';
import { runGroup, type RunSummary } from './run-group.js';
import { selectShard } from './shards.js';

export interface ProbeRuntime {
  loadTargets(): Promise<TargetsFile>;
  stage: string;
  region: string;
  vm: VmWriteConfig;
  spool: Spool;
  /** Where batches go when the spool fails (a file spool in the container's /tmp). */
  fallbackSpool?: Spool;
  secrets: SecretResolver;
  metrics: MetricsSink;
  logger: Logger;
  concurrency?: number;
  /** Resolves groups with `discovery:` (AWS clients loaded on first use). */
  discover?: Discover;
}

export interface InvocationContext {
  /** Milliseconds this invocation has left (Lambda's context.getRemainingTimeInMillis()). */
  remainingMs(): number;
  /** AWS account id (from the function ARN), or "local". */
  account: string;
}

export interface ErrorAnswer {
  error: 'bad_event';
  message: string;
  problems: Array<{ path: string; message: string }>;
}

export type ManualAnswer = ProbeResult & { waterfall?: string; written?: { samples: number; spooled: number; rejected: number } };

/** Keep this much of the invocation back so the run ends, and reports, before Lambda stops it. */
export const DEADLINE_MARGIN_MS = 1_500;

function errorAnswer(err: ConfigError): ErrorAnswer {
  return { error: 'bad_event', message: err.message, problems: err.problems.map((p) => ({ path: p.path, message: p.message })) };
}

async function findTarget(runtime: ProbeRuntime, group: string, name: string): Promise<{ target: TargetSpec; timeoutMs: number; labels: Record<string, string> }> {
  const file = await runtime.loadTargets();
  const spec = file.groups.find((g) => g.name === group);
  if (!spec) throw new ConfigError('event', [{ path: 'group', message: `unknown group "${group}" (known: ${file.groups.map((g) => g.name).join(', ')})` }]);
  const target = spec.targets.find((t) => t.name === name);
  if (!target) throw new ConfigError('event', [{ path: 'target', message: `no target "${name}" in group "${group}"` }]);
  return { target, timeoutMs: spec.timeout ?? file.defaults.timeout, labels: { ...file.labels, ...spec.labels, ...target.labels } };
}

export async function handleProbeEvent(raw: unknown, context: InvocationContext, runtime: ProbeRuntime): Promise<RunSummary | ManualAnswer | ErrorAnswer> {
  const deadlineMs = Date.now() + Math.max(0, context.remainingMs() - DEADLINE_MARGIN_MS);
  let file: TargetsFile;
  try {
    file = await runtime.loadTargets();
  } catch (err) {
    // A broken deployment, not a bad event: fail the invocation so the Errors alarm fires, with a clear message.
    if (err instanceof ConfigError) {
      runtime.logger.error('targets file invalid', { error: err.message });
      throw new Error(`targets file invalid: ${err.message}`, { cause: err });
    }
    throw err;
  }
  try {
    const event = parseScheduledEvent(raw) ?? (await import('./probe-event.js')).parseProbeEvent(raw);
    if (event.kind === 'group') {
      const group = file.groups.find((g) => g.name === event.group);
      if (!group) throw new ConfigError('event', [{ path: 'group', message: `unknown group "${event.group}" (known: ${file.groups.map((g) => g.name).join(', ')})` }]);
      const { summary } = await runGroup({
        file,
        group: selectShard(group, event.shard, event.shards),
        identity: { stage: runtime.stage, account: context.account, region: runtime.region },
        vm: runtime.vm,
        spool: runtime.spool,
        ...(runtime.fallbackSpool ? { fallbackSpool: runtime.fallbackSpool } : {}),
        secrets: runtime.secrets,
        metrics: runtime.metrics,
        logger: runtime.logger,
        deadlineMs,
        dryRun: event.dryRun,
        ...(runtime.concurrency ? { concurrency: runtime.concurrency } : {}),
        ...(runtime.discover ? { discover: runtime.discover } : {}),
      });
      // After writing what it could and reporting Runs and the summary: samples lost, or a spool that failed (the
      // next VictoriaMetrics outage would lose samples), fail the invocation — the probe-errors alarm (a free
      // AWS/Lambda metric) then pages, with the reason in the error and the log.
      if (summary.lost > 0) throw new Error(`${summary.lost} samples of group ${summary.group} lost: VictoriaMetrics and the spool both failed (see the log)`);
      if (summary.spool_failures > 0) {
        throw new Error(`the spool failed ${summary.spool_failures} time(s) in this run of group ${summary.group} (see "spool operation failed" in the log); ${summary.samples_written} samples written, ${summary.spooled_to_fallback} batches kept in /tmp, none lost`);
      }
      return summary;
    }
    let target: TargetSpec;
    let timeoutMs = file.defaults.timeout;
    let labels = { ...file.labels };
    let group = 'manual';
    if (event.kind === 'named-target') {
      ({ target, timeoutMs, labels } = await findTarget(runtime, event.group, event.target));
      group = event.group;
    } else {
      const { loadTarget, targetInputFromUrl } = await import('../config/index.js');
      target = event.kind === 'url' ? await loadTarget(targetInputFromUrl(event.url, 'event'), 'event') : await loadTarget(event.target, 'event.target');
    }
    // The target's own timeout (an event may say "timeout": "30s") never runs past the invocation: the probe
    // ends in time to write (and spool) its samples before Lambda stops the invocation.
    const writes = planRunWrites({ vm: runtime.vm, spool: runtime.spool, ...(runtime.fallbackSpool ? { fallbackSpool: runtime.fallbackSpool } : {}), logger: runtime.logger, deadlineMs, startedMs: Date.now() });
    const probeEnd = event.dryRun ? deadlineMs : writes.probeDeadlineMs;
    const probeTimeout = Math.max(1, Math.min(target.timeout ?? timeoutMs, probeEnd - Date.now()));
    const result = await runProbe({ ...target, timeout: probeTimeout }, { timeoutMs: probeTimeout, secrets: runtime.secrets, debug: event.debug, signal: AbortSignal.timeout(Math.max(1, probeEnd - Date.now())) });
    const answer: ManualAnswer = event.debug ? { ...result, waterfall: formatWaterfall(result) } : { ...result };
    if (!event.dryRun) {
      const samples = labelSamples(result, { group, stage: runtime.stage, account: context.account, region: runtime.region }, labels);
      const written = await writeSamples(samples, writes.write);
      answer.written = { samples: written.written, spooled: written.spooled, rejected: written.rejected + written.invalid };
      if (written.lost > 0) throw new Error(`the probe's ${written.lost} samples were lost: VictoriaMetrics and the spool both failed (see the log)`);
    }
    runtime.logger.info('manual probe', { target: result.target, instance: result.instance, success: result.success, reason: result.reason, duration_ms: Math.round(result.duration_seconds * 1000) });
    return answer;
  } catch (err) {
    if (err instanceof ConfigError) {
      runtime.logger.warn('bad event', { error: err.message });
      return errorAnswer(err);
    }
    throw err;
  }
}
