// `periscope check --replay`: the rules evaluated over a past range of an existing VictoriaMetrics, every
// alert that would have fired and every notification that would have gone out. Nothing is written to the
// alert state and nothing is sent; recording rules' results are written back, as vmalert's replay does, so
// the rules after them see them. Alerts start from no state at the start of the range
// (an alert already firing then shows as starting at the first step). Each group goes through the anomaly
// check's own evaluation (replay-group.ts); only the query results come from range queries.
import { mapLimit } from '../../async/map-limit.js';
import { errorMessage } from '../../observability/error-message.js';
import { silentLogger } from '../../observability/logger.js';
import type { TimedSample } from '../../storage/exposition.js';
import { writeSamples } from '../../storage/write-samples.js';
import type { CompiledGroup, CompiledRule } from '../rules/compile.js';
import type { AlertingConfig } from '../rules/load.js';
import { recordedSamples, recordingWaves } from '../evaluation/rule-executors.js';
import type { AlertingSettings } from '../rules/schema.js';
import { forceFlush, type VmReadConfig, type VmWriteConfig } from '../../victoria-metrics/index.js';
import { replayGroup, type GroupReplay, type GroupReplayInput, type ReplayIncident, type ReplayNotification } from './replay-group.js';
import { fetchResults, type ResultsTable, type TableRange } from './results-table.js';

export interface ReplayOptions {
  fromMs: number;
  toMs: number;
  /** Evaluation step; default each group's interval. */
  stepMs?: number;
  /** Rules fetched at once. */
  concurrency?: number;
}

export interface ReplayReport {
  from: string;
  to: string;
  rules: number;
  evaluations: number;
  range_requests: number;
  /** Samples recording rules wrote back to VictoriaMetrics (as vmalert's replay does), for later rules to see. */
  recorded_samples: number;
  incidents: ReplayIncident[];
  notifications: ReplayNotification[];
  /** Alerts that became pending but never fired. */
  pending_only: number;
  errors: Array<{ group: string; rule: string; error: string }>;
  duration_ms: number;
}

/** The evaluation times of a range: multiples of the step, as the live evaluator aligns its slots. */
export function replaySteps(fromMs: number, toMs: number, stepMs: number): number[] {
  const steps: number[] = [];
  for (let ts = Math.ceil(fromMs / stepMs) * stepMs; ts <= toMs; ts += stepMs) steps.push(ts);
  return steps;
}

/** The ranges a rule's table needs: the steps, and for anomaly rules the same steps each past season. */
export function rangesFor(rule: CompiledRule, steps: readonly number[], stepMs: number): TableRange[] {
  const first = steps[0] as number;
  const last = steps[steps.length - 1] as number;
  if (!rule.anomaly) return [{ startMs: first, endMs: last, stepMs }];
  const { season, periods } = rule.anomaly.baseline;
  // Seasons on the step grid: one range reaching back covers every season.
  if (season % stepMs === 0) return [{ startMs: first - periods * season, endMs: last, stepMs }];
  return Array.from({ length: periods + 1 }, (_, k) => ({ startMs: first - k * season, endMs: last - k * season, stepMs }));
}

/** Range-query tables for every rule's expression (one per distinct expression). */
export async function fetchTables(read: VmReadConfig, rules: readonly CompiledRule[], steps: readonly number[], stepMs: number, concurrency = 4): Promise<{ tables: Map<string, ResultsTable>; failed: Map<CompiledRule, string> }> {
  const tables = new Map<string, ResultsTable>();
  const failed = new Map<CompiledRule, string>();
  const byExpr = new Map<string, CompiledRule[]>();
  for (const rule of rules) byExpr.set(rule.expr, [...(byExpr.get(rule.expr) ?? []), rule]);
  await mapLimit([...byExpr.values()], concurrency, async (same) => {
    const first = same[0] as CompiledRule;
    // Anomaly rules need the same steps whole seasons back: the widest ranges of the rules sharing it.
    const reach = (r: CompiledRule) => (r.anomaly ? r.anomaly.baseline.periods * r.anomaly.baseline.season : 0);
    const widest = same.reduce((a, b) => (reach(b) > reach(a) ? b : a));
    const ranges = rangesFor(widest, steps, stepMs);
    try {
      tables.set(first.expr, await fetchResults(read, first.expr, ranges));
    } catch (err) {
      for (const r of same) failed.set(r, errorMessage(err));
    }
  });
  return { tables, failed };
}

/** What one group's replay against VictoriaMetrics gives: the incidents, and what it had to ask and write. */
export interface GroupReplayFromVm extends GroupReplay {
  failed: Map<CompiledRule, string>;
  requests: number;
  recordedSamples: number;
}

/**
 * A group replayed against VictoriaMetrics as vmalert's replay does it: rule by rule in order, a recording
 * rule's results over the whole range written back (and made searchable) before any later rule is queried,
 * so later rules — and later groups — see them. Rules between two recording rules are fetched at once.
 */
export async function replayGroupFromVm(input: {
  group: CompiledGroup;
  steps: readonly number[];
  stepMs: number;
  read: VmReadConfig;
  /** Where recording rules' results go; without it a recording rule is an error. */
  write?: VmWriteConfig;
  settings: AlertingSettings;
  onStep?: GroupReplayInput['onStep'];
}): Promise<GroupReplayFromVm> {
  const { group, steps, stepMs } = input;
  const tables = new Map<string, ResultsTable>();
  const failed = new Map<CompiledRule, string>();
  let requests = 0;
  let recordedSamples = 0;
  for (const wave of recordingWaves(group.rules)) {
    const fetched = await fetchTables(input.read, wave.filter((r) => !tables.has(r.expr)), steps, stepMs);
    for (const [expr, table] of fetched.tables) {
      tables.set(expr, table);
      requests += table.requests;
    }
    for (const [rule, error] of fetched.failed) failed.set(rule, error);
    const recording = wave[wave.length - 1] as CompiledRule;
    if (recording.kind !== 'recording' || failed.has(recording)) continue;
    try {
      if (!input.write) throw new Error('a recording rule needs a VictoriaMetrics to write its results to');
      recordedSamples += await writeRecorded(input.write, recording, tables.get(recording.expr), steps, input.settings.external_labels);
    } catch (err) {
      failed.set(recording, errorMessage(err));
    }
  }
  // A rule whose query VictoriaMetrics rejects is left out; the others replay.
  const runnable = { ...group, rules: group.rules.filter((r) => !failed.has(r)) };
  const result = await replayGroup({ group: runnable, steps, tables, settings: input.settings, ...(input.onStep ? { onStep: input.onStep } : {}) });
  return { ...result, failed, requests, recordedSamples };
}

/** A recording rule's results at every step, written to VictoriaMetrics and flushed; returns how many. */
async function writeRecorded(write: VmWriteConfig, rule: CompiledRule, table: ResultsTable | undefined, steps: readonly number[], externalLabels: Record<string, string>): Promise<number> {
  const samples: TimedSample[] = [];
  for (const ts of steps) samples.push(...recordedSamples(rule, table?.at(ts) ?? [], externalLabels, ts));
  if (samples.length === 0) return 0;
  let unwritten = '';
  const written = await writeSamples(samples, {
    vm: write,
    spool: { put: async () => {}, take: async () => [], depth: async () => 0 },
    logger: { ...silentLogger, error: (message) => void (unwritten ||= message), warn: (message) => void (unwritten ||= message) },
    deadlineMs: Date.now() + 60_000,
  });
  if (written.written < samples.length) throw new Error(`${samples.length - written.written} of ${samples.length} recorded samples not written: ${unwritten}`);
  await forceFlush(write);
  return samples.length;
}

export async function replayAlerting(config: AlertingConfig, read: VmReadConfig, options: ReplayOptions, write?: VmWriteConfig): Promise<ReplayReport> {
  const started = Date.now();
  const report: ReplayReport = {
    from: new Date(options.fromMs).toISOString(),
    to: new Date(options.toMs).toISOString(),
    rules: 0,
    evaluations: 0,
    range_requests: 0,
    recorded_samples: 0,
    incidents: [],
    notifications: [],
    pending_only: 0,
    errors: [],
    duration_ms: 0,
  };
  report.rules = config.groups.reduce((n, g) => n + g.rules.length, 0);
  // With recording rules, groups go one after another in file order, as in vmalert's replay: a later group
  // sees what an earlier one recorded.
  const recording = config.groups.some((g) => g.rules.some((r) => r.kind === 'recording'));
  await mapLimit(config.groups, recording ? 1 : (options.concurrency ?? 2), async (group) => {
    const stepMs = options.stepMs ?? group.intervalMs;
    const steps = replaySteps(options.fromMs, options.toMs, stepMs);
    if (steps.length === 0) return;
    const result = await replayGroupFromVm({ group, steps, stepMs, read, ...(write ? { write } : {}), settings: config.settings });
    for (const [rule, error] of result.failed) report.errors.push({ group: group.name, rule: rule.name, error });
    report.range_requests += result.requests;
    report.recorded_samples += result.recordedSamples;
    report.evaluations += steps.length * (group.rules.length - result.failed.size);
    report.incidents.push(...result.incidents);
    report.notifications.push(...result.notifications);
    report.pending_only += result.pending_only;
  });
  const byTime = <T extends { at?: string; started_at?: string; alertname: string }>(a: T, b: T) => {
    const ta = a.started_at ?? a.at ?? '';
    const tb = b.started_at ?? b.at ?? '';
    return ta < tb ? -1 : ta > tb ? 1 : a.alertname < b.alertname ? -1 : a.alertname > b.alertname ? 1 : 0;
  };
  report.incidents.sort(byTime);
  report.notifications.sort(byTime);
  report.duration_ms = Date.now() - started;
  return report;
}
