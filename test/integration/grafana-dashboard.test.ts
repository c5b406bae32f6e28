// The Grafana dashboard (dashboards/periscope.json): real Periscope probes (HTTP ok and failing, HTTPS, a
// closed TCP port) write to the shared VictoriaMetrics, then every panel query and every variable query
// is evaluated there the way Grafana would (variables substituted), and must return data without error.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSecretResolver, parseTargetsFile } from '../../shared/config/index.js';
import { silentLogger } from '../../shared/observability/logger.js';
import { runGroup } from '../../shared/pipeline/run-group.js';
import { createFileSpool } from '../../shared/storage/index.js';
import { selfSigned } from '../support/certs.js';
import { startHttpServer, startHttpsServer, type TestServer } from '../support/http-servers.js';
import { freePort } from '../support/ports.js';
import { VmClient } from '../support/victoria-metrics.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const vm = new VmClient(inject('vmUrl'));
const servers: TestServer[] = [];
const STEP_SECONDS = 5;

interface Dashboard {
  panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string; instant?: boolean; datasource: { uid: string } }> }>;
  templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
}
let dashboard: Dashboard;

beforeAll(async () => {
  dashboard = JSON.parse(await readFile(join(ROOT, 'dashboards/periscope.json'), 'utf8')) as Dashboard;
  const cert = await selfSigned({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const handler = (req: { url?: string }, res: { writeHead(s: number): { end(b: string): void } }) => res.writeHead(req.url?.startsWith('/broken') ? 503 : 200).end('ok');
  const web = await startHttpServer((req, res) => handler(req, res));
  const secure = await startHttpsServer((req, res) => handler(req, res), { certPem: cert.certPem, keyPem: cert.keyPem });
  servers.push(web, secure);
  const closed = await freePort();
  const file = parseTargetsFile(
    `defaults: { timeout: 3s }
groups:
  - name: grafana-web
    targets:
      - name: grafana-http
        http: { url: "${web.url}/ok" }
      - name: grafana-broken
        http: { url: "${web.url}/broken" }
      - name: grafana-https
        http:
          url: "${secure.url}/ok"
          tls_config: { ca: ${JSON.stringify(cert.certPem)} }
  - name: grafana-tcp
    targets:
      - name: grafana-closed
        tcp: { address: "127.0.0.1:${closed}" }
`,
    'grafana.yml',
  );
  for (let round = 0; round < 3; round++) {
    for (const group of file.groups) {
      await runGroup({
        file,
        group,
        identity: { stage: 'grafana-test', account: '210987654321', region: 'eu-central-1' },
        vm: { url: vm.url },
        spool: createFileSpool(join(ROOT, '.periscope', 'test-grafana-spool')),
        secrets: createSecretResolver(),
        metrics: { put: async () => {} },
        logger: silentLogger,
        deadlineMs: Date.now() + 10_000,
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await vm.flush();
  // Range queries are answered at multiples of the step, the last one at or before now: wait a step, so
  // the newest point of a range is later than the samples (as it is for any data older than a few seconds).
  await new Promise((r) => setTimeout(r, STEP_SECONDS * 1000 + 1500));
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** What Grafana sends for the variables: one stage, and "All" (.*) or one target. */
function substitute(expr: string, target: string): string {
  return expr
    .replaceAll('$stage', 'grafana-test')
    .replaceAll('$group', 'grafana-.*')
    .replaceAll('$target', target)
    .replaceAll('$__interval', '1m')
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h');
}

async function evaluate(expr: string, instant: boolean): Promise<{ status: string; error?: string; values: number[] }> {
  const now = Date.now() / 1000;
  const params = new URLSearchParams({ query: expr, nocache: '1' });
  if (instant) params.set('time', String(now));
  else {
    params.set('start', String(now - 600));
    params.set('end', String(now));
    params.set('step', `${STEP_SECONDS}s`);
  }
  const response = await fetch(`${vm.url}/api/v1/${instant ? 'query' : 'query_range'}?${params}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: Array<{ value?: [number, string]; values?: Array<[number, string]> }> } };
  const values = (body.data?.result ?? []).flatMap((r) => (r.value ? [r.value] : (r.values ?? []))).map(([, v]) => Number(v));
  return { status: body.status, ...(body.error ? { error: body.error } : {}), values };
}

const PERISCOPE_SERIES = /^(probe_[a-z_]+|periscope_[a-z_]+|ALERTS(_FOR_STATE)?)$/;

describe('the Grafana dashboard', () => {
  it('uses the $datasource variable and only series Periscope writes', () => {
    const queries = dashboard.panels.flatMap((p) => p.targets ?? []);
    expect(queries.length).toBeGreaterThan(15);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    for (const q of queries) {
      expect(q.datasource.uid).toBe('${datasource}');
      // Every metric name in the expression (a word followed by { or [) is one Periscope writes.
      const names = [...q.expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*\{/g)].map((m) => m[1] as string).filter((n) => n !== 'by');
      for (const name of names) expect(name, q.expr).toMatch(PERISCOPE_SERIES);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'stage', 'group', 'target']);
  });

  it.each([
    ['every target', '.*'],
    ['one target', 'grafana-https'],
  ])('returns data for every panel query with %s selected', async (_label, target) => {
    const failures: string[] = [];
    for (const panel of dashboard.panels) {
      for (const q of panel.targets ?? []) {
        const expr = substitute(q.expr, target);
        const result = await evaluate(expr, q.instant === true);
        if (result.status !== 'success') failures.push(`${panel.title}: ${result.error}`);
        else if (!result.values.some((v) => Number.isFinite(v))) failures.push(`${panel.title}: no data for ${expr}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('finds the values of its variables', async () => {
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      // label_values(selector, label) is Grafana's; VictoriaMetrics answers it as /api/v1/label/<label>/values.
      const match = /^label_values\((.+), (\w+)\)$/.exec(substitute(query, '.*'));
      expect(match, query).not.toBeNull();
      const params = new URLSearchParams({ 'match[]': match?.[1] ?? '', start: String(Math.floor(Date.now() / 1000) - 3600) });
      const body = (await (await fetch(`${vm.url}/api/v1/label/${match?.[2]}/values?${params}`)).json()) as { status: string; data: string[] };
      expect(body.status).toBe('success');
      const expected = { stage: 'grafana-test', group: 'grafana-tcp', target: 'grafana-https' }[variable.name];
      expect(body.data, variable.name).toContain(expected);
    }
  });
});
