// The staged evaluator against a real VictoriaMetrics, on what the stages were built to get right: the
// anomaly baseline annotation of an alert restored from VictoriaMetrics (which returns labels in its own,
// sorted order, not the order the rule built them in), and a notification that counts as sent only after
// the send succeeded (a failed firing, resolved or rule-health send is sent again at the next evaluation).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { parseTargetsFile } from '../../shared/config/index.js';
import type { Notification } from '../../shared/notify/types.js';
import { silentLogger } from '../../shared/observability/logger.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const WEEK = 7 * 24 * HOUR;

let vm: VmHandle;
const claims = createMemoryClaimStore();

beforeAll(async () => {
  vm = await startVictoriaMetrics();
});

afterAll(async () => {
  await vm.cleanup();
});

async function config(yaml: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(yaml, 'evaluator-test.yml'), 'evaluator-test.yml');
}

/** An evaluator whose sends fail while `failing` says so; what it sent, and what it tried to. */
function evaluator(settings: AlertingConfig['settings']) {
  const sent: Notification[] = [];
  const attempted: Notification[] = [];
  const control = { failing: false };
  const deps: AlertingDeps = {
    read: { url: vm.url },
    write: { url: vm.url },
    settings,
    notify: async (n) => {
      attempted.push(n);
      if (control.failing) throw new Error('SNS answered 500 (test)');
      sent.push(n);
    },
    logger: silentLogger,
    stage: 'prod',
    region: 'eu-central-1',
    mode: 'live',
    claims,
  };
  return { deps, sent, attempted, control };
}

const kinds = (list: Notification[]) => list.map((n) => `${n.alertname}:${n.status}${n.reminder ? '+reminder' : ''}`);

describe('anomaly baseline of a restored alert', () => {
  const AT = Math.floor((Date.now() - 2 * HOUR) / MIN) * MIN;

  it('is in the firing notification of an alert that was pending at the evaluation before', async () => {
    // A shop usually at ~10 000 at this time of the week, now at 14 000; series with several labels, so the
    // order the rule builds them in and the order VictoriaMetrics returns them in differ.
    const lines: string[] = [];
    const labels = { shop: 'lunch-rush', zone: 'eu', kind: 'pizza' };
    [10_000, 10_150, 9_900, 10_050].forEach((v, i) => {
      for (let t = AT - (i + 1) * WEEK - 3 * MIN; t <= AT - (i + 1) * WEEK + 2 * MIN; t += 30_000) lines.push(prometheusLine('orders_last_hour', labels, v, t));
    });
    for (let t = AT - 3 * MIN; t <= AT + 2 * MIN; t += 30_000) lines.push(prometheusLine('orders_last_hour', labels, 14_000, t));
    await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    const alerting = await config(`
rules:
  - name: seasonal-restore
    interval: 1m
    rules:
      - alert: OrdersUnusual
        for: 1m
        anomaly:
          query: sum by (zone, shop, kind) (orders_last_hour)
          baseline: { season: 1w, periods: 4 }
          sensitivity: 4
          min_deviation: 1000
        labels: { severity: warning, team: kitchen }
        annotations: { summary: "{{ $labels.shop }}: {{ $value }} orders this hour" }
`);
    const { deps, sent } = evaluator(alerting.settings);
    const first = await evaluateGroup(alerting.groups[0]!, deps, AT + 5_000);
    expect(first.rules[0]?.state).toBe('pending');
    expect(sent).toEqual([]);
    // The next evaluation restores the pending alert from VictoriaMetrics and fires it.
    const second = await evaluateGroup(alerting.groups[0]!, deps, AT + MIN + 5_000);
    expect(second.rules[0]?.state).toBe('firing');
    expect(kinds(sent)).toEqual(['OrdersUnusual:firing']);
    const alert = sent[0]!.alerts[0]!;
    expect(alert.labels).toMatchObject({ ...labels, severity: 'warning', team: 'kitchen' });
    expect(alert.annotations.summary).toBe('lunch-rush: 14000 orders this hour');
    expect(alert.annotations.baseline).toMatch(/^median 10025 over 4 past seasons, typical deviation \d+(\.\d+)?, now 14000 \(\d+\.\d deviations\)$/);
  });
});

describe('a notification counts as sent only after the send succeeded', () => {
  const S = Math.floor((Date.now() - 90 * MIN) / MIN) * MIN;

  it('sends a failed firing notification and a failed resolved notification again at the next evaluation', async () => {
    // grill_errors is 1 until S+2m, then 0: the alert fires at S and resolves at the first evaluation after.
    const lines: string[] = [];
    for (let t = S - 5 * MIN; t <= S + 10 * MIN; t += 30_000) lines.push(prometheusLine('grill_errors', { grill: 'north' }, t < S + 2 * MIN ? 1 : 0, t));
    await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    const alerting = await config(`
rules:
  - name: grills
    interval: 1m
    rules:
      - alert: GrillErrors
        expr: grill_errors > 0
`);
    const { deps, sent, attempted, control } = evaluator(alerting.settings);
    const group = alerting.groups[0]!;

    control.failing = true;
    const failedFiring = await evaluateGroup(group, deps, S + 5_000);
    expect(failedFiring).toMatchObject({ sent: 0, notifications: [expect.objectContaining({ status: 'firing' })] });
    control.failing = false;
    await evaluateGroup(group, deps, S + MIN + 5_000);
    expect(kinds(sent)).toEqual(['GrillErrors:firing']);
    // Not a reminder: the first firing notification, with the alert active since S.
    expect(sent[0]?.alerts[0]?.started_at).toBe(new Date(S).toISOString());

    control.failing = true;
    const failedResolve = await evaluateGroup(group, deps, S + 3 * MIN + 5_000);
    expect(failedResolve.notifications.map((n) => n.status)).toEqual(['resolved']);
    control.failing = false;
    await evaluateGroup(group, deps, S + 4 * MIN + 5_000);
    expect(kinds(sent)).toEqual(['GrillErrors:firing', 'GrillErrors:resolved']);
    expect(sent[1]?.alerts[0]?.ended_at).toBeDefined();

    // Both delivered: nothing more to say.
    await evaluateGroup(group, deps, S + 5 * MIN + 5_000);
    expect(kinds(sent)).toHaveLength(2);
    expect(kinds(attempted)).toEqual(['GrillErrors:firing', 'GrillErrors:firing', 'GrillErrors:resolved', 'GrillErrors:resolved']);
  });

  it('sends a failed rule-health notification again at the next evaluation, then no more', async () => {
    const S2 = S + 20 * MIN;
    const alerting = await config(`
rules:
  - name: broken-health
    interval: 1m
    rules:
      - alert: Broken
        # Parses; VictoriaMetrics refuses it when evaluating.
        expr: aggr_over_time("no_such_func", grill_errors[5m])
`);
    const { deps, sent, control } = evaluator(alerting.settings);
    const group = alerting.groups[0]!;
    control.failing = true;
    await evaluateGroup(group, deps, S2 + 5_000);
    control.failing = false;
    await evaluateGroup(group, deps, S2 + MIN + 5_000);
    await evaluateGroup(group, deps, S2 + 2 * MIN + 5_000);
    expect(kinds(sent)).toEqual(['PeriscopeRuleHealth:firing']);
    expect(sent[0]?.alerts[0]?.labels.rule).toBe('Broken');
  });
});
