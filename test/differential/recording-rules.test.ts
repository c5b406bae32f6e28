// `record:` rules as vmalert evaluates them: the result written to VictoriaMetrics under the recorded name
// with the rule's labels, before any later rule of the group (or a later group) runs — live, in a replay and
// in rule unit tests — so alerting rules on recorded series work. The references judge: `promtool check
// rules` on what a recording rule may hold, `promtool test rules` on the unit-test cases.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkCommand } from '../../cli/check-command.js';
import { formatGroupReport } from '../../cli/alert-output.js';
import { testRulesCommand } from '../../cli/test-rules-command.js';
import { parseTargetsFile } from '../../shared/config/index.js';
import { ConfigError } from '../../shared/config/errors.js';
import { createMemoryClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig, loadRuleFile, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { replayAlerting } from '../../shared/alerting/replay/replay.js';
import { executeRules, type InstantQuery } from '../../shared/alerting/evaluation/rule-executors.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { Notification } from '../../shared/notify/types.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const run = promisify(execFile);
const MIN = 60_000;
const FIXTURES = 'test/fixtures/recording-rules';
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;
const CHECK_CASES = (await readdir(join(FIXTURES, 'check'))).sort();

let vm: VmHandle;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  // 2 requests a second from T0 - 10m to T0 + 40m, 5 a second from T0 + 20m.
  const lines: string[] = [];
  let total = 0;
  for (let t = T0 - 10 * MIN; t <= T0 + 40 * MIN; t += 30_000) {
    lines.push(prometheusLine('http_requests_total', { job: 'api', instance: 'a' }, total, t));
    total += (t >= T0 + 20 * MIN ? 5 : 2) * 30;
  }
  await vm.importPrometheus(lines.join('\n'));
  await vm.flush();
});

afterAll(async () => {
  await vm.cleanup();
});

const RULES = `
rules:
  - name: recorded
    interval: 1m
    rules:
      - record: job:http_requests:rate1m
        expr: sum by (job) (rate(http_requests_total[1m]))
        labels: { source: recorded }
      - alert: JobBusy
        expr: job:http_requests:rate1m > 3
        annotations: { summary: "{{ $labels.job }} at {{ $value }}/s ({{ $labels.source }})" }
  - name: later
    interval: 1m
    rules:
      - record: job:http_requests:rate1m:doubled
        expr: job:http_requests:rate1m * 2
      - alert: JobVeryBusy
        expr: job:http_requests:rate1m:doubled > 6
`;

async function config(yaml: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(yaml, 'recording.yml'), 'recording.yml');
}

function deps(alerting: AlertingConfig, sent: Notification[]): AlertingDeps {
  return { read: { url: vm.url }, write: { url: vm.url }, settings: alerting.settings, notify: async (n) => void sent.push(n), logger: silentLogger, stage: 'test', region: 'local', mode: 'live', claims: createMemoryClaimStore() };
}

describe('live evaluation', () => {
  it('writes the recorded series with the rule labels at the slot, and later rules see them at that slot', async () => {
    const alerting = await config(RULES);
    const sent: Notification[] = [];
    const at = T0 + 25 * MIN;
    const reports = [];
    for (const group of alerting.groups) reports.push(await evaluateGroup(group, deps(alerting, sent), at + 5_000));
    expect(reports.map((r) => r.rules.map((x) => [x.rule, x.type, x.state, x.series ?? null]))).toEqual([
      [['job:http_requests:rate1m', 'recording', 'inactive', 1], ['JobBusy', 'alerting', 'firing', null]],
      [['job:http_requests:rate1m:doubled', 'recording', 'inactive', 1], ['JobVeryBusy', 'alerting', 'firing', null]],
    ]);
    const recorded = await vm.exportSeries('{__name__=~"job:http_requests:rate1m.*"}');
    const byName = [...recorded].sort((a, b) => String(a.metric.__name__).localeCompare(String(b.metric.__name__)));
    expect(byName.map((s) => [s.metric, s.timestamps, s.values])).toEqual([
      [{ __name__: 'job:http_requests:rate1m', job: 'api', source: 'recorded' }, [at], [5]],
      [{ __name__: 'job:http_requests:rate1m:doubled', job: 'api', source: 'recorded' }, [at], [10]],
    ]);
    // `periscope check` prints what a recording rule recorded.
    expect(formatGroupReport(reports[0]!).split('\n')[1]).toBe('  RECORD   job:http_requests:rate1m  1 series  value=5');
    expect(sent.map((n) => [n.alertname, n.status, n.alerts[0]?.annotations.summary ?? null])).toEqual([
      ['JobBusy', 'firing', 'api at 5/s (recorded)'],
      ['JobVeryBusy', 'firing', null],
    ]);
  });

  it('a dry run (periscope check) reports what it would record and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'periscope-recording-'));
    try {
      await writeFile(join(dir, 'targets.yml'), RULES.replaceAll('job:http_requests:rate1m', 'dry:rate1m'));
      let printed = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((printed += String(chunk)), true));
      try {
        expect(await checkCommand({ config: join(dir, 'targets.yml'), vmUrl: vm.url }, T0 + 26 * MIN + 5_000)).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(printed).toContain('  RECORD   dry:rate1m  1 series  value=5\n');
      expect(printed).toContain('recording rules were evaluated, not written (a dry run)');
      expect(await vm.exportSeries('{__name__=~"dry:.*"}')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails the rule (and reports it once) when two series end with the same labels, as vmalert and Prometheus do', async () => {
    const alerting = await config(`
rules:
  - name: clash
    interval: 1m
    rules:
      - record: clash:requests
        expr: http_requests_total or label_replace(http_requests_total, "instance", "b", "", "")
        labels: { instance: all }
`);
    const sent: Notification[] = [];
    const report = await evaluateGroup(alerting.groups[0]!, deps(alerting, sent), T0 + 27 * MIN + 5_000);
    expect(report.rules[0]).toMatchObject({ state: 'error', error: expect.stringContaining('two series with the labels') });
    expect(sent.map((n) => [n.alertname, n.alerts[0]?.labels.rule])).toEqual([['PeriscopeRuleHealth', 'clash:requests']]);
    expect(await vm.exportSeries('clash:requests')).toEqual([]);
  });
});

describe('rules in order', () => {
  it('writes a recording rule before any later rule queries, and fails it (not the others) when the write fails', async () => {
    const alerting = await config(RULES);
    const calls: string[] = [];
    const query: InstantQuery = async (expr) => (calls.push(`query ${expr}`), [{ labels: { job: 'api' }, value: 5 }]);
    const outcomes = await executeRules(alerting.groups[0]!.rules, T0, query, {}, 8, async (samples) => {
      calls.push(`record ${samples.map((x) => x.name).join(',')}`);
      return 'VictoriaMetrics refused the write';
    });
    expect(calls).toEqual(['query sum by (job) (rate(http_requests_total[1m]))', 'record job:http_requests:rate1m', 'query job:http_requests:rate1m > 3']);
    expect(outcomes.map((o) => o.error ?? null)).toEqual(['VictoriaMetrics refused the write', null]);
    expect(outcomes[1]?.candidates).toHaveLength(1);
  });
});

describe('replay (periscope check --replay)', () => {
  it('writes each recording rule over the range before the rules after it run, as vmalert -replay does', async () => {
    const alerting = await config(RULES.replaceAll('job:http_requests:rate1m', 'replayed:rate1m'));
    const report = await replayAlerting(alerting, { url: vm.url }, { fromMs: T0, toMs: T0 + 30 * MIN }, { url: vm.url });
    expect(report.errors).toEqual([]);
    expect(report.recorded_samples).toBe(2 * 31);
    // 5 a second from minute 20 (the 1m rate sees it from 20m30s, i.e. the evaluation at 21m).
    expect(report.incidents.map((i) => [i.alertname, i.fired_at, i.ended_at ?? null])).toEqual([
      ['JobBusy', new Date(T0 + 21 * MIN).toISOString(), null],
      ['JobVeryBusy', new Date(T0 + 21 * MIN).toISOString(), null],
    ]);
    const doubled = await vm.exportSeries('replayed:rate1m:doubled');
    expect(doubled[0]?.timestamps).toEqual(Array.from({ length: 31 }, (_, k) => T0 + k * MIN));
    expect(new Set(doubled[0]?.values)).toEqual(new Set([4, 10]));
  });
});

describe('rule unit tests agree with promtool test rules', () => {
  async function promtool(file: string): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await run('promtool', ['test', 'rules', file]);
      return { code: 0, output: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, output: e.stdout + e.stderr };
    }
  }
  async function periscope(file: string): Promise<{ code: number; output: string }> {
    let output = '';
    const code = await testRulesCommand([file], {}, (text) => void (output += text));
    return { code, output };
  }
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Unit Testing'));

  it.each([
    ['recording.pass.yml', 0, 0],
    ['recording-wrong-value.fail.yml', 1, 1],
    // The one deliberate difference: a label only the rule has renders the rule's value (docs/alerting.md).
    ['rule-only-label.yml', 1, 0],
  ])('%s: promtool exits %i, periscope %i', async (file, promtoolCode, periscopeCode) => {
    const path = join(FIXTURES, file);
    const [prom, ours] = await Promise.all([promtool(path), periscope(path)]);
    expect(prom.code, prom.output).toBe(promtoolCode);
    expect(ours.code, ours.output).toBe(periscopeCode);
    if (promtoolCode === periscopeCode && promtoolCode === 1) expect(lines(ours.output)).toEqual(lines(prom.output));
  }, 120_000);
});

describe('what a recording rule may hold, judged by promtool check rules', () => {
  it.each(CHECK_CASES)('%s', async (name) => {
    const path = join(FIXTURES, 'check', name);
    const prom = await run('promtool', ['check', 'rules', path]).then(
      () => 'accepted',
      () => 'refused',
    );
    const ours = await loadRuleFile(path).then(
      () => 'accepted',
      (err: unknown) => {
        if (!(err instanceof ConfigError)) throw err;
        return 'refused';
      },
    );
    expect(ours).toBe(prom);
    expect(prom).toBe(name.startsWith('ok-') ? 'accepted' : 'refused');
  });
});
