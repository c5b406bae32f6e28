// Replay over history against a real VictoriaMetrics holding a seeded pizza month with known spikes:
// the threshold rule lists exactly the large spikes, a less sensitive anomaly rule lists fewer, range
// queries give what the live evaluator's instant queries give, and nothing is written.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { loadAlertingConfig, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { replayAlerting, replaySteps } from '../../shared/alerting/replay/replay.js';
import { fetchResults } from '../../shared/alerting/replay/results-table.js';
import { queryInstant } from '../../shared/victoria-metrics/index.js';
import { LARGE_SPIKES, monthStartBefore, pizzaMonthLines, SPIKES } from '../support/pizza-month.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const run = promisify(execFile);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const MONTH = 28 * DAY;
const start = monthStartBefore(Date.now());
let vm: VmHandle;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  for (const lines of pizzaMonthLines(start)) await vm.importPrometheus(lines.join('\n'));
  // A gauge with gaps, for the look-back of selectors without a window.
  const gappy: string[] = [];
  for (let t = start + 2 * DAY + 11 * 60 * MIN; t < start + 2 * DAY + 14 * 60 * MIN; t += MIN) {
    if ((t / MIN) % 10 < 7) gappy.push(prometheusLine('queue_depth', { queue: 'orders' }, (t / MIN) % 13, t));
  }
  await vm.importPrometheus(gappy.join('\n'));
  await vm.flush();
}, 120_000);

afterAll(async () => {
  await vm?.cleanup();
});

async function config(yaml: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(yaml, 'targets/pizza-replay.yml'), 'targets/pizza-replay.yml');
}

const within = (iso: string | undefined, from: number, to: number) => {
  const t = Date.parse(iso ?? '');
  return t >= from && t <= to;
};

describe('replay of the seeded month', () => {
  it('lists exactly the large spikes for the 20 000-orders-an-hour rule, with for and keep_firing_for', async () => {
    const report = await replayAlerting(await config('rule_files: [rules/pizza.yml]\n'), { url: vm.url }, { fromMs: start, toMs: start + MONTH });
    expect(report.errors).toEqual([]);
    expect(report.evaluations).toBe(3 * (MONTH / MIN + 1));
    const spikes = report.incidents.filter((i) => i.alertname === 'PizzaOrdersSpike');
    expect(spikes).toHaveLength(LARGE_SPIKES.length);
    spikes.forEach((incident, k) => {
      const spike = LARGE_SPIKES[k]!;
      const from = start + spike.atMs;
      const end = from + spike.minutes * MIN;
      expect(within(incident.started_at, from, end), `${spike.name}: ${incident.started_at}`).toBe(true);
      // for: 5m
      expect(Date.parse(incident.fired_at) - Date.parse(incident.started_at)).toBe(5 * MIN);
      // The hour-long window keeps it above the line for up to an hour after the spike, then keep_firing_for.
      expect(within(incident.ended_at, end, end + 70 * MIN), `${spike.name} ended ${incident.ended_at}`).toBe(true);
      expect(incident.notifications[0]).toEqual({ at: incident.fired_at, kind: 'firing' });
      expect(incident.notifications.at(-1)).toEqual({ at: incident.ended_at, kind: 'resolved' });
      expect(incident.max_value).toBeGreaterThan(20_000);
    });
    // No orders fail in the seeded month.
    expect(report.incidents.filter((i) => i.alertname === 'PizzaOrdersFailing')).toEqual([]);
  });

  it('an anomaly rule with a higher sensitivity threshold lists fewer incidents', async () => {
    const anomaly = (name: string, sensitivity: number) => `
      - alert: ${name}
        anomaly:
          query: sum(increase(orders_created_total{service="pizza-service"}[1h]))
          baseline: { season: 1w, periods: 4 }
          sensitivity: ${sensitivity}
          direction: up
          min_deviation: 2000`;
    const report = await replayAlerting(
      await config(`rules:\n  - name: unusual\n    rules:${anomaly('Sensitive', 3)}${anomaly('Relaxed', 40)}\n`),
      { url: vm.url },
      { fromMs: start, toMs: start + MONTH },
    );
    expect(report.errors).toEqual([]);
    const of = (name: string) => report.incidents.filter((i) => i.alertname === name);
    // Every spike, the small bump included, and nothing else; at 40 deviations only the large ones (the bump scores about 22).
    expect(of('Sensitive')).toHaveLength(SPIKES.length);
    SPIKES.forEach((spike, k) => expect(within(of('Sensitive')[k]?.started_at, start + spike.atMs, start + spike.atMs + spike.minutes * MIN), spike.name).toBe(true));
    expect(of('Relaxed')).toHaveLength(LARGE_SPIKES.length);
    expect(of('Relaxed').length).toBeLessThan(of('Sensitive').length);
  });

  it('respects repeat_interval and maintenance windows in the notifications it lists', async () => {
    const promotion = LARGE_SPIKES[2]!;
    const match = LARGE_SPIKES[1]!;
    const window = (from: number, to: number) => `{ name: match-night, matchers: { severity: critical }, start: "${new Date(from).toISOString()}", end: "${new Date(to).toISOString()}" }`;
    const report = await replayAlerting(
      await config(`rule_files: [rules/pizza.yml]\nalerting:\n  repeat_interval: 1h\n  maintenance: [${window(start + match.atMs, start + match.atMs + 2 * 60 * MIN)}]\n`),
      { url: vm.url },
      { fromMs: start, toMs: start + MONTH },
    );
    const spikes = report.incidents.filter((i) => i.alertname === 'PizzaOrdersSpike');
    // The match night fired entirely inside the window: listed, muted, nothing sent.
    const muted = spikes.find((i) => within(i.started_at, start + match.atMs, start + match.atMs + 60 * MIN));
    expect(muted?.muted_by).toEqual(['match-night']);
    expect(muted?.notifications).toEqual([]);
    // The promotion fires for over an hour: a reminder an hour after the first notification.
    const long = spikes.find((i) => within(i.started_at, start + promotion.atMs, start + promotion.atMs + promotion.minutes * MIN));
    const kinds = long?.notifications.map((n) => n.kind);
    expect(kinds?.[0]).toBe('firing');
    expect(kinds).toContain('reminder');
    const reminder = long?.notifications.find((n) => n.kind === 'reminder');
    expect(Date.parse(reminder?.at ?? '') - Date.parse(long?.fired_at ?? '')).toBe(60 * MIN);
    // Notifications are grouped per rule and status, as the live evaluator sends them.
    expect(report.notifications.filter((n) => n.alertname === 'PizzaOrdersSpike').length).toBe(spikes.reduce((n, i) => n + i.notifications.length, 0));
  });
});

describe('range queries give what the live instant queries give', () => {
  const exprs = [
    'sum(increase(orders_created_total{service="pizza-service"}[1h])) > 5000',
    'rate(orders_created_total[5m])',
    'orders_created_total',
    'queue_depth',
    'queue_depth > 4',
    'absent(queue_depth{queue="mail"})',
    'sum(increase(orders_created_total[1h]))',
  ];
  it.each(exprs)('%s', async (expr) => {
    // Two hours around the first spike, the gauge's gaps included.
    const from = start + 2 * DAY + 11 * 60 * MIN;
    const steps = replaySteps(from, from + 120 * MIN, MIN);
    const table = await fetchResults({ url: vm.url }, expr, [{ startMs: steps[0]!, endMs: steps.at(-1)!, stepMs: MIN }], { maxPoints: 50 });
    expect(table.requests).toBe(3); // chunked
    let nonEmpty = 0;
    for (const ts of steps) {
      const instant = await queryInstant({ url: vm.url }, expr, ts / 1000, 60);
      const key = (s: { labels: Record<string, string> }) => JSON.stringify(Object.entries(s.labels).sort());
      const sort = <T extends { labels: Record<string, string> }>(list: readonly T[]) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(sort(table.at(ts)), `${expr} at ${new Date(ts).toISOString()}`).toEqual(sort(instant));
      if (instant.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(0);
  });
});

describe('periscope check --replay', () => {
  it('prints the incidents as JSON and writes no alert state', async () => {
    const from = new Date(start).toISOString();
    const to = new Date(start + MONTH).toISOString();
    const { stdout } = await run('node', ['bin/periscope.js', 'check', '--config', 'targets/pizza-replay.yml', '--vm-url', vm.url, '--replay', `${from}..${to}`, '--json'], { maxBuffer: 64 * 1024 * 1024 });
    const report = JSON.parse(stdout) as { incidents: Array<{ alertname: string }>; errors: unknown[] };
    expect(report.errors).toEqual([]);
    expect(report.incidents.filter((i) => i.alertname === 'PizzaOrdersSpike')).toHaveLength(LARGE_SPIKES.length);
    await vm.flush();
    const state = await vm.exportSeries('{__name__=~"ALERTS.*|periscope_.*"}');
    expect(state).toEqual([]);
  }, 120_000);

  it('rejects a bad range with exit 2 and names the flag', async () => {
    const failed = await run('node', ['bin/periscope.js', 'check', '--config', 'targets/pizza-replay.yml', '--vm-url', vm.url, '--replay', 'yesterday..now']).catch((err: { code: number; stderr: string }) => err);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toContain('--replay: "yesterday" is not a time');
  }, 60_000);
});
