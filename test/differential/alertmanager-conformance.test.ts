// Alertmanager 0.25 as the oracle of notifications: the alerts Periscope's evaluation sees at each step
// (firing, and resolved when they stop) are posted to a real Alertmanager, which notifies a loopback webhook
// with every alert its own group (group_by ['...']); Periscope's own notifications for the same steps must be
// the same per alert: one firing, a repeat every repeat_interval, one resolved — across a warning/critical
// pair with one name, a flapping alert, `for` and keep_firing_for.
//
// Time is scaled: an evaluation step is one minute for Periscope (repeat_interval 3m) and one second of wall
// time for Alertmanager (group_interval 1s; repeat_interval 2.5s, so that the repeat falls at the third
// flush whatever the timer jitter, as Periscope's falls at the third step). Alertmanager flushes 500 ms
// (group_wait) after an alert first arrives and every second after that, so each of its notifications
// lands between two steps and names the step it follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { createMemoryStateStore } from '../../shared/alerting/state/alert-state-store.js';
import { createMemoryClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroupAt, type EvaluationParts } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig } from '../../shared/alerting/rules/load.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { Notification } from '../../shared/notify/types.js';
import { startAlertmanager, type AlertmanagerHandle, type PostedAlert } from '../support/alertmanager.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const MIN = 60_000;
const STEP_WALL_MS = 1_000;
const STEPS = 14;
const SLOT0 = Date.UTC(2026, 10, 20, 10, 0, 0);

/** Which scripted series each step's query answers with (one alert each), by the rule's expression. */
const PRESENT: Record<string, (step: number) => boolean> = {
  disk_warning: (k) => k >= 1 && k <= 9,
  disk_critical: (k) => k >= 4 && k <= 6,
  flapping: (k) => k === 2 || k === 3 || k >= 5,
  slow_start: (k) => k >= 3 && k <= 8,
  keep_firing: (k) => k >= 2 && k <= 4,
};

const RULES = `
alerting: { repeat_interval: 3m }
rules:
  - name: am
    interval: 1m
    rules:
      - alert: DiskFilling
        expr: disk_warning
        labels: { severity: warning }
        annotations: { summary: "warning" }
      - alert: DiskFilling
        expr: disk_critical
        labels: { severity: critical }
        annotations: { summary: "critical" }
      - alert: Flapping
        expr: flapping
      - alert: SlowStart
        expr: slow_start
        for: 2m
      - alert: KeepFiring
        expr: keep_firing
        keep_firing_for: 2m
`;

const ALERTMANAGER_CONFIG = (webhook: string) => `
route:
  receiver: webhook
  group_by: ['...']
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 2500ms
receivers:
  - name: webhook
    webhook_configs:
      - url: ${webhook}/hook
        send_resolved: true
`;

let webhook: WebhookReceiver;
let alertmanager: AlertmanagerHandle;

beforeAll(async () => {
  webhook = await startWebhookReceiver();
  alertmanager = await startAlertmanager(ALERTMANAGER_CONFIG(webhook.url));
});

afterAll(async () => {
  await alertmanager?.stop();
  await webhook?.close();
});

const keyOf = (labels: Record<string, string>) => `${labels.alertname}{severity=${labels.severity ?? ''}}`;
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now())));

describe('the same alert sequence through Periscope and through Alertmanager 0.25', () => {
  it('gives the same firing, repeats and resolved per alert', async () => {
    const group = (await loadAlertingConfig(parseTargetsFile(RULES, 'am.yml'), 'am.yml')).groups[0]!;
    const settings = (await loadAlertingConfig(parseTargetsFile(RULES, 'am.yml'), 'am.yml')).settings;
    const periscope: Notification[] = [];
    let step = 0;
    const parts: EvaluationParts = {
      query: async (expr) => (PRESENT[expr]?.(step) ? [{ labels: { instance: 'host-1' }, value: 1 }] : []),
      state: createMemoryStateStore(),
      delivery: { claims: createMemoryClaimStore(), notify: async (n) => void periscope.push(n) },
      logger: silentLogger,
    };
    const ours = new Map<string, string[]>();
    const firingSince = new Map<string, { labels: Record<string, string>; startsAt: string }>();
    const start = Date.now() + 300;
    for (step = 0; step < STEPS; step++) {
      await sleepUntil(start + step * STEP_WALL_MS);
      const sentBefore = periscope.length;
      const report = await evaluateGroupAt(group, SLOT0 + step * MIN, parts, { settings, stage: 'test', region: 'local' });
      for (const n of periscope.slice(sentBefore)) {
        for (const a of n.alerts) ours.set(keyOf(a.labels), [...(ours.get(keyOf(a.labels)) ?? []), `${n.status === 'resolved' ? 'resolved' : n.reminder ? 'repeat' : 'firing'}@${step}`]);
      }
      // What the evaluation sees, as Prometheus and vmalert send it: every firing alert (again each step, to
      // keep it alive), and the ones that stopped firing with endsAt now.
      const now = new Date().toISOString();
      const posted: PostedAlert[] = [];
      const firingNow = new Set<string>();
      for (const a of report.rules.flatMap((r) => r.alerts).filter((x) => x.phase === 'firing')) {
        const key = keyOf(a.labels);
        firingNow.add(key);
        if (!firingSince.has(key)) firingSince.set(key, { labels: a.labels, startsAt: now });
        posted.push({ labels: a.labels, annotations: a.annotations, startsAt: firingSince.get(key)!.startsAt, endsAt: new Date(Date.now() + 5 * STEP_WALL_MS).toISOString() });
      }
      for (const [key, since] of firingSince) {
        if (firingNow.has(key)) continue;
        posted.push({ labels: since.labels, startsAt: since.startsAt, endsAt: now });
        firingSince.delete(key);
      }
      if (posted.length > 0) await alertmanager.post(posted);
    }
    // The last step's flushes come within a group_interval of it.
    await sleepUntil(start + STEPS * STEP_WALL_MS + 300);

    const theirs = new Map<string, string[]>();
    const notified = new Set<string>();
    for (const post of webhook.posts) {
      const body = post.body as { alerts: Array<{ status: 'firing' | 'resolved'; labels: Record<string, string> }> };
      const at = Math.floor((post.atMs - start) / STEP_WALL_MS);
      if (at >= STEPS) continue; // after the last step Periscope evaluated (a repeat of a still-firing alert)
      for (const a of body.alerts) {
        const key = keyOf(a.labels);
        const kind = a.status === 'resolved' ? 'resolved' : notified.has(key) ? 'repeat' : 'firing';
        if (a.status === 'resolved') notified.delete(key);
        else notified.add(key);
        theirs.set(key, [...(theirs.get(key) ?? []), `${kind}@${at}`]);
      }
    }
    const sorted = (m: Map<string, string[]>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
    expect(sorted(ours), alertmanager.output()).toEqual(sorted(theirs));
    // And what that is, so the comparison cannot pass on nothing.
    expect(sorted(ours)).toEqual({
      'DiskFilling{severity=critical}': ['firing@4', 'resolved@7'],
      'DiskFilling{severity=warning}': ['firing@1', 'repeat@4', 'repeat@7', 'resolved@10'],
      'Flapping{severity=}': ['firing@2', 'resolved@4', 'firing@5', 'repeat@8', 'repeat@11'],
      'KeepFiring{severity=}': ['firing@2', 'repeat@5', 'resolved@7'],
      'SlowStart{severity=}': ['firing@5', 'repeat@8', 'resolved@9'],
    });
  }, 60_000);
});
