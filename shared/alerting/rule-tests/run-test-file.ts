// Runs one rule unit-test file against a real VictoriaMetrics: for each test, the input series are written
// (test time 0 at ORIGIN_MS) with staleness markers, the rules are evaluated at every evaluation_interval
// from time 0 by the replay (the anomaly check's own lifecycle, templating and anomaly code), and the
// firing alerts and promql_expr_test results are compared with the expected ones.
import type { CompiledGroup } from '../rules/compile.js';
import { labelFingerprint } from '../state/label-fingerprint.js';
import { replayGroupFromVm, replaySteps } from '../replay/replay.js';
import type { RuleReport } from '../evaluation/reports.js';
import type { AlertingSettings } from '../rules/schema.js';
import { errorMessage } from '../../observability/error-message.js';
import { deleteSeries, forceFlush, queryRange, remoteWrite, type VmReadConfig } from '../../victoria-metrics/index.js';
import { compareAlerts, compareSamples, promDuration, type GotAlert } from './compare.js';
import { encodeWriteRequest, snappyLiterals, type WriteSeries } from './remote-write.js';
import { seriesSamples, type RuleTest, type RuleTestFile } from './test-file.js';

/**
 * Where test time 0 lies. VictoriaMetrics 1.79 cannot answer queries whose look-back reaches before the
 * Unix epoch, so tests run from 2000-01-01 instead of 1970 (time() and timestamp() see that date).
 */
export const ORIGIN_MS = Date.UTC(2000, 0, 1);

export interface TestVictoriaMetrics {
  /** A VictoriaMetrics this run owns: every test deletes all series in it. */
  url: string;
}

export interface TestResult {
  index: number;
  name?: string;
  /** promtool-style failure messages; empty when the test passed. */
  failures: string[];
}

async function loadSeries(vm: TestVictoriaMetrics, test: RuleTest): Promise<void> {
  const conn = { url: vm.url, timeoutMs: 30_000 };
  await deleteSeries(conn, '{__name__=~".+"}');
  const series = test.series.map((s) => ({ labels: s.labels, samples: seriesSamples(s, test.intervalMs, ORIGIN_MS) })).filter((s) => s.samples.length > 0);
  for (let i = 0; i < series.length; i += 200) {
    await remoteWrite(conn, snappyLiterals(encodeWriteRequest(series.slice(i, i + 200))));
  }
  await forceFlush(conn);
}

/** The firing alerts of a rule's report as a notification would carry them (annotations rendered, an anomaly's baseline). */
function firingAlerts(report: RuleReport): GotAlert[] {
  return report.alerts.filter((a) => a.phase === 'firing').map((a) => ({ labels: a.labels, annotations: a.annotations }));
}

/** One alert at one evaluation: what promtool's rule evaluation writes as ALERTS and ALERTS_FOR_STATE. */
interface AlertSample {
  ts: number;
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAtMs: number;
}

interface Evaluation {
  /** Firing alerts by alertname and test time, at the evaluations alert tests ask about. */
  firing: Map<string, Map<number, GotAlert[]>>;
  /** Every pending or firing alert at every evaluation, for ALERTS. */
  samples: AlertSample[];
}

/**
 * Evaluates every group at evaluation_interval from time 0 to `untilMs` (test time) through the replay.
 * The range queries reach one step further: VictoriaMetrics 1.79 does not find a series whose first sample
 * is at the very end of a query when that end is a UTC midnight, as test time 0 is.
 */
async function evaluate(read: VmReadConfig, groups: readonly CompiledGroup[], test: RuleTest, evalIntervalMs: number, untilMs: number, failures: string[]): Promise<Evaluation> {
  const wanted = new Set(test.alertTests.map((a) => a.alertname));
  const asked = new Set(test.alertTests.map((a) => Math.floor(a.evalTimeMs / evalIntervalMs) * evalIntervalMs + ORIGIN_MS));
  const out: Evaluation = { firing: new Map(), samples: [] };
  const lastMs = Math.floor(untilMs / evalIntervalMs) * evalIntervalMs + ORIGIN_MS;
  const steps = replaySteps(ORIGIN_MS, lastMs + evalIntervalMs, evalIntervalMs);
  const settings: AlertingSettings = {
    evaluation_interval: evalIntervalMs,
    repeat_interval: 4 * 3_600_000,
    maintenance: [],
    external_labels: test.externalLabels,
    ...(test.externalUrl !== undefined ? { external_url: test.externalUrl } : {}),
  };
  for (const group of groups) {
    if (group.rules.length === 0) continue;
    // promtool evaluates every group at evaluation_interval, whatever the group's own interval. Recording
    // rules' results are written as they are evaluated, so later rules and expression tests see them.
    const { failed } = await replayGroupFromVm({
      group: { ...group, intervalMs: evalIntervalMs },
      steps,
      stepMs: evalIntervalMs,
      read,
      write: read,
      settings,
      onStep: (ts, report) => {
        if (ts > lastMs) return;
        report.rules.forEach((r) => {
          for (const a of r.alerts) out.samples.push({ ts, labels: a.labels, state: a.phase, activeAtMs: Date.parse(a.active_since) });
        });
        if (!asked.has(ts)) return;
        report.rules.forEach((r) => {
          if (r.type === 'recording') return;
          const byTime = out.firing.get(r.rule) ?? new Map<number, GotAlert[]>();
          out.firing.set(r.rule, byTime);
          byTime.set(ts - ORIGIN_MS, [...(byTime.get(ts - ORIGIN_MS) ?? []), ...firingAlerts(r)]);
        });
      },
    });
    for (const [rule, error] of failed) if (rule.kind === 'recording' || wanted.has(rule.name)) failures.push(`    rule ${rule.name} (group ${rule.group}) cannot be evaluated: ${error}`);
  }
  return out;
}

/**
 * Writes the alerts as promtool's evaluation leaves them for promql_expr_test: ALERTS{alertname, alertstate, …}
 * = 1 at each evaluation an alert is pending or firing, a staleness marker at the first evaluation it is not,
 * and ALERTS_FOR_STATE = when it became active (seconds). Periscope's own alertgroup label is left out, as
 * promtool's alerts have none.
 */
async function writeAlertSeries(vm: TestVictoriaMetrics, samples: readonly AlertSample[], evalIntervalMs: number): Promise<void> {
  const series = new Map<string, WriteSeries>();
  const add = (labels: Record<string, string>, ts: number, value: number) => {
    const key = labelFingerprint(labels);
    const entry = series.get(key) ?? { labels, samples: [] };
    series.set(key, entry);
    const last = entry.samples[entry.samples.length - 1];
    // The alert was gone at the evaluation(s) in between: end the series there, as Prometheus does.
    if (last && last.value !== 'stale' && ts - last.timestampMs > evalIntervalMs) entry.samples.push({ timestampMs: last.timestampMs + evalIntervalMs, value: 'stale' });
    entry.samples.push({ timestampMs: ts, value });
  };
  for (const s of [...samples].sort((a, b) => a.ts - b.ts)) {
    const { alertgroup: _group, ...labels } = s.labels;
    add({ ...labels, __name__: 'ALERTS', alertstate: s.state }, s.ts, 1);
    add({ ...labels, __name__: 'ALERTS_FOR_STATE' }, s.ts, s.activeAtMs / 1000);
  }
  for (const entry of series.values()) {
    const last = entry.samples[entry.samples.length - 1];
    if (last && last.value !== 'stale') entry.samples.push({ timestampMs: last.timestampMs + evalIntervalMs, value: 'stale' });
  }
  if (series.size === 0) return;
  const conn = { url: vm.url, timeoutMs: 30_000 };
  await remoteWrite(conn, snappyLiterals(encodeWriteRequest([...series.values()])));
  await forceFlush(conn);
}

export async function runRuleTest(vm: TestVictoriaMetrics, file: RuleTestFile, groups: readonly CompiledGroup[], test: RuleTest): Promise<TestResult> {
  const failures: string[] = [];
  const read: VmReadConfig = { url: vm.url, timeoutMs: 60_000 };
  await loadSeries(vm, test);
  const ei = file.evaluationIntervalMs;
  const untilMs = Math.max(-1, ...test.alertTests.map((a) => a.evalTimeMs), ...test.exprTests.map((e) => e.evalTimeMs));
  const { firing, samples } = untilMs >= 0 ? await evaluate(read, groups, test, ei, untilMs, failures) : { firing: new Map<string, Map<number, GotAlert[]>>(), samples: [] };
  for (const alertTest of test.alertTests) {
    const at = Math.floor(alertTest.evalTimeMs / ei) * ei;
    const failure = compareAlerts(alertTest, firing.get(alertTest.alertname)?.get(at) ?? [], test.externalLabels);
    if (failure) failures.push(failure);
  }
  if (test.exprTests.length > 0) await writeAlertSeries(vm, samples, ei);
  for (const exprTest of test.exprTests) {
    try {
      // A range query from the evaluation time, read at its first point: the same value as an instant query
      // with the interval as step, without VictoriaMetrics 1.79's miss at a UTC midnight (see evaluate()).
      const startSec = (ORIGIN_MS + exprTest.evalTimeMs) / 1000;
      const series = await queryRange(read, exprTest.expr, { startSec, endSec: startSec + ei / 1000, stepSec: ei / 1000 }, { keepName: true });
      const got = series.flatMap((s) => (s.timestamps[0] === startSec * 1000 ? [{ labels: s.labels, value: s.values[0] as number }] : []));
      const failure = compareSamples(exprTest, got);
      if (failure) failures.push(failure);
    } catch (err) {
      failures.push(`    expr: ${JSON.stringify(exprTest.expr)}, time: ${promDuration(exprTest.evalTimeMs)}, err: ${errorMessage(err)}`);
    }
  }
  return { index: test.index, ...(test.name !== undefined ? { name: test.name } : {}), failures };
}
