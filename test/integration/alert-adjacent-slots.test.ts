// Evaluations of adjacent slots that overlap (a slow VictoriaMetrics, a slow notifier), against a real
// VictoriaMetrics with the state in it: a FIRING that the previous slot's evaluation is sending, or will
// send, goes out once — the next slot's evaluation waits for the previous one's state, or takes the previous
// slot's claim so that a late evaluation of it sends nothing. Without that, both sent the same FIRING.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { createMemoryClaimStore, type ClaimStore } from '../../shared/alerting/state/claim-store.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig, type AlertingConfig } from '../../shared/alerting/rules/load.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { Notification } from '../../shared/notify/types.js';
import { startDelayProxy, type DelayProxy } from '../support/delay-proxy.js';
import { prometheusLine, startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const MIN = 60_000;
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / MIN) * MIN;
const SLOW_MS = 1_500;

let vm: VmHandle;
let slow: DelayProxy;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  slow = await startDelayProxy(vm.url, () => SLOW_MS, () => 0.5);
  const lines: string[] = [];
  for (let t = T0 - 5 * MIN; t <= T0 + 40 * MIN; t += 30_000) lines.push(prometheusLine('fryer_errors', { fryer: 'b' }, 3, t));
  await vm.importPrometheus(lines.join('\n'));
  await vm.flush();
});

afterAll(async () => {
  await slow?.close();
  await vm?.cleanup();
});

async function config(group: string): Promise<AlertingConfig> {
  return loadAlertingConfig(parseTargetsFile(`rules:\n  - name: ${group}\n    interval: 1m\n    rules:\n      - alert: FryerErrors\n        expr: fryer_errors > 0\n`, 'fryers.yml'), 'fryers.yml');
}

/** Claims of every evaluator (one DynamoDB table in production), counting the keys asked for. */
function countingClaims(): ClaimStore & { asked: string[] } {
  const store = createMemoryClaimStore();
  const asked: string[] = [];
  return { asked, claim: (key, expires) => (asked.push(key), store.claim(key, expires)) };
}

function evaluator(alerting: AlertingConfig, claims: ClaimStore, sent: Notification[], options: { vmUrl?: string; notify?: (n: Notification) => Promise<void> } = {}): AlertingDeps {
  const url = options.vmUrl ?? vm.url;
  return {
    read: { url, timeoutMs: 30_000 },
    write: { url },
    settings: alerting.settings,
    notify: options.notify ?? (async (n) => void sent.push(n)),
    logger: silentLogger,
    stage: 'test',
    region: 'local',
    mode: 'live',
    claims,
    previousSlotWaitMs: 10_000,
  };
}

const firings = (sent: Notification[]) => sent.filter((n) => n.status === 'firing' && !n.reminder).length;

describe('adjacent slots evaluated at once', () => {
  it('the next slot waits while the previous one is sending the FIRING, and sends nothing again', async () => {
    const alerting = await config('adjacent-sending');
    const claims = countingClaims();
    const sent: Notification[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let sending!: () => void;
    const isSending = new Promise<void>((resolve) => (sending = resolve));
    const slowNotify = async (n: Notification) => {
      sending();
      await released;
      sent.push(n);
    };
    const slot = T0 + 10 * MIN;
    const first = evaluateGroup(alerting.groups[0]!, evaluator(alerting, claims, sent, { notify: slowNotify }), slot + 50_000);
    await isSending;
    let secondDone = false;
    const second = evaluateGroup(alerting.groups[0]!, evaluator(alerting, claims, sent), slot + MIN + 1_000).then((r) => ((secondDone = true), r));
    await new Promise((resolve) => setTimeout(resolve, 800));
    // Still waiting for the previous slot's state while its FIRING is on its way.
    expect(secondDone).toBe(false);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(firings(sent)).toBe(1);
    expect([a.sent, b.sent]).toEqual([1, 0]);
    expect(b.rules[0]?.state).toBe('firing');
    expect(claims.asked).toContain(`adjacent-sending/${slot}`);
  }, 60_000);

  it('a late evaluation of the previous slot sends nothing once the next slot has taken over', async () => {
    const alerting = await config('adjacent-late');
    const claims = countingClaims();
    const sent: Notification[] = [];
    const slot = T0 + 20 * MIN;
    // The previous slot's evaluator reads through a proxy that holds each exchange 1.5 s; the next one is quick.
    const late = evaluateGroup(alerting.groups[0]!, evaluator(alerting, claims, sent, { vmUrl: slow.url }), slot + 50_000);
    const next = await evaluateGroup(alerting.groups[0]!, evaluator(alerting, claims, sent), slot + MIN + 1_000);
    const previous = await late;
    expect(firings(sent)).toBe(1);
    expect(next.sent).toBe(1);
    expect(previous).toMatchObject({ sent: 0, notified_by_this_evaluation: false });
  }, 60_000);

  it('one after another, the next slot neither waits nor claims anything extra', async () => {
    const alerting = await config('adjacent-sequential');
    const claims = countingClaims();
    const sent: Notification[] = [];
    const slot = T0 + 30 * MIN;
    await evaluateGroup(alerting.groups[0]!, evaluator(alerting, claims, sent), slot + 1_000);
    const askedBefore = claims.asked.length;
    const started = Date.now();
    const next = await evaluateGroup(alerting.groups[0]!, evaluator(alerting, claims, sent), slot + MIN + 1_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(claims.asked.slice(askedBefore)).toEqual([]);
    expect(next).toMatchObject({ sent: 0, notifications: [] });
    expect(firings(sent)).toBe(1);
  }, 60_000);
});
