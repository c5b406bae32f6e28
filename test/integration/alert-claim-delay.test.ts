// Overlapping evaluations of one slot when the network is slow: two and three evaluations of the same slot
// run at once, their VictoriaMetrics reads and writes (and their DynamoDB claims) through proxies that hold
// each exchange for 0 to 3 times WAIT_MS — the wait the old write-then-read-back claim in VictoriaMetrics
// relied on. Each of 100 rounds (a group of its own, with an alert due) must page exactly once: no
// duplicate, none lost. With that old claim, 98 and 100 rounds of 100 paged nobody at WAIT_MS = 500
// (a claim written late is re-made and the competitors each see a smaller abandoned one); DynamoDB's
// conditional put (here dynalite, a local implementation) has no such window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { evaluateGroup, type AlertingDeps } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadAlertingConfig } from '../../shared/alerting/rules/load.js';
import { createDynamoDbClaimStore } from '../../shared/aws/dynamodb-claims.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { Notification } from '../../shared/notify/types.js';
import { startDelayProxy, type DelayProxy } from '../support/delay-proxy.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/dynamodb-local.js';
import { startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const ROUNDS = 100;
const PARALLEL_ROUNDS = 10;
const WAIT_MS = 100;
const MIN = 60_000;
const TABLE = 'periscope-test-alert-claims';

let vm: VmHandle;
let dynamo: LocalDynamoDb;
let vmProxy: DelayProxy;
let dynamoProxy: DelayProxy;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  dynamo = await startLocalDynamoDb();
  const delay = () => Math.random() * 3 * WAIT_MS;
  vmProxy = await startDelayProxy(vm.url, delay);
  dynamoProxy = await startDelayProxy(dynamo.url, delay);
  await dynamo.createClaimsTable(TABLE);
});

afterAll(async () => {
  await vmProxy?.close();
  await dynamoProxy?.close();
  await dynamo?.close();
  await vm?.cleanup();
});

describe.each([2, 3])('%i evaluations of the same slot through slow VictoriaMetrics and DynamoDB', (evaluations) => {
  it(`page exactly once in each of ${ROUNDS} rounds`, async () => {
    const slot = Math.floor((Date.now() - 10 * MIN) / MIN) * MIN;
    const groups = Array.from({ length: ROUNDS }, (_, round) => `delay-${evaluations}-${round}`);
    const yaml = `rules:\n${groups.map((g) => `  - name: ${g}\n    interval: 1m\n    rules:\n      - alert: Due\n        expr: vector(1)\n`).join('')}`;
    const config = await loadAlertingConfig(parseTargetsFile(yaml, 'delay.yml'), 'delay.yml');
    const sent = new Map<string, Notification[]>(groups.map((g) => [g, []]));
    const evaluators: AlertingDeps[] = Array.from({ length: evaluations }, () => ({
      // Generous: this is about who sends, not about timeouts, on a machine that may be busy.
      read: { url: vmProxy.url, timeoutMs: 60_000 },
      write: { url: vmProxy.url },
      settings: config.settings,
      notify: async (n) => void sent.get(n.group)?.push(n),
      logger: silentLogger,
      stage: 'test',
      region: 'local',
      mode: 'live',
      claims: createDynamoDbClaimStore(dynamo.client(dynamoProxy.url), TABLE),
    }));
    const forwardedBefore = vmProxy.forwarded;
    for (let first = 0; first < ROUNDS; first += PARALLEL_ROUNDS) {
      await Promise.all(
        config.groups.slice(first, first + PARALLEL_ROUNDS).flatMap((group) => evaluators.map((deps, i) => evaluateGroup(group, deps, slot + 1_000 + i * 10))),
      );
    }
    const histogram: Record<number, number> = {};
    for (const g of groups) histogram[sent.get(g)?.length ?? 0] = (histogram[sent.get(g)?.length ?? 0] ?? 0) + 1;
    expect(histogram, 'rounds by the number of pages they sent').toEqual({ 1: ROUNDS });
    for (const g of groups) expect(sent.get(g)?.[0]).toMatchObject({ group: g, alertname: 'Due', status: 'firing' });
    // The evaluations really went through the slow proxy: restore, query and state write of each.
    expect(vmProxy.forwarded - forwardedBefore).toBeGreaterThanOrEqual(ROUNDS * evaluations * 2);
  }, 300_000);
});
