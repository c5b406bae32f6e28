// Runs one rule unit-test file against a real VictoriaMetrics: for each test, the input series are written
// (test time 0 at ORIGIN_MS) with staleness markers, the rules are evaluated at every evaluation_interval
// from time 0 by the replay (the anomaly check's own lifecycle, templating and anomaly code), and the
// firing alerts and promql_expr_test results are compared with the expected ones.
import { forceFlush } from '../alerting/claim.js';
import type { CompiledGroup, CompiledRule } from '../alerting/compile.js';
import type { AlertState } from '../alerting/lifecycle.js';
import { rangesFor, replaySteps } from '../alerting/replay/replay.js';
import { replayRule } from '../alerting/replay/replay-rule.js';
import { fetchResults } from '../alerting/replay/results-table.js';
import { renderAnnotations } from '../alerting/rule-results.js';
import { queryInstant, type VmReadConfig } from '../alerting/vm-query.js';
import { vmEndpoint } from '../storage/vm-url.js';
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

async function post(url: URL, body: Buffer | undefined, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { method: 'POST', ...(body ? { body } : {}), headers, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`VictoriaMetrics answered ${response.status} to ${url.pathname}: ${text.slice(0, 300)}`);
}

async function loadSeries(vm: TestVictoriaMetrics, test: RuleTest): Promise<void> {
  const deleteAll = vmEndpoint(vm.url, '/api/v1/admin/tsdb/delete_series');
  deleteAll.searchParams.set('match[]', '{__name__=~".+"}');
  await post(deleteAll, undefined);
  const series = test.series.map((s) => ({ labels: s.labels, samples: seriesSamples(s, test.intervalMs, ORIGIN_MS) })).filter((s) => s.samples.length > 0);
  for (let i = 0; i < series.length; i += 200) {
    const body = snappyLiterals(encodeWriteRequest(series.slice(i, i + 200)));
    await post(vmEndpoint(vm.url, '/api/v1/write'), body, { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' });
  }
  await forceFlush(vm.url);
}

/** Firing alerts by alertname, at each evaluation time asked for (test time, ms). */
async function firingAlerts(read: VmReadConfig, rules: readonly CompiledRule[], test: RuleTest, evalIntervalMs: number, failures: string[]): Promise<Map<string, Map<number, GotAlert[]>>> {
  const wanted = new Set(test.alertTests.map((a) => a.alertname));
  const asked = new Set(test.alertTests.map((a) => Math.floor(a.evalTimeMs / evalIntervalMs) * evalIntervalMs + ORIGIN_MS));
  const out = new Map<string, Map<number, GotAlert[]>>();
  if (asked.size === 0) return out;
  const steps = replaySteps(ORIGIN_MS, Math.max(...asked), evalIntervalMs);
  const external = test.externalLabels;
  for (const rule of rules.filter((r) => wanted.has(r.name))) {
    let table;
    try {
      table = await fetchResults(read, rule.expr, rangesFor(rule, steps, evalIntervalMs));
    } catch (err) {
      failures.push(`    rule ${rule.name} (group ${rule.group}) cannot be evaluated: ${(err as Error).message}`);
      continue;
    }
    const byTime = out.get(rule.name) ?? new Map<number, GotAlert[]>();
    out.set(rule.name, byTime);
    replayRule({
      rule,
      steps,
      resultsAt: table.at,
      externalLabels: external,
      maintenance: [],
      onStep: (ts: number, states: readonly AlertState[], baselines: ReadonlyMap<string, string>) => {
        if (!asked.has(ts)) return;
        const firing = states.filter((s) => s.phase === 'firing').map((s) => ({ labels: s.labels, annotations: renderAnnotations(rule, s, external, baselines.get(JSON.stringify(s.labels))) }));
        byTime.set(ts - ORIGIN_MS, [...(byTime.get(ts - ORIGIN_MS) ?? []), ...firing]);
      },
    });
  }
  return out;
}

export async function runRuleTest(vm: TestVictoriaMetrics, file: RuleTestFile, groups: readonly CompiledGroup[], test: RuleTest): Promise<TestResult> {
  const failures: string[] = [];
  const read: VmReadConfig = { url: vm.url, timeoutMs: 60_000 };
  await loadSeries(vm, test);
  const ei = file.evaluationIntervalMs;
  const alerts = await firingAlerts(read, groups.flatMap((g) => g.rules), test, ei, failures);
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
      failures.push(`    expr: ${JSON.stringify(exprTest.expr)}, time: ${promDuration(exprTest.evalTimeMs)}, err: ${(err as Error).message}`);
    }
  }
  return { index: test.index, ...(test.name !== undefined ? { name: test.name } : {}), failures };
}
