// vmalert 1.79 as the oracle of alert evaluation, on the same rule file and the same data:
// - replay: `vmalert -replay.timeFrom/-replay.timeTo` and `periscope check --replay` over 40 minutes of
//   seeded history (16 rules: a warning/critical pair with one name, `for` with resets, absent(), counter
//   resets, a gauge with gaps, rule labels replacing and templating labels, time(), recording rules feeding
//   alerts in later groups and in their own group, a 2m group). Each writes to its own VictoriaMetrics;
//   vmalert's ALERTS{alertstate="firing"} and ALERTS_FOR_STATE are read back and must equal the firing
//   steps and activeAt of Periscope's incidents, and the recorded series must be equal sample for sample.
// - live: one evaluation by a running vmalert and by `periscope check` of rules over steady data: the same
//   alerts with the same annotations (vmalert's /api/v1/alerts), apart from the documented difference.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkCommand } from '../../cli/check-command.js';
import { replayCommand } from '../../cli/replay-command.js';
import type { ReplayReport } from '../../shared/alerting/replay/replay.js';
import { labelFingerprint } from '../../shared/alerting/state/label-fingerprint.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle, type VmSeries } from '../support/victoria-metrics.js';
import { runVmalertReplay, startVmalert } from '../support/vmalert.js';

const MIN = 60_000;
const RULES = resolve('test/fixtures/vmalert/replay-rules.yml');
// An hour boundary well in the past: a multiple of both group intervals (1m and 2m).
const FROM = Math.floor((Date.now() - 4 * 3_600_000) / 3_600_000) * 3_600_000;
const TO = FROM + 40 * MIN;

let dir: string;
let vmalertVm: VmHandle;
let periscopeVm: VmHandle;

/** The seeded history, minute m counted from FROM; one sample every 15 s. */
function history(): string[] {
  const lines: string[] = [];
  const counters = { api1: 0, api2: 0, errors: 0 };
  for (let t = FROM - 30 * MIN; t <= TO + 5 * MIN; t += 15_000) {
    const m = (t - FROM) / MIN;
    lines.push(prometheusLine('node_filesystem_avail_percent', { instance: 'db-1:9100', mountpoint: '/var' }, m < 5 ? 50 : m < 12 ? 30 : m < 20 ? 10 : m < 26 ? 30 : 50, t));
    if (m < 25) lines.push(prometheusLine('up', { job: 'api', instance: 'api-1:8080' }, 1, t));
    const dbDown = (m >= 3 && m < 5) || (m >= 8 && m < 15) || (m >= 30 && m < 34);
    lines.push(prometheusLine('up', { job: 'db', instance: '10.0.0.7:9187' }, dbDown ? 0 : 1, t));
    // api-1: 3/s, 8/s from minute 10, 2/s from 20; the counter resets at minute 15. api-2: 2/s.
    if (m === 15) counters.api1 = 0;
    lines.push(prometheusLine('http_requests_total', { job: 'api', instance: 'api-1:8080' }, counters.api1, t));
    counters.api1 += (m >= 10 && m < 20 ? 8 : m >= 20 ? 2 : 3) * 15;
    lines.push(prometheusLine('http_requests_total', { job: 'api', instance: 'api-2:8080' }, counters.api2, t));
    counters.api2 += 2 * 15;
    // Errors: 4 a minute, 80 a minute from 18 to 24; the counter resets at minute 21.
    if (m === 21) counters.errors = 0;
    lines.push(prometheusLine('http_errors_total', { instance: 'api-1:8080' }, counters.errors, t));
    counters.errors += m >= 18 && m < 24 ? 20 : 1;
    // A gauge with a three-minute gap.
    if (!(m >= 8 && m < 11)) lines.push(prometheusLine('queue_depth', { queue: 'orders' }, (m >= 5 && m < 14) ? 150 : 50, t));
  }
  return lines;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-vmalert-'));
  [vmalertVm, periscopeVm] = await Promise.all([startVictoriaMetrics(), startVictoriaMetrics()]);
  const lines = history().join('\n');
  await Promise.all([vmalertVm.importPrometheus(lines), periscopeVm.importPrometheus(lines)]);
  await Promise.all([vmalertVm.flush(), periscopeVm.flush()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([vmalertVm?.cleanup(), periscopeVm?.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

/** What a command printed to stdout while it ran. */
async function stdoutOf(run: () => Promise<number>): Promise<{ code: number; text: string }> {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    return { code: await run(), text };
  } finally {
    spy.mockRestore();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const keyOf = (labels: Record<string, string>) => {
  const { __name__: _name, alertstate: _state, ...rest } = labels;
  return JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))));
};

describe('replay: vmalert 1.79 and periscope check --replay', () => {
  let vmalertFiring: Map<string, number[]>;
  let vmalertActiveAt: Map<string, Map<number, number>>;
  let report: ReplayReport;

  beforeAll(async () => {
    await runVmalertReplay({ rulesFile: RULES, datasourceUrl: vmalertVm.url, remoteWriteUrl: vmalertVm.url, from: new Date(FROM), to: new Date(TO), workDir: dir, afterRule: () => vmalertVm.flush() });
    vmalertFiring = new Map((await vmalertVm.exportSeries('ALERTS{alertstate="firing"}')).map((s) => [keyOf(s.metric), [...s.timestamps].sort((a, b) => a - b)]));
    vmalertActiveAt = new Map(
      (await vmalertVm.exportSeries('ALERTS_FOR_STATE')).map((s) => [keyOf(s.metric), new Map(s.timestamps.map((t, i) => [t, (s.values[i] as number) * 1000]))]),
    );
    const config = join(dir, 'replay-targets.yml');
    await writeFile(config, `rule_files: [${RULES}]\n`);
    const run = await stdoutOf(() => replayCommand({ config, vmUrl: periscopeVm.url, json: true, replay: `${iso(FROM)}..${iso(TO)}` }));
    expect(run.code, run.text).toBe(0);
    report = JSON.parse(run.text) as ReplayReport;
  }, 180_000);

  it('replays at least 12 rules, pairs, recording rules and all, without errors', () => {
    expect(report.rules).toBeGreaterThanOrEqual(12);
    expect(report.errors).toEqual([]);
    // Every alerting rule of the file fires at some point, in both.
    const names = (keys: Iterable<string>) => new Set([...keys].map((k) => (JSON.parse(k) as Record<string, string>).alertname));
    expect(names(vmalertFiring.keys())).toEqual(
      new Set(['NodeFilesystemSpaceFillingUp', 'InstanceDown', 'ReplicaDown', 'ApiAbsent', 'QueueBacklog', 'EveryTenMinutes', 'RequestRateHigh', 'ErrorsBurst', 'JobBusy', 'ErrorsRecorded', 'JobWasBusy', 'InstanceDownSlow']),
    );
  });

  it('fires the same alerts at the same evaluation steps, with the same activeAt', () => {
    const intervalOf = (group: string | undefined) => (group === 'slow' ? 2 * MIN : MIN);
    const ours = new Map<string, number[]>();
    const activeAt = new Map<string, Map<number, number>>();
    for (const incident of report.incidents) {
      const key = keyOf(incident.labels);
      const step = intervalOf(incident.labels.alertgroup);
      const end = incident.ended_at ? Date.parse(incident.ended_at) : TO + step;
      for (let t = Date.parse(incident.fired_at); t < end; t += step) {
        ours.set(key, [...(ours.get(key) ?? []), t]);
        activeAt.set(key, (activeAt.get(key) ?? new Map<number, number>()).set(t, Date.parse(incident.started_at)));
      }
    }
    const show = (m: Map<string, number[]>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, ts]) => [k, ts.map((t) => (t - FROM) / MIN).join(',')]));
    expect(show(ours)).toEqual(show(vmalertFiring));
    // vmalert writes ALERTS_FOR_STATE for rules with `for` only.
    for (const [key, byTime] of vmalertActiveAt) {
      for (const [t, at] of byTime) {
        if (!vmalertFiring.get(key)?.includes(t)) continue; // pending steps: Periscope lists firing incidents
        expect(activeAt.get(key)?.get(t), `${key} at minute ${(t - FROM) / MIN}`).toBe(at);
      }
    }
  });

  it('records the same series, sample for sample', async () => {
    const recorded = async (vm: VmHandle) =>
      Object.fromEntries(
        (await vm.exportSeries('{__name__=~"job:.*|instance:.*"}'))
          .map((s: VmSeries) => [labelFingerprint(s.metric), { metric: s.metric, samples: s.timestamps.map((t, i) => [t, s.values[i]]).sort((a, b) => (a[0] as number) - (b[0] as number)) }] as const)
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    const theirs = await recorded(vmalertVm);
    expect(Object.keys(theirs)).toHaveLength(3);
    expect(await recorded(periscopeVm)).toEqual(theirs);
    expect(report.recorded_samples).toBe(Object.values(theirs).reduce((n, s) => n + s.samples.length, 0));
  });
});

describe('live: one evaluation by vmalert and by periscope check', () => {
  const LIVE_RULES = `
groups:
  - name: live
    interval: 10s
    rules:
      - alert: DiskFilling
        expr: disk_free_percent < 40
        labels: { severity: warning }
        annotations:
          summary: "{{ $labels.mountpoint }} on {{ $labels.instance }}: {{ $value }}% left (warning)"
      - alert: DiskFilling
        expr: disk_free_percent < 20
        labels: { severity: critical }
        annotations:
          summary: "{{ $labels.mountpoint }} on {{ $labels.instance }}: {{ $value | humanize }}% left (critical)"
          description: "{{ if lt $value 10.0 }}nearly full{{ else }}filling{{ end }}"
      - alert: ReplicaDown
        expr: replica_up == 0
        labels: { instance: db-primary, team: storage }
        annotations:
          summary: "{{ $labels.instance }} is down"
          owner: "team {{ $labels.team }}"
      - alert: QueueBacklog
        expr: sum by (queue) (queue_depth) > 100
        annotations:
          summary: "{{ $labels.queue }} holds {{ $value | humanize }} ({{ printf \\"%.1f\\" $value }})"
`;
  let notifier: WebhookReceiver;

  beforeAll(async () => {
    notifier = await startWebhookReceiver();
    // Steady values around now, so the evaluation time of either does not matter.
    const lines: string[] = [];
    for (let t = Date.now() - 10 * MIN; t <= Date.now() + 5 * MIN; t += 5_000) {
      const at = Math.round(t);
      lines.push(prometheusLine('disk_free_percent', { instance: 'db-1:9100', mountpoint: '/var' }, 8.5, at));
      lines.push(prometheusLine('replica_up', { instance: '10.0.0.7:9187', job: 'db' }, 0, at));
      lines.push(prometheusLine('queue_depth', { queue: 'orders', shard: 'a' }, 1234.5678, at));
    }
    await Promise.all([vmalertVm.importPrometheus(lines.join('\n')), periscopeVm.importPrometheus(lines.join('\n'))]);
    await Promise.all([vmalertVm.flush(), periscopeVm.flush()]);
  });

  afterAll(async () => {
    await notifier?.close();
  });

  it('gives the same alerts the same annotations, but for a label only the rule has', async () => {
    const rulesFile = join(dir, 'live-rules.yml');
    await writeFile(rulesFile, LIVE_RULES);
    const vmalert = await startVmalert({ rulesFile, datasourceUrl: vmalertVm.url, notifierUrl: notifier.url });
    let theirs;
    try {
      const until = Date.now() + 30_000;
      while (!(await vmalert.evaluated()) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      theirs = await vmalert.alerts();
    } finally {
      await vmalert.stop();
    }
    const config = join(dir, 'live-targets.yml');
    await writeFile(config, `rule_files: [${rulesFile}]\n`);
    const run = await stdoutOf(() => checkCommand({ config, vmUrl: periscopeVm.url, json: true }));
    expect(run.code, run.text).toBe(0);
    const ours = (JSON.parse(run.text) as { groups: Array<{ rules: Array<{ alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> }> }> }).groups
      .flatMap((g) => g.rules.flatMap((r) => r.alerts))
      .map((a) => [keyOf(a.labels), a.annotations] as const);
    const byKey = (list: ReadonlyArray<readonly [string, Record<string, string>]>) => Object.fromEntries([...list].sort(([a], [b]) => a.localeCompare(b)));
    const expected = byKey(theirs.map((a) => [keyOf(a.labels), a.annotations] as const));
    expect(Object.keys(expected)).toHaveLength(4);
    // vmalert 1.79 renders a label only the rule has as "<no value>" (Go's text/template on a missing map
    // key); Periscope renders the rule's value, as vmalert does from 1.82 (docs/alerting.md). Everything
    // else must be the same.
    const replica = Object.keys(expected).find((k) => k.includes('ReplicaDown')) as string;
    expect(expected[replica]?.owner).toBe('team <no value>');
    expected[replica] = { ...expected[replica], owner: 'team storage' };
    expect(byKey(ours)).toEqual(expected);
  }, 60_000);
});
