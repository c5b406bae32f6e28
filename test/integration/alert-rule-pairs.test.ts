// Two rules with the same alert name in one group — the usual warning/critical pair (node-mixin's
// NodeFilesystemSpaceFillingUp) — against a real VictoriaMetrics, state restored from it at every
// evaluation as in production: each rule keeps its own alerts (vmalert and Prometheus keep state per rule),
// so neither sees its sibling's alert as gone, every state series has one value per timestamp, and each
// resolved message carries its own rule's annotations. Also: label templates when a rule label replaces a
// series label, and state written before it was kept per rule.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkCommand } from '../../cli/check-command.js';
import { parseTargetsFile } from '../../shared/config/index.js';
import { createMemoryClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { labelFingerprint } from '../../shared/alerting/state/label-fingerprint.js';
import { loadAlertingConfig, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { decodeStates } from '../../shared/alerting/state/state-store.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { Notification } from '../../shared/notify/types.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle, type VmSeries } from '../support/victoria-metrics.js';

const MIN = 60_000;
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;

let vm: VmHandle;
const claims = createMemoryClaimStore();

beforeAll(async () => {
  vm = await startVictoriaMetrics();
});

afterAll(async () => {
  await vm.cleanup();
});

async function config(yaml: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(yaml, 'pairs.yml'), 'pairs.yml');
}

function deps(alerting: AlertingConfig, sent: Notification[]): AlertingDeps {
  return {
    read: { url: vm.url },
    write: { url: vm.url },
    settings: alerting.settings,
    notify: async (n) => void sent.push(n),
    logger: silentLogger,
    stage: 'prod',
    region: 'eu-central-1',
    claims,
    mode: 'live',
  };
}

/** Each series has at most one value per timestamp (a retried identical write would be fine; two values not). */
function conflicts(series: VmSeries[]): string[] {
  const out: string[] = [];
  for (const s of series) {
    const byTime = new Map<number, Set<number>>();
    s.timestamps.forEach((t, i) => byTime.set(t, (byTime.get(t) ?? new Set()).add(s.values[i] as number)));
    for (const [t, values] of byTime) if (values.size > 1) out.push(`${JSON.stringify(s.metric)} @${t}: ${[...values].join(' and ')}`);
  }
  return out;
}

describe('a warning/critical pair with the same alert name', () => {
  const BASE = T0;
  // Free space: 50 % until minute 3, 30 % (warning) until 6, 10 % (both) until 10, 30 % until 14, then 50 %.
  const free = (minute: number) => (minute < 3 ? 50 : minute < 6 ? 30 : minute < 10 ? 10 : minute < 14 ? 30 : 50);
  let alerting: AlertingConfig;
  const sent: Notification[] = [];

  beforeAll(async () => {
    const lines: string[] = [];
    for (let t = BASE - 5 * MIN; t <= BASE + 25 * MIN; t += 30_000) {
      lines.push(prometheusLine('node_filesystem_avail_percent', { instance: 'db-1:9100', mountpoint: '/var' }, free(Math.floor((t - BASE) / MIN)), t));
    }
    await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    alerting = await config(`
alerting: { repeat_interval: 3m }
rules:
  - name: node-filesystem
    interval: 1m
    rules:
      - alert: NodeFilesystemSpaceFillingUp
        expr: node_filesystem_avail_percent < 40
        for: 1m
        labels: { severity: warning }
        annotations: { summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value }}% left (warning)" }
      - alert: NodeFilesystemSpaceFillingUp
        expr: node_filesystem_avail_percent < 20
        for: 1m
        labels: { severity: critical }
        annotations: { summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value }}% left (critical)" }
`);
    // Every evaluation restores the state from VictoriaMetrics, as a cold Lambda would.
    for (let minute = 0; minute <= 18; minute++) await evaluateGroup(alerting.groups[0]!, deps(alerting, sent), BASE + minute * MIN + 5_000);
  });

  const timeline = (severity: string) =>
    sent.flatMap((n) =>
      n.alerts.filter((a) => a.labels.severity === severity).map((a) => `${n.status}${n.reminder ? '+reminder' : ''}@${(Date.parse(n.evaluated_at) - BASE) / MIN}:${a.annotations.summary}`),
    );

  it('fires, reminds at repeat_interval and resolves once, per rule', () => {
    expect(timeline('warning')).toEqual([
      'firing@4:/var on db-1:9100 has 30% left (warning)',
      'firing+reminder@7:/var on db-1:9100 has 10% left (warning)',
      'firing+reminder@10:/var on db-1:9100 has 30% left (warning)',
      'firing+reminder@13:/var on db-1:9100 has 30% left (warning)',
      'resolved@14:/var on db-1:9100 has 30% left (warning)',
    ]);
    // The critical one resolves with its own annotations, not its sibling's.
    expect(timeline('critical')).toEqual(['firing@7:/var on db-1:9100 has 10% left (critical)', 'resolved@10:/var on db-1:9100 has 10% left (critical)']);
  });

  it('writes each state series once per evaluation, one value each', async () => {
    const state = await vm.exportSeries('{__name__=~"periscope_alert_.*|ALERTS|ALERTS_FOR_STATE",alertname="NodeFilesystemSpaceFillingUp"}');
    expect(conflicts(state)).toEqual([]);
    const phases = await vm.exportSeries('periscope_alert_state{alertname="NodeFilesystemSpaceFillingUp"}');
    // One series per rule, each carrying its rule's key.
    expect(phases.map((s) => [s.metric.severity, s.metric.periscope_rule]).sort()).toEqual(
      alerting.groups[0]!.rules.map((r, i) => [i === 0 ? 'warning' : 'critical', r.key]).sort(),
    );
    const critical = phases.find((s) => s.metric.severity === 'critical')!;
    const at = (minute: number) => critical.values[critical.timestamps.indexOf(BASE + minute * MIN)];
    expect([at(6), at(7), at(9), at(10)]).toEqual([1, 2, 2, 0]);
    const forState = await vm.exportSeries('ALERTS_FOR_STATE{alertname="NodeFilesystemSpaceFillingUp",severity="critical"}');
    expect(new Set(forState[0]?.values)).toEqual(new Set([(BASE + 6 * MIN) / 1000]));
  });
});

describe('the pair through periscope check --notify, state in VictoriaMetrics and claims in the data directory', () => {
  const BASE = T0 + 30 * MIN;
  // Free space: 30 % (warning) from minute 1 to 9, 10 % (critical too) from 3 to 6, 50 % otherwise.
  const free = (minute: number) => (minute >= 3 && minute < 6 ? 10 : minute >= 1 && minute < 9 ? 30 : 50);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periscope-pairs-'));
    const lines: string[] = [];
    for (let t = BASE - 5 * MIN; t <= BASE + 15 * MIN; t += 30_000) {
      lines.push(prometheusLine('cli_fs_avail_percent', { instance: 'db-2:9100', mountpoint: '/' }, free(Math.floor((t - BASE) / MIN)), t));
    }
    await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    await writeFile(
      join(dir, 'targets.yml'),
      `alerting: { repeat_interval: 2m }
rules:
  - name: cli-pair
    interval: 1m
    rules:
      - alert: FilesystemFillingUp
        expr: cli_fs_avail_percent < 40
        labels: { severity: warning }
        annotations: { summary: "{{ $labels.mountpoint }}: {{ $value }}% left (warning)" }
      - alert: FilesystemFillingUp
        expr: cli_fs_avail_percent < 20
        labels: { severity: critical }
        annotations: { summary: "{{ $labels.mountpoint }}: {{ $value }}% left (critical)" }
`,
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('one firing, reminders at repeat_interval and one resolved per rule, each with its own annotations', async () => {
    const events: string[] = [];
    for (let minute = 0; minute <= 11; minute++) {
      let printed = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((printed += String(chunk)), true));
      let code: number;
      try {
        code = await checkCommand({ config: join(dir, 'targets.yml'), vmUrl: vm.url, notify: true, json: true, dataDir: join(dir, 'data') }, BASE + minute * MIN + 5_000);
      } finally {
        spy.mockRestore();
      }
      expect(code, printed).toBe(0);
      const run = JSON.parse(printed) as { groups: Array<{ sent: number; notifications: Notification[] }> };
      expect(run.groups[0]?.sent).toBe(run.groups[0]?.notifications.length);
      for (const n of run.groups[0]?.notifications ?? []) {
        for (const a of n.alerts) events.push(`${a.labels.severity} ${n.status}${n.reminder ? '+reminder' : ''}@${minute}: ${a.annotations.summary}`);
      }
    }
    expect(events).toEqual([
      'warning firing@1: /: 30% left (warning)',
      'warning firing+reminder@3: /: 10% left (warning)',
      'critical firing@3: /: 10% left (critical)',
      'warning firing+reminder@5: /: 10% left (warning)',
      'critical firing+reminder@5: /: 10% left (critical)',
      'critical resolved@6: /: 10% left (critical)',
      'warning firing+reminder@7: /: 30% left (warning)',
      'warning resolved@9: /: 30% left (warning)',
    ]);
  }, 120_000);
});

describe('labels a rule replaces', () => {
  const BASE = T0 + 60 * MIN;
  it('annotations see the query value of a label the rule overrides and the rule value of one it adds, also in the resolved message after a cold start', async () => {
    const lines: string[] = [];
    for (let t = BASE - 5 * MIN; t <= BASE + 10 * MIN; t += 30_000) lines.push(prometheusLine('replica_lag_seconds', { instance: '10.0.0.7:9187' }, t < BASE + 3 * MIN ? 120 : 0, t));
    await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    const alerting = await config(`
rules:
  - name: replicas
    interval: 1m
    rules:
      - alert: ReplicaLagging
        expr: replica_lag_seconds > 60
        labels: { instance: db-primary, team: storage }
        annotations: { summary: "{{ $labels.instance }} lags ({{ $labels.team }})" }
`);
    const sent: Notification[] = [];
    for (let minute = 0; minute <= 4; minute++) await evaluateGroup(alerting.groups[0]!, deps(alerting, sent), BASE + minute * MIN + 5_000);
    expect(sent.map((n) => [n.status, n.alerts[0]?.labels.instance, n.alerts[0]?.annotations.summary])).toEqual([
      ['firing', 'db-primary', '10.0.0.7:9187 lags (storage)'],
      ['resolved', 'db-primary', '10.0.0.7:9187 lags (storage)'],
    ]);
  });
});

describe('state written before alerts were kept per rule', () => {
  const group = (yaml: string) => config(yaml).then((c) => c.groups[0]!);
  const at = 1_796_000_000_000;
  const series = (name: string, labels: Record<string, string>, value: number, t = at) => ({ labels: { __name__: name, ...labels }, values: [value], timestamps: [t] });

  it('goes to the rule of that name whose fixed labels the alert carries, unless the alert has per-rule state since', async () => {
    const g = await group(`rules:\n  - name: g\n    rules:\n      - alert: Full\n        expr: a\n        labels: { severity: warning }\n      - alert: Full\n        expr: b\n        labels: { severity: critical }\n`);
    const [warning, critical] = g.rules;
    const old = { alertname: 'Full', alertgroup: 'g', severity: 'critical', instance: 'x' };
    const legacy = [
      series('periscope_alert_state', old, 2),
      series('ALERTS_FOR_STATE', old, at / 1000 - 600),
      series('periscope_alert_notified_at', old, at / 1000 - 300),
      series('periscope_rule_health', { alertgroup: 'g', alertname: 'Full' }, 1),
    ];
    const restored = decodeStates(legacy, at, g.rules);
    expect(restored.alerts.get(warning!.key)).toBeUndefined();
    expect([...(restored.alerts.get(critical!.key)?.values() ?? [])]).toMatchObject([{ labels: old, phase: 'firing', activeAt: at - 600_000, notifiedAt: at - 300_000 }]);
    expect(restored.health).toEqual(new Map([[warning!.key, true], [critical!.key, true]]));
    // Once the rule has written the alert's state itself (here: ended), the old series no longer count.
    const since = [...legacy, series('periscope_alert_state', { ...old, periscope_rule: critical!.key }, 0, at + MIN)];
    expect(decodeStates(since, at + MIN, g.rules).alerts.size).toBe(0);
    expect(labelFingerprint(old)).toBe([...(restored.alerts.get(critical!.key)?.keys() ?? [])][0]);
  });
});
