// Runs one rule unit-test file against a real VictoriaMetrics: for each test, the input series are written
// (test time 0 at ORIGIN_MS) with staleness markers, the rules are evaluated at every evaluation_interval
// from time 0 by the replay (the anomaly check's own lifecycle, templating and anomaly code), and the
// firing alerts and promql_expr_test results are compared with the expected ones.
import type { CompiledGroup } from '../alerting/compile.js';
import { replayGroupFromVm, replaySteps } from '../alerting/replay/replay.js';
import type { RuleReport } from '../alerting/reports.js';
import type { AlertingSettings } from '../alerting/rules-schema.js';
import { errorMessage } from '../observability/error-message.js';
import { deleteSeries, forceFlush, queryInstant, remoteWrite, type VmReadConfig } from '../victoria-metrics/index.js';
import { compareAlerts, compareSamples, promDuration, type GotAlert } from './compare.js';
import { encodeWriteRequest, snappyLiterals } from './remote-write.js';
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

/** Firing alerts by alertname and test time, at each evaluation an alert test asks about. */
async function alertsAt(read: VmReadConfig, groups: readonly CompiledGroup[], test: RuleTest, evalIntervalMs: number, failures: string[]): Promise<Map<string, Map<number, GotAlert[]>>> {
  const wanted = new Set(test.alertTests.map((a) => a.alertname));
  const asked = new Set(test.alertTests.map((a) => Math.floor(a.evalTimeMs / evalIntervalMs) * evalIntervalMs + ORIGIN_MS));
  const out = new Map<string, Map<number, GotAlert[]>>();
  // Recording rules are evaluated (and their series written) up to the last time any test asks about, as
  // promtool evaluates them, so alert rules and expression tests see what they recorded.
  const recording = groups.some((g) => g.rules.some((r) => r.kind === 'recording'));
  const exprTimes = recording ? test.exprTests.map((e) => Math.floor(e.evalTimeMs / evalIntervalMs) * evalIntervalMs + ORIGIN_MS) : [];
  if (asked.size === 0 && exprTimes.length === 0) return out;
  const steps = replaySteps(ORIGIN_MS, Math.max(...asked, ...exprTimes), evalIntervalMs);
  const settings: AlertingSettings = { evaluation_interval: evalIntervalMs, repeat_interval: 4 * 3_600_000, maintenance: [], external_labels: test.externalLabels };
  for (const group of groups) {
    const rules = group.rules.filter((r) => r.kind === 'recording' || wanted.has(r.name));
    if (rules.length === 0) continue;
    // promtool evaluates every group at evaluation_interval, whatever the group's own interval.
    const { failed } = await replayGroupFromVm({
      group: { ...group, intervalMs: evalIntervalMs, rules },
      steps,
      stepMs: evalIntervalMs,
      read,
      write: read,
      settings,
      onStep: (ts, report) => {
        if (!asked.has(ts)) return;
        report.rules.forEach((r) => {
          if (r.type === 'recording') return;
          const byTime = out.get(r.rule) ?? new Map<number, GotAlert[]>();
          out.set(r.rule, byTime);
          byTime.set(ts - ORIGIN_MS, [...(byTime.get(ts - ORIGIN_MS) ?? []), ...firingAlerts(r)]);
        });
      },
    });
    for (const [rule, error] of failed) failures.push(`    rule ${rule.name} (group ${rule.group}) cannot be evaluated: ${error}`);
  }
  return out;
}

export async function runRuleTest(vm: TestVictoriaMetrics, file: RuleTestFile, groups: readonly CompiledGroup[], test: RuleTest): Promise<TestResult> {
  const failures: string[] = [];
  const read: VmReadConfig = { url: vm.url, timeoutMs: 60_000 };
  await loadSeries(vm, test);
  const ei = file.evaluationIntervalMs;
  const alerts = await alertsAt(read, groups, test, ei, failures);
  for (const alertTest of test.alertTests) {
    const at = Math.floor(alertTest.evalTimeMs / ei) * ei;
    const failure = compareAlerts(alertTest, alerts.get(alertTest.alertname)?.get(at) ?? []);
    if (failure) failures.push(failure);
  }
  for (const exprTest of test.exprTests) {
    try {
      const got = await queryInstant(read, exprTest.expr, (ORIGIN_MS + exprTest.evalTimeMs) / 1000, ei / 1000, { keepName: true });
      const failure = compareSamples(exprTest, got);
      if (failure) failures.push(failure);
    } catch (err) {
      failures.push(`    expr: ${JSON.stringify(exprTest.expr)}, time: ${promDuration(exprTest.evalTimeMs)}, err: ${errorMessage(err)}`);
    }
  }
  return { index: test.index, ...(test.name !== undefined ? { name: test.name } : {}), failures };
}
