// Each stage of an evaluation on its own: the label fingerprint, the executors, planning, claiming and
// sending, committing, and the claim and state stores. Pure stages get plain inputs; the stores are the real
// ones (files in a temp dir, memory).
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../shared/alerting/state/alert-state-store.js';
import { createMemoryClaimStore, type ClaimStore } from '../../shared/alerting/state/claim-store.js';
import { stateToCommit } from '../../shared/alerting/evaluation/commit-state.js';
import { evaluateGroupAt } from '../../shared/alerting/evaluation/evaluate-group.js';
import { createFileClaimStore } from '../../shared/alerting/state/file-claim-store.js';
import { labelFingerprint } from '../../shared/alerting/state/label-fingerprint.js';
import type { AlertState } from '../../shared/alerting/state/lifecycle.js';
import { loadAlertingConfig, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { planNotifications, type PlanContext } from '../../shared/alerting/evaluation/plan-notifications.js';
import { executeRule, type InstantQuery } from '../../shared/alerting/evaluation/rule-executors.js';
import { claimAndSend } from '../../shared/alerting/evaluation/send-notifications.js';
import type { RestoredState } from '../../shared/alerting/state/state-store.js';
import { parseTargetsFile } from '../../shared/config/index.js';
import type { Notification } from '../../shared/notify/types.js';
import { silentLogger } from '../../shared/observability/logger.js';

const MIN = 60_000;
const WEEK = 7 * 24 * 60 * MIN;
const SLOT = Date.UTC(2026, 10, 20, 10, 0, 0);

async function config(yaml: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(yaml, 'stages.yml'), 'stages.yml');
}

const anomalyYaml = `
rules:
  - name: shops
    interval: 1m
    rules:
      - alert: OrdersUnusual
        anomaly:
          query: orders_last_hour
          baseline: { season: 1w, periods: 3 }
          sensitivity: 3
          min_deviation: 100
        labels: { severity: warning }
      - alert: OrdersHigh
        threshold: { query: orders_last_hour, above: 20000 }
      - alert: OrdersExpr
        expr: orders_last_hour > 0
`;

/** Answers like VictoriaMetrics from a table of (time → series); label order as given, per season. */
function tableQuery(answers: (timeSec: number) => Array<{ labels: Record<string, string>; value: number }>): InstantQuery & { calls: Array<[string, number]> } {
  const calls: Array<[string, number]> = [];
  const query = async (expr: string, timeSec: number) => {
    calls.push([expr, timeSec]);
    return answers(timeSec);
  };
  return Object.assign(query, { calls });
}

const context = (settings: AlertingConfig['settings']): PlanContext => ({ settings, stage: 'prod', region: 'eu-central-1' });

describe('label fingerprint', () => {
  it('is the same whatever the key order, and differs when a value differs', () => {
    expect(labelFingerprint({ b: '2', a: '1', alertname: 'X' })).toBe(labelFingerprint({ alertname: 'X', a: '1', b: '2' }));
    expect(labelFingerprint({ a: '1' })).not.toBe(labelFingerprint({ a: '2' }));
    // A value holding the separator of another key cannot collide with it.
    expect(labelFingerprint({ a: '1\u0001b\u00002' })).not.toBe(labelFingerprint({ a: '1', b: '2' }));
    // Unchanged for every ordinary label set: notifications keep the fingerprints they carried before.
    expect(labelFingerprint({ alertname: 'Down', alertgroup: 'g' })).toBe(createHash('sha256').update('alertgroup\u0000g\u0001alertname\u0000Down').digest('hex').slice(0, 16));
  });
});

describe('rule executors', () => {
  let alerting: AlertingConfig;
  beforeAll(async () => {
    alerting = await config(anomalyYaml);
  });

  it('one per rule kind: the anomaly executor queries now and each past season, the others once', async () => {
    const [anomaly, threshold, expression] = alerting.groups[0]!.rules;
    expect([anomaly?.kind, threshold?.kind, expression?.kind]).toEqual(['anomaly', 'threshold', 'expression']);
    const query = tableQuery(() => []);
    await executeRule(anomaly!, SLOT, query, {});
    expect(query.calls.map(([, t]) => t)).toEqual([0, 1, 2, 3].map((k) => (SLOT - k * WEEK) / 1000));
    const once = tableQuery(() => []);
    await executeRule(threshold!, SLOT, once, {});
    await executeRule(expression!, SLOT, once, {});
    expect(once.calls.map(([e]) => e)).toEqual(['(orders_last_hour) > 20000', 'orders_last_hour > 0']);
  });

  it('lines a series up with its history whatever order its labels come back in, and keys the baseline by the alert fingerprint', async () => {
    const rule = alerting.groups[0]!.rules[0]!;
    const query = tableQuery((t) =>
      t === SLOT / 1000
        ? [{ labels: { shop: 'a', zone: 'eu' }, value: 14_000 }]
        : // The past seasons answer with the keys the other way round.
          [{ labels: { zone: 'eu', shop: 'a' }, value: 10_000 + (t % 7) }],
    );
    const outcome = await executeRule(rule, SLOT, query, { region: 'eu-central-1' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.candidates).toHaveLength(1);
    const labels = outcome.candidates[0]!.labels;
    expect(labels).toEqual({ region: 'eu-central-1', shop: 'a', zone: 'eu', severity: 'warning', alertname: 'OrdersUnusual', alertgroup: 'shops' });
    expect(outcome.addedAnnotations.get(labelFingerprint(labels))?.baseline).toMatch(/^median 100\d\d over 3 past seasons/);
  });

  it('turns a failing query into the rule outcome, not an exception', async () => {
    const outcome = await executeRule(alerting.groups[0]!.rules[2]!, SLOT, async () => Promise.reject(new TypeError('fetch failed')), {});
    expect(outcome).toMatchObject({ error: 'TypeError: fetch failed', candidates: [] });
  });
});

describe('planning notifications', () => {
  it('puts the baseline on an alert restored with its labels in another order', async () => {
    const alerting = await config(anomalyYaml);
    const group = alerting.groups[0]!;
    const query = tableQuery((t) => (t === SLOT / 1000 ? [{ labels: { shop: 'a' }, value: 14_000 }] : [{ labels: { shop: 'a' }, value: 10_000 }]));
    const outcome = await executeRule(group.rules[0]!, SLOT, query, {});
    const labels = outcome.candidates[0]!.labels;
    // Restored as VictoriaMetrics returns it: keys sorted, pending since a minute ago, never notified.
    const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    expect(Object.keys(sorted)).not.toEqual(Object.keys(labels));
    const fp = labelFingerprint(sorted);
    const restored: RestoredState = {
      alerts: new Map([[group.rules[0]!.key, new Map([[fp, { fingerprint: fp, labels: sorted, phase: 'pending', activeAt: SLOT - MIN, lastActive: SLOT - MIN, value: 13_000 } as AlertState]])]]),
      health: new Map(),
    };
    const plan = planNotifications(group, [outcome], restored, SLOT, context(alerting.settings));
    expect(plan.notifications).toHaveLength(1);
    expect(plan.notifications[0]!.notification.alerts[0]!.annotations.baseline).toMatch(/^median 10000 over 3 past seasons/);
    expect(plan.notifications[0]!.effect).toEqual({ kind: 'notified', rule: group.rules[0]!.key, fingerprints: [fp] });
  });
});

describe('committing state', () => {
  const labels = { alertname: 'Down', alertgroup: 'g' };
  const fp = labelFingerprint(labels);
  const firing: AlertState = { fingerprint: fp, labels, phase: 'firing', activeAt: SLOT - 10 * MIN, firedAt: SLOT - 10 * MIN, notifiedAt: SLOT - 10 * MIN, lastActive: SLOT - MIN, value: 1 };

  async function planFor(active: boolean, previous: AlertState | undefined, error?: string, wasHealthy = true) {
    const alerting = await config(`alerting: { repeat_interval: 5m }\nrules:\n  - name: g\n    interval: 1m\n    rules:\n      - alert: Down\n        expr: up == 0\n`);
    const group = alerting.groups[0]!;
    const outcome = { rule: group.rules[0]!, candidates: active ? [{ labels, value: 1 }] : [], addedAnnotations: new Map(), ...(error ? { error } : {}) };
    const key = group.rules[0]!.key;
    const restored: RestoredState = { alerts: new Map(previous ? [[key, new Map([[fp, previous]])]] : []), health: new Map([[key, wasHealthy]]) };
    return planNotifications(group, [outcome], restored, SLOT, context(alerting.settings));
  }

  it('records a sent reminder, and keeps the previous notifiedAt when it failed', async () => {
    const plan = await planFor(true, firing);
    expect(plan.notifications.map((n) => n.notification.reminder)).toEqual([true]);
    expect(stateToCommit(plan, new Set(plan.notifications)).rules[0]?.alerts[0]?.notifiedAt).toBe(SLOT);
    expect(stateToCommit(plan, new Set()).rules[0]?.alerts[0]?.notifiedAt).toBe(SLOT - 10 * MIN);
  });

  it('leaves a new alert un-notified when its first firing notification failed', async () => {
    const plan = await planFor(true, undefined);
    expect(plan.notifications.map((n) => n.notification.status)).toEqual(['firing']);
    const committed = stateToCommit(plan, new Set()).rules[0];
    expect(committed?.alerts[0]).toMatchObject({ phase: 'firing', fingerprint: fp });
    expect(committed?.alerts[0]?.notifiedAt).toBeUndefined();
  });

  it('ends a resolved alert once the resolution was sent, and keeps it firing when it was not', async () => {
    const plan = await planFor(false, firing);
    expect(plan.notifications.map((n) => n.notification.status)).toEqual(['resolved']);
    expect(stateToCommit(plan, new Set(plan.notifications)).rules[0]).toMatchObject({ alerts: [], ended: [{ fingerprint: fp }] });
    expect(stateToCommit(plan, new Set())).toEqual({ rules: [{ rule: plan.steps[0]!.rule, alertname: 'Down', alerts: [firing], ended: [], ok: true }] });
  });

  it('keeps a rule healthy until its health notification was sent, and its alerts as they were', async () => {
    const plan = await planFor(false, firing, '422: bad query');
    expect(plan.notifications.map((n) => n.effect.kind)).toEqual(['health']);
    expect(stateToCommit(plan, new Set(plan.notifications))).toEqual({ rules: [{ rule: plan.steps[0]!.rule, alertname: 'Down', alerts: [firing], ended: [], ok: false }] });
    expect(stateToCommit(plan, new Set()).rules[0]?.ok).toBe(true);
  });
});

describe('claiming and sending', () => {
  const note = (alertname: string) => ({ notification: { alertname } as Notification, effect: { kind: 'health', rule: alertname } as const });

  it('sends nothing when another evaluation holds the slot', async () => {
    const claims = createMemoryClaimStore();
    const sent: string[] = [];
    const options = { group: 'g', slotMs: SLOT, claims, notify: async (n: Notification) => void sent.push(n.alertname), logger: silentLogger };
    const first = await claimAndSend([note('A')], options);
    const second = await claimAndSend([note('A')], options);
    expect([first.claimed, second.claimed]).toEqual([true, false]);
    expect(sent).toEqual(['A']);
  });

  it('counts only the sends that succeeded', async () => {
    const planned = [note('A'), note('B'), note('C')];
    const outcome = await claimAndSend(planned, {
      group: 'g',
      slotMs: SLOT,
      claims: createMemoryClaimStore(),
      notify: async (n) => {
        if (n.alertname === 'B') throw new Error('Slack answered 500');
      },
      logger: silentLogger,
    });
    expect([...outcome.sent].map((p) => p.notification.alertname)).toEqual(['A', 'C']);
  });

  it('sends when the claim store cannot answer (a duplicate page over a lost one)', async () => {
    const broken: ClaimStore = { claim: async () => Promise.reject(new Error('DynamoDB unreachable')) };
    const outcome = await claimAndSend([note('A')], { group: 'g', slotMs: SLOT, claims: broken, notify: async () => {}, logger: silentLogger });
    expect(outcome).toMatchObject({ claimed: true });
    expect(outcome.sent.size).toBe(1);
  });
});

describe('claim stores', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periscope-claims-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('file store: of several stores on one directory claiming at once, exactly one wins each key', async () => {
    const stores = [0, 1, 2].map(() => createFileClaimStore(join(dir, 'race')));
    const keys = Array.from({ length: 50 }, (_, i) => `group-${i}/${SLOT}`);
    const results = await Promise.all(keys.map(async (key) => (await Promise.all(stores.map((s) => s.claim(key, Date.now() + MIN)))).filter(Boolean).length));
    expect(results).toEqual(keys.map(() => 1));
  });

  it('file store: removes expired claims when it prunes', async () => {
    let now = SLOT;
    const store = createFileClaimStore(join(dir, 'prune'), () => now);
    expect(await store.claim('old', SLOT + MIN)).toBe(true);
    now = SLOT + 60 * MIN; // past the expiry and the prune interval
    expect(await store.claim('new', now + MIN)).toBe(true);
    expect(await readdir(join(dir, 'prune'))).toHaveLength(1);
  });

  it('memory store: a held claim loses, also for slots long past (a replay), and the oldest go beyond its limit', async () => {
    const store = createMemoryClaimStore(2);
    expect(await store.claim('a', SLOT - WEEK)).toBe(true);
    expect(await store.claim('a', SLOT - WEEK)).toBe(false);
    expect(await store.claim('b', SLOT)).toBe(true);
    expect(await store.claim('c', SLOT)).toBe(true);
    expect(await store.claim('a', SLOT - WEEK)).toBe(true);
    expect(await store.claim('c', SLOT)).toBe(false);
  });
});

describe('evaluateGroupAt with a memory state store (a replay)', () => {
  it('fires, reminds and resolves across evaluations without VictoriaMetrics state', async () => {
    const alerting = await config(`alerting: { repeat_interval: 2m }\nrules:\n  - name: g\n    interval: 1m\n    rules:\n      - alert: Down\n        expr: up == 0\n`);
    const state = createMemoryStateStore();
    const sent: Notification[] = [];
    const parts = { state, delivery: { claims: createMemoryClaimStore(), notify: async (n: Notification) => void sent.push(n) }, logger: silentLogger };
    const down = (minute: number) => minute < 4;
    for (let minute = 0; minute <= 5; minute++) {
      const query: InstantQuery = async () => (down(minute) ? [{ labels: { job: 'api' }, value: 0 }] : []);
      await evaluateGroupAt(alerting.groups[0]!, SLOT + minute * MIN, { ...parts, query }, context(alerting.settings));
    }
    expect(sent.map((n) => `${n.status}${n.reminder ? '+reminder' : ''}@${(Date.parse(n.evaluated_at) - SLOT) / MIN}`)).toEqual(['firing@0', 'firing+reminder@2', 'resolved@4']);
  });
});
