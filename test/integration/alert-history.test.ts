// The alerts page's history against the evaluations that made it: real rule evaluations (the engine behind
// `periscope check --notify`, the local run and the anomaly check) over seeded probe results in the shared
// VictoriaMetrics, minute by minute through an outage. The episode the history shows must start at the
// activeAt `periscope check` printed, fire when the rule fired and end at the resolved notification's
// ended_at — to the second — and be the same on loads seven seconds apart.
import { describe, expect, inject, it } from 'vitest';
import { createMemoryClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig } from '../../shared/alerting/rules/load.js';
import { parseTargetsFile } from '../../shared/config/index.js';
import type { Notification } from '../../shared/notify/types.js';
import { silentLogger } from '../../shared/observability/logger.js';
import { alertHistory } from '../../shared/reporting/alerts.js';
import { createVmReader } from '../../shared/reporting/vm-reader.js';
import { prometheusLine, VmClient } from '../support/victoria-metrics.js';

const MIN = 60_000;
const vm = new VmClient(inject('vmUrl'));
const alertname = `HistoryDown${process.pid}`;
const target = `history-api-${process.pid}`;

describe('alert history', () => {
  it('gives each episode the start, firing and end times of the evaluations, the same on every load', async () => {
    // An hour ago, aligned to the minute: probes every minute (written 7 s after it), down for 15 minutes.
    const t0 = Math.floor((Date.now() - 60 * MIN) / MIN) * MIN;
    const outage = { from: t0 + 10 * MIN, to: t0 + 25 * MIN };
    const labels = { job: 'periscope', target, instance: 'https://history.example.test/' };
    const lines: string[] = [];
    for (let t = t0 - 30 * MIN; t <= t0 + 45 * MIN; t += MIN) lines.push(prometheusLine('probe_success', labels, t >= outage.from && t < outage.to ? 0 : 1, t + 7_000));
    await vm.importPrometheus(lines.join('\n'));
    await vm.waitForSeries(`probe_success{target="${target}"}`, 1);

    const alerting = await loadAlertingConfig(
      parseTargetsFile(
        `rules:
  - name: history
    interval: 1m
    rules:
      - alert: ${alertname}
        expr: probe_success{target="${target}"} == 0
        for: 3m
        labels: { severity: critical }
        annotations: { summary: "{{ $labels.target }} is down" }
`,
        'history.yml',
      ),
      'history.yml',
    );
    const sent: Notification[] = [];
    const deps: AlertingDeps = {
      read: { url: vm.url },
      write: { url: vm.url },
      settings: alerting.settings,
      notify: async (n) => void sent.push(n),
      logger: silentLogger,
      stage: 'test',
      region: 'local',
      claims: createMemoryClaimStore(),
      mode: 'live',
    };
    // What `periscope check` prints at each evaluation: the alert's phase and "since".
    const seen: Array<{ phase: string; since: string }> = [];
    for (let k = 0; k <= 40; k++) {
      // Evaluations run a few seconds into their minute, as a scheduled Lambda does.
      const report = await evaluateGroup(alerting.groups[0]!, deps, t0 + k * MIN + 2_500);
      for (const a of report.rules[0]?.alerts ?? []) seen.push({ phase: a.phase, since: a.active_since });
    }
    const activeAt = Date.parse(seen[0]?.since ?? '');
    expect(new Set(seen.map((s) => s.since)).size).toBe(1);
    const firing = sent.find((n) => n.status === 'firing' && n.alertname === alertname);
    const resolved = sent.find((n) => n.status === 'resolved' && n.alertname === alertname);
    expect(firing).toBeDefined();
    expect(resolved?.alerts[0]?.ended_at).toBeDefined();
    const firedAt = Date.parse(firing?.evaluated_at ?? '');
    const endedAt = Date.parse(resolved?.alerts[0]?.ended_at ?? '');
    expect(resolved?.alerts[0]?.started_at).toBe(new Date(activeAt).toISOString());
    // The outage as the evaluations saw it: active at the first evaluation after 10 min, firing 3 min later.
    expect(activeAt).toBe(t0 + 11 * MIN);
    expect(firedAt).toBe(t0 + 14 * MIN);
    expect(endedAt).toBe(t0 + 26 * MIN);

    // The state the evaluations wrote is searchable (a busy VictoriaMetrics indexes new series with a delay).
    await vm.waitForSeries(`ALERTS{alertname="${alertname}"}`, 2);
    await vm.waitForSeries(`periscope_alert_state{alertname="${alertname}"}`, 1);
    // Three loads of the page seven seconds apart.
    const reader = createVmReader({ url: vm.url });
    const now = Date.now();
    const loads = [];
    for (const offset of [0, 7_000, 14_000]) loads.push(await alertHistory(reader, now + offset - 86_400_000, now + offset, { alertname }));
    for (const history of loads) {
      expect(history).toEqual([{ alertname, labels: expect.objectContaining({ alertname, target, severity: 'critical' }), startMs: activeAt, firingMs: firedAt, endMs: endedAt, value: 0 }]);
    }
  }, 120_000);
});
