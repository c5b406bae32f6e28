// A blackbox_exporter alert rules file as the public collections publish it, used unchanged: it loads, and
// it evaluates over samples Periscope's own probes wrote (same metric names as blackbox_exporter).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTargetsFile } from '../../shared/config/index.js';
import { evaluateGroup } from '../../shared/alerting/evaluation/evaluate-group.js';
import { loadRuleFile } from '../../shared/alerting/rules/load.js';
import { silentLogger } from '../../shared/observability/logger.js';
import { runGroup } from '../../shared/pipeline/run-group.js';
import { createFileSpool } from '../../shared/storage/index.js';
import { TestCa } from '../support/certs.js';
import { startHttpServer, startHttpsServer, type TestServer } from '../support/http-servers.js';
import { freePort } from '../support/ports.js';
import { startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

const RULES = 'test/fixtures/blackbox-exporter-alerts.yml';
const DAY = 86_400_000;

let vm: VmHandle;
let ok: TestServer;
let broken: TestServer;
let expiring: TestServer;
let expired: TestServer;
let dir: string;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  dir = await mkdtemp(join(tmpdir(), 'periscope-wild-'));
  const ca = await TestCa.create();
  const soon = await ca.issue({ notAfter: new Date(Date.now() + 2 * DAY) });
  const past = await ca.issue({ notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    res.writeHead(req.url === '/broken' ? 500 : 200).end('x');
  };
  ok = await startHttpServer(handler);
  broken = await startHttpServer(handler);
  expiring = await startHttpsServer(handler, soon);
  expired = await startHttpsServer(handler, past);
});

afterAll(async () => {
  await Promise.all([ok, broken, expiring, expired].map((s) => s?.close()));
  await vm?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('a public blackbox_exporter rules file', () => {
  it('loads unchanged', async () => {
    const groups = await loadRuleFile(RULES);
    expect(groups.map((g) => g.name)).toEqual(['BlackboxExporter']);
    expect(groups[0]?.rules).toHaveLength(9);
  });

  it('evaluates over samples written by Periscope probes', async () => {
    const closed = await freePort();
    const file = parseTargetsFile(
      `groups:
  - name: wild
    targets:
      - name: ok
        http: { url: "${ok.url}/" }
      - name: broken
        http: { url: "${broken.url}/broken" }
      - name: expiring
        http: { url: "https://localhost:${expiring.port}/", tls_config: { insecure_skip_verify: true } }
      - name: expired
        http: { url: "https://localhost:${expired.port}/" }
      - name: refused
        tcp: { address: "127.0.0.1:${closed}" }
`,
      'wild.yml',
    );
    await runGroup({
      file,
      group: file.groups[0]!,
      identity: { stage: 'test', account: '111111111111', region: 'eu-west-1' },
      vm: { url: vm.url },
      spool: createFileSpool(join(dir, 'spool')),
      secrets: createSecretResolver(),
      metrics: { put: async () => {} },
      logger: silentLogger,
      deadlineMs: Date.now() + 15_000,
    });
    await vm.flush();
    // New samples become visible to queries after -search.latencyOffset (1 s in tests).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const [group] = await loadRuleFile(RULES);
    const report = await evaluateGroup(
      { ...group!, intervalMs: 1_000 },
      {
        read: { url: vm.url },
        write: { url: vm.url },
        settings: { evaluation_interval: 60_000, repeat_interval: 4 * 3_600_000, maintenance: [], external_labels: {} },
        notify: async () => {},
        logger: silentLogger,
        stage: 'test',
        region: 'eu-west-1',
        mode: 'dry',
      },
      Date.now(),
    );
    expect(report.rule_errors).toBe(0);
    const firing = (alert: string) =>
      report.rules
        .filter((r) => r.rule === alert)
        .flatMap((r) => r.alerts.map((a) => a.labels.target))
        .sort();
    expect(firing('BlackboxProbeFailed')).toEqual(['broken', 'expired', 'refused']);
    // A failed TLS handshake leaves probe_http_status_code at 0, which this rule counts (as with blackbox).
    expect(firing('BlackboxProbeHttpFailure')).toEqual(['broken', 'expired']);
    expect(firing('BlackboxSslCertificateWillExpireSoon')).toEqual(['expiring']);
    // blackbox_exporter reports no certificate when verification fails; Periscope does, so this fires.
    expect(firing('BlackboxSslCertificateExpired')).toEqual(['expired']);
    // for: 0m fires at once; the description renders $labels (the alert's labels, as vmalert passes them)
    // the way Go prints a map.
    const failed = report.notifications.find((n) => n.alertname === 'BlackboxProbeFailed');
    expect(failed?.alerts).toHaveLength(3);
    expect(failed?.alerts[0]?.annotations.description).toMatch(/^Probe failed\n {2}VALUE = 0\n {2}LABELS = map\[account:111111111111 alertgroup:BlackboxExporter alertname:BlackboxProbeFailed .*target:\w+\]$/);
  });
});
