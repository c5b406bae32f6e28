// The alerting engine against a real VictoriaMetrics with seeded series: the pizza-service cases, a
// seasonal anomaly, the alert lifecycle and its state across "cold starts", and overlapping evaluations.
// Time is simulated by evaluating at past instants; state is written at those instants, as in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { createMemoryClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { Notification } from '../../shared/notify/types.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const WEEK = 7 * 24 * HOUR;
// A base instant three hours ago, aligned to the minute: every evaluation below happens after it.
const T0 = Math.floor((Date.now() - 3 * HOUR) / MIN) * MIN;

let vm: VmHandle;
// One claim store for every evaluator of this file, as all Lambda invocations share one DynamoDB table.
const claims = createMemoryClaimStore();

beforeAll(async () => {
  // Its own instance: these tests write alert state, which must not meet other files' series.
  vm = await startVictoriaMetrics();
});

afterAll(async () => {
  await vm.cleanup();
});

async function seed(lines: string[]): Promise<void> {
  await vm.importPrometheus(lines.join('\n'));
  await vm.flush();
}

/** A counter growing at `perHour` from `from` to `to`, one sample a minute. */
function counter(name: string, labels: Record<string, string>, from: number, to: number, perHour: (t: number) => number): string[] {
  const lines: string[] = [];
  let total = 0;
  for (let t = from; t <= to; t += MIN) {
    lines.push(prometheusLine(name, labels, Math.round(total), t));
    total += perHour(t) / 60;
  }
  return lines;
}

async function config(yaml: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(yaml, 'alerting-test.yml'), 'alerting-test.yml');
}

function harness(overrides: Partial<AlertingDeps> = {}): { deps: AlertingDeps; sent: Notification[] } {
  const sent: Notification[] = [];
  return {
    sent,
    deps: {
      read: { url: vm.url },
      write: { url: vm.url },
      settings: { evaluation_interval: MIN, repeat_interval: 4 * HOUR, maintenance: [], external_labels: {} },
      notify: async (n) => void sent.push(n),
      logger: silentLogger,
      stage: 'prod',
      region: 'eu-central-1',
      vmUiUrl: 'http://127.0.0.1:8428',
      claims,
      mode: 'live',
      ...overrides,
    },
  };
}

describe('pizza-service', () => {
  let alerting: AlertingConfig;
  beforeAll(async () => {
    // normal: 10 000 orders an hour all along; spike: 25 000 an hour in the last hour; failing: 500 failed.
    const end = T0 + 2 * HOUR;
    await seed([
      ...counter('orders_created_total', { service: 'pizza-normal' }, T0, end, () => 10_000),
      ...counter('orders_created_total', { service: 'pizza-spike' }, T0, end, (t) => (t >= end - HOUR ? 25_000 : 10_000)),
      ...counter('orders_failed_total', { service: 'pizza-failing' }, T0, end, (t) => (t >= end - HOUR ? 500 : 0)),
    ]);
    alerting = await config(`
rules:
  - name: pizza
    interval: 1m
    rules:
      - alert: PizzaOrdersSpike
        expr: sum by (service) (increase(orders_created_total{service=~"pizza-.*"}[1h])) > 20000
        labels: { severity: critical }
        annotations:
          summary: "{{ $labels.service }} created {{ $value | humanize }} orders in the last hour"
          description: "Normal is about 10 000 an hour; now {{ printf \\"%.0f\\" $value }}."
      - alert: PizzaOrdersFailing
        threshold:
          query: sum by (service) (increase(orders_failed_total[1h]))
          at_least: 500
        labels: { severity: warning }
        annotations:
          summary: "{{ $value }} failed orders in the last hour"
`);
  });

  it('stays quiet at 10 000 an hour, fires PizzaOrdersSpike at 25 000 with the value in the message, and fires on 500 failed orders', async () => {
    const { deps, sent } = harness();
    const report = await evaluateGroup(alerting.groups[0]!, deps, T0 + 2 * HOUR + 10_000);
    const spike = report.rules.find((r) => r.rule === 'PizzaOrdersSpike');
    expect(spike?.state).toBe('firing');
    expect(spike?.alerts.map((a) => a.labels.service)).toEqual(['pizza-spike']);
    const spikeMessage = sent.find((n) => n.alertname === 'PizzaOrdersSpike');
    expect(spikeMessage?.status).toBe('firing');
    expect(spikeMessage?.severity).toBe('critical');
    const value = spikeMessage?.alerts[0]?.value ?? 0;
    expect(value).toBeGreaterThan(24_000);
    expect(value).toBeLessThan(26_000);
    expect(spikeMessage?.alerts[0]?.annotations.summary).toMatch(/^pizza-spike created 2\d(\.\d+)?k orders in the last hour$/);
    expect(spikeMessage?.alerts[0]?.annotations.description).toBe(`Normal is about 10 000 an hour; now ${value.toFixed(0)}.`);
    expect(spikeMessage?.query_url).toContain('/vmui/#/?g0.expr=');
    const failing = sent.find((n) => n.alertname === 'PizzaOrdersFailing');
    expect(failing?.alerts[0]?.labels).toMatchObject({ service: 'pizza-failing', severity: 'warning', alertname: 'PizzaOrdersFailing', alertgroup: 'pizza' });
    expect(sent).toHaveLength(2);
  });
});

describe('alert lifecycle and state kept in VictoriaMetrics', () => {
  const BASE = T0 + 30 * MIN;
  let alerting: AlertingConfig;
  beforeAll(async () => {
    // kitchen_temperature is too hot (value 300) from BASE to BASE+10m, normal (180) afterwards.
    const lines: string[] = [];
    for (let t = BASE - 10 * MIN; t <= BASE + 30 * MIN; t += 30_000) {
      lines.push(prometheusLine('kitchen_temperature', { oven: 'a' }, t >= BASE && t < BASE + 10 * MIN ? 300 : 180, t));
    }
    await seed(lines);
    alerting = await config(`
alerting: { repeat_interval: 4m }
rules:
  - name: kitchen
    interval: 1m
    rules:
      - alert: OvenTooHot
        expr: kitchen_temperature > 250
        for: 2m
        labels: { severity: critical }
        annotations: { summary: "Oven {{ $labels.oven }} at {{ $value }}" }
`);
  });

  it('goes pending → firing after `for`, reminds every repeat_interval, resolves once with how long it lasted', async () => {
    const { deps, sent } = harness({ settings: alerting.settings });
    const group = alerting.groups[0]!;
    const states: string[] = [];
    for (let minute = 0; minute <= 14; minute++) {
      const report = await evaluateGroup(group, deps, BASE + minute * MIN + 5_000);
      states.push(report.rules[0]!.state);
    }
    // Samples of "300" exist from BASE (visible at BASE+0) to BASE+9m30s; the lookback keeps the last
    // one visible a little longer, so the alert ends at the first evaluation that sees 180.
    expect(states.slice(0, 2)).toEqual(['pending', 'pending']);
    expect(states[2]).toBe('firing');
    expect(states.at(-1)).toBe('inactive');
    const kinds = sent.map((n) => `${n.status}${n.reminder ? '+reminder' : ''}`);
    expect(kinds[0]).toBe('firing');
    expect(kinds.filter((k) => k === 'firing+reminder').length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k) => k === 'resolved')).toHaveLength(1);
    expect(kinds.at(-1)).toBe('resolved');
    const resolved = sent.at(-1)!;
    expect(resolved.alerts[0]?.duration_seconds).toBeGreaterThanOrEqual(9 * 60);
    expect(resolved.alerts[0]?.ended_at).toBeDefined();
    // ALERTS and ALERTS_FOR_STATE are written as vmalert writes them.
    const alertsSeries = await vm.exportSeries('ALERTS{alertname="OvenTooHot"}');
    expect(new Set(alertsSeries.map((s) => s.metric.alertstate))).toEqual(new Set(['pending', 'firing']));
    const forState = await vm.exportSeries('ALERTS_FOR_STATE{alertname="OvenTooHot"}');
    expect(forState[0]?.values[0]).toBe((BASE) / 1000);
  });
});

describe('cold starts and overlapping evaluations', () => {
  const BASE = T0 + 90 * MIN;
  let alerting: AlertingConfig;
  beforeAll(async () => {
    const lines: string[] = [];
    for (let t = BASE - 5 * MIN; t <= BASE + 20 * MIN; t += 30_000) lines.push(prometheusLine('queue_depth', { queue: 'orders' }, 900, t));
    await seed(lines);
    alerting = await config(`
rules:
  - name: queues
    interval: 1m
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 500
        annotations: { summary: "{{ $labels.queue }} holds {{ $value }}" }
`);
  });

  it('a new evaluator (cold start) restores the firing alert and sends nothing new', async () => {
    const first = harness();
    await evaluateGroup(alerting.groups[0]!, first.deps, BASE + 5_000);
    expect(first.sent.map((n) => n.status)).toEqual(['firing']);
    const cold = harness();
    const again = await evaluateGroup(alerting.groups[0]!, cold.deps, BASE + 20_000); // same slot
    const next = await evaluateGroup(alerting.groups[0]!, cold.deps, BASE + MIN + 5_000); // next slot
    expect(again.rules[0]?.state).toBe('firing');
    expect(next.rules[0]?.state).toBe('firing');
    expect(next.rules[0]?.alerts[0]?.active_since).toBe(new Date(BASE).toISOString());
    expect(cold.sent).toEqual([]);
  });

  it('overlapping evaluations of a slot with nothing due send nothing', async () => {
    const a = harness();
    const b = harness();
    const [ra, rb] = await Promise.all([
      evaluateGroup(alerting.groups[0]!, a.deps, BASE + 10 * MIN + 1_000),
      evaluateGroup(alerting.groups[0]!, b.deps, BASE + 10 * MIN + 2_000),
    ]);
    // The alert has been firing (and notified) since BASE: the 4h reminder is not due.
    expect(ra.rules[0]?.state).toBe('firing');
    expect(rb.rules[0]?.state).toBe('firing');
    expect(a.sent.length + b.sent.length).toBe(0);
  });
});

describe('overlapping evaluations when there is something to send', () => {
  const BASE = T0 + 150 * MIN;
  let alerting: AlertingConfig;
  beforeAll(async () => {
    const lines: string[] = [];
    for (let t = BASE - 5 * MIN; t <= BASE + 5 * MIN; t += 30_000) lines.push(prometheusLine('fryer_errors', { fryer: 'b' }, 3, t));
    await seed(lines);
    alerting = await config(`
rules:
  - name: fryers
    interval: 1m
    rules:
      - alert: FryerErrors
        expr: fryer_errors > 0
`);
  });

  it('sends the firing notification exactly once across both', async () => {
    const a = harness();
    const b = harness();
    const results = await Promise.all([
      evaluateGroup(alerting.groups[0]!, a.deps, BASE + 1_000),
      evaluateGroup(alerting.groups[0]!, b.deps, BASE + 2_000),
    ]);
    expect(a.sent.length + b.sent.length).toBe(1);
    // The one that sent it is the one that planned it: the other either lost the slot's claim, or (waiting
    // for the state of the slot before, which the first took the claim of) restored the first's state and
    // had nothing left to send.
    const planned = results.filter((r) => r.notifications.length > 0);
    expect(planned.length === 1 ? planned[0]!.sent : results.filter((r) => r.notified_by_this_evaluation).length).toBe(1);
    // And the winner's state says it was notified: a later evaluation sends nothing.
    const later = harness();
    await evaluateGroup(alerting.groups[0]!, later.deps, BASE + MIN + 1_000);
    expect(later.sent).toEqual([]);
  });
});

describe('seasonal anomalies', () => {
  // Evaluate two hours ago; history at the same time in each of the four previous weeks.
  const AT = Math.floor((Date.now() - 2 * HOUR) / MIN) * MIN;
  let alerting: AlertingConfig;
  beforeAll(async () => {
    const lines: string[] = [];
    const history: Record<string, number[]> = {
      // usually ~10 000 at this hour; now 14 000: well under a 20 000 static threshold, but unusual.
      'lunch-rush': [10_000, 10_150, 9_900, 10_050],
      // a normal weekly peak: always ~30 000 at this hour; 30 500 now is not an anomaly.
      'friday-peak': [30_000, 29_700, 30_400, 30_100],
      // one odd week (50 000) must not poison the baseline; 10 100 now is normal.
      'odd-week': [10_000, 50_000, 9_950, 10_080],
      // only one week of history: warming up, silent whatever the value.
      'new-shop': [10_000],
    };
    const now: Record<string, number> = { 'lunch-rush': 14_000, 'friday-peak': 30_500, 'odd-week': 10_100, 'new-shop': 90_000 };
    for (const [shop, values] of Object.entries(history)) {
      values.forEach((v, i) => lines.push(prometheusLine('orders_last_hour', { shop }, v, AT - (i + 1) * WEEK - 30_000)));
      lines.push(prometheusLine('orders_last_hour', { shop }, now[shop]!, AT - 30_000));
    }
    await seed(lines);
    alerting = await config(`
rules:
  - name: seasonal
    interval: 1m
    rules:
      - alert: OrdersUnusual
        anomaly:
          query: sum by (shop) (orders_last_hour)
          baseline: { season: 1w, periods: 4 }
          sensitivity: 4
          direction: both
          min_deviation: 1000
          warmup: 3
        labels: { severity: warning }
        annotations: { summary: "{{ $labels.shop }}: {{ $value }} orders this hour" }
      - alert: OrdersAboveStaticThreshold
        threshold: { query: "sum by (shop) (orders_last_hour)", above: 20000 }
`);
  });

  it('fires for the unusual hour a static threshold misses, and not for the weekly peak, an odd week or a shop still warming up', async () => {
    const { deps, sent } = harness({ mode: 'dry' });
    const report = await evaluateGroup(alerting.groups[0]!, deps, AT + 5_000);
    const anomaly = report.rules.find((r) => r.rule === 'OrdersUnusual')!;
    expect(anomaly.alerts.map((a) => a.labels.shop)).toEqual(['lunch-rush']);
    const verdicts = Object.fromEntries(anomaly.anomaly!.map((a) => [a.labels.shop, a.verdict.why]));
    expect(verdicts['friday-peak']).toMatch(/within|min_deviation/);
    expect(verdicts['odd-week']).toMatch(/within|min_deviation/);
    expect(verdicts['new-shop']).toMatch(/^warming up: 1 of 3/);
    const staticRule = report.rules.find((r) => r.rule === 'OrdersAboveStaticThreshold')!;
    // The static threshold fires for the normal peak (a false alarm) and misses the lunch-rush anomaly.
    expect(staticRule.alerts.map((a) => a.labels.shop).sort()).toEqual(['friday-peak', 'new-shop']);
    expect(report.notifications.find((n) => n.alertname === 'OrdersUnusual')?.alerts[0]?.annotations.baseline).toMatch(/^median 10025 over 4 past seasons/);
    expect(sent).toEqual([]); // dry mode sends nothing
  });
});

describe('rule health', () => {
  it('a rule VictoriaMetrics rejects is reported once and does not stop the other rules', async () => {
    const BASE = T0 + 170 * MIN;
    await seed([prometheusLine('health_probe', { x: '1' }, 1, BASE - 30_000), prometheusLine('health_probe', { x: '1' }, 1, BASE + 30_000)]);
    const alerting = await config(`
rules:
  - name: health
    interval: 1m
    rules:
      - alert: Broken
        # Parses (a syntax error would be refused when the rules load); VictoriaMetrics refuses it when evaluating.
        expr: aggr_over_time("no_such_func", health_probe[5m])
      - alert: Works
        expr: health_probe > 0
`);
    const { deps, sent } = harness();
    const first = await evaluateGroup(alerting.groups[0]!, deps, BASE + 1_000);
    const second = await evaluateGroup(alerting.groups[0]!, deps, BASE + MIN + 1_000);
    expect(first.rules.find((r) => r.rule === 'Broken')?.state).toBe('error');
    expect(first.rules.find((r) => r.rule === 'Broken')?.error).toMatch(/422/);
    expect(first.rules.find((r) => r.rule === 'Works')?.state).toBe('firing');
    expect(second.rule_errors).toBe(1);
    const health = sent.filter((n) => n.alertname === 'PeriscopeRuleHealth');
    expect(health).toHaveLength(1);
    expect(health[0]?.alerts[0]?.labels.rule).toBe('Broken');
  });
});
