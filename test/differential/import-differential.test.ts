// Every target `periscope import` produces from the fixture setups, probed twice on the same loopback
// servers: by blackbox_exporter with the original module (as Prometheus would ask it) and by Periscope with
// the imported target. probe_success and each prober's key metrics must agree: the HTTP status code; for
// DNS the rcode, the answer count and the SOA serial; for gRPC the status code and the serving status.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTargetsFile, type TargetSpec } from '../../shared/config/index.js';
import { importSetup } from '../../shared/import/index.js';
import { readImportSources } from '../../shared/import/read-sources.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { metricsFromDebug, rcodeFromDebug, startBlackbox, type BlackboxHandle, type Exposition } from '../support/blackbox.js';
import { ADMIN_PASSWORD, startFixtureRig, type FixtureRig } from '../support/import-fixtures.js';

/** What Prometheus asks blackbox_exporter for each target of the fixtures (read off the fixtures by hand). */
interface Expected {
  group: string;
  module: string;
  target: string;
  success: boolean;
  /** The HTTP status code, the DNS rcode or the gRPC status code. */
  status?: number | string;
}

const EXPECTED: Record<string, Expected[]> = {
  compose: [
    { group: 'blackbox-http', module: 'http_2xx', target: 'http://web.example/', success: true, status: 200 },
    { group: 'blackbox-http', module: 'http_2xx', target: 'http://web.example/missing', success: false, status: 404 },
    { group: 'blackbox-http', module: 'http_2xx', target: 'api.example/healthz', success: true, status: 200 },
    { group: 'blackbox-mixed', module: 'http_404', target: 'http://web.example/missing', success: true, status: 404 },
    { group: 'blackbox-mixed', module: 'http_post_2xx', target: 'http://api.example/ping', success: true, status: 200 },
    { group: 'blackbox-mixed', module: 'http_json_ok', target: 'http://api.example/status', success: true, status: 200 },
    { group: 'blackbox-mixed', module: 'http_admin_auth', target: 'http://admin.example/', success: true, status: 200 },
    { group: 'blackbox-tcp', module: 'tcp_connect', target: 'db.example:5432', success: true },
    { group: 'blackbox-tcp', module: 'tcp_connect', target: 'closed.example:9', success: false },
  ],
  ecs: [
    { group: 'blackbox-http', module: 'http_2xx', target: 'http://orders.example/healthz', success: true, status: 200 },
    { group: 'blackbox-http', module: 'http_2xx', target: 'http://orders.example/ready', success: false, status: 503 },
    { group: 'blackbox-http', module: 'http_2xx', target: 'http://payments.example/health', success: true, status: 204 },
    { group: 'blackbox-databases', module: 'tcp_connect', target: 'orders-db.example:5432', success: true },
    { group: 'blackbox-databases', module: 'tcp_connect', target: 'payments-db.example:5432', success: false },
  ],
  platform: [
    { group: 'dns-resolver', module: 'dns_orders_a', target: 'resolver.example', success: true, status: 'NOERROR' },
    { group: 'dns-zone', module: 'dns_zone_soa', target: 'ns1.example:53', success: true, status: 'NOERROR' },
    { group: 'dns-zone', module: 'dns_zone_soa', target: 'ns2.example:53', success: false },
    { group: 'dns-zone', module: 'dns_zone_dot', target: 'ns1.example:853', success: true, status: 'NOERROR' },
    { group: 'dns-zone', module: 'dns_gone_nxdomain', target: 'resolver.example', success: true, status: 'NXDOMAIN' },
    { group: 'dns-zone', module: 'dns_orders_a_tcp', target: 'resolver.example:53', success: true, status: 'NOERROR' },
    { group: 'grpc-health', module: 'grpc_health', target: 'orders-grpc.example:50051', success: true, status: 0 },
    { group: 'grpc-health', module: 'grpc_health', target: 'http://billing-grpc.example:50051', success: true, status: 0 },
    { group: 'grpc-health', module: 'grpc_health', target: 'down-grpc.example:50051', success: false, status: 14 },
    { group: 'grpc-services', module: 'grpc_orders', target: 'orders-grpc.example:50051', success: true, status: 0 },
    { group: 'grpc-services', module: 'grpc_billing', target: 'billing-grpc.example:50051', success: false, status: 0 },
    { group: 'grpc-services', module: 'grpc_tls', target: 'secure-grpc.example:50443', success: true, status: 0 },
  ],
};

/** The address field Periscope's target should have: how each blackbox prober reads its target. */
function probedAddress(module: string, target: string): string {
  if (module.startsWith('http')) return /^https?:/.test(target) ? target : `http://${target}`;
  if (module.startsWith('grpc')) return target.replace(/^https?:\/\//, '');
  return target;
}

function addressOf(target: TargetSpec): string | undefined {
  return target.http?.url ?? target.tcp?.address ?? target.dns?.server ?? target.grpc?.address;
}

/** probe_success and the key metrics of one probe, as blackbox_exporter exposes them. */
async function blackboxRow(blackbox: BlackboxHandle, expected: Expected, target: string): Promise<unknown[]> {
  if (expected.module.startsWith('dns')) {
    // The rcode is only in blackbox 0.23's debug log.
    const text = await blackbox.probeDebug(expected.module, target, { scrapeTimeoutSeconds: 10 });
    const metrics = metricsFromDebug(text);
    return [value(metrics, 'probe_success'), rcodeFromDebug(text), value(metrics, 'probe_dns_answer_rrs'), value(metrics, 'probe_dns_serial')];
  }
  const metrics = await blackbox.probe(expected.module, target, { scrapeTimeoutSeconds: 10 });
  if (expected.module.startsWith('grpc')) {
    const serving = (status: string) => metrics.get('probe_grpc_healthcheck_response')?.find((s) => s.labels.serving_status === status)?.value;
    return [value(metrics, 'probe_success'), value(metrics, 'probe_grpc_status_code'), serving('SERVING'), serving('NOT_SERVING')];
  }
  return [value(metrics, 'probe_success'), value(metrics, 'probe_http_status_code')];
}

/** The same, from Periscope's result. */
function periscopeRow(module: string, result: ProbeResult): unknown[] {
  const sample = (name: string, labels: Record<string, string> = {}) =>
    result.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const success = result.success ? 1 : 0;
  if (module.startsWith('dns')) return [success, result.dns?.rcode, sample('probe_dns_answer_rrs'), sample('probe_dns_serial')];
  if (module.startsWith('grpc')) {
    return [success, sample('probe_grpc_status_code'), sample('probe_grpc_healthcheck_response', { serving_status: 'SERVING' }), sample('probe_grpc_healthcheck_response', { serving_status: 'NOT_SERVING' })];
  }
  return [success, sample('probe_http_status_code')];
}

function value(exposition: Exposition, name: string): number | undefined {
  return exposition.get(name)?.[0]?.value;
}

let rig: FixtureRig;
const blackboxes: BlackboxHandle[] = [];

beforeAll(async () => {
  rig = await startFixtureRig();
});

afterAll(async () => {
  await Promise.all(blackboxes.map((b) => b.stop()));
  await rig?.close();
});

describe.each(Object.keys(EXPECTED))('the %s fixture', (fixture) => {
  let targets: Array<{ group: string; target: TargetSpec }>;
  let blackbox: BlackboxHandle;

  beforeAll(async () => {
    const dir = await rig.copy(`test/fixtures/import/${fixture}`);
    blackbox = await startBlackbox(await readFile(join(dir, 'blackbox.yml'), 'utf8'));
    blackboxes.push(blackbox);
    const sources = await readImportSources({ blackbox: join(dir, 'blackbox.yml'), prometheus: join(dir, 'prometheus.yml') });
    const file = parseTargetsFile((await importSetup(sources, { rulePath: (p) => p, outputName: 'imported.yml' })).yaml, 'imported.yml');
    targets = file.groups.flatMap((group) => group.targets.map((target) => ({ group: group.name, target })));
  });

  it('imports exactly the targets Prometheus probes', () => {
    const imported = targets.map(({ group, target }) => `${group} ${addressOf(target)}`);
    const expected = (EXPECTED[fixture] ?? []).map((e) => `${e.group} ${probedAddress(e.module, rig.rewrite(e.target))}`);
    expect(imported).toEqual(expected);
  });

  it('blackbox_exporter (original module) and Periscope (imported target) agree on probe_success and the key metrics', async () => {
    const secrets = createSecretResolver({ env: { HTTP_ADMIN_AUTH_BASIC_AUTH_PASSWORD: ADMIN_PASSWORD } });
    const rows = await Promise.all(
      (EXPECTED[fixture] ?? []).map(async (expected, index) => {
        const target = targets[index]?.target as TargetSpec;
        const [reference, ours] = await Promise.all([blackboxRow(blackbox, expected, rig.rewrite(expected.target)), runProbe(target, { timeoutMs: 10_000, secrets })]);
        const periscope = periscopeRow(expected.module, ours);
        return { target: expected.target, blackbox: reference, periscope, expected: [expected.success ? 1 : 0, expected.status] };
      }),
    );
    for (const row of rows) {
      expect({ target: row.target, result: row.periscope }).toEqual({ target: row.target, result: row.blackbox });
      // The first two (success, status or rcode) are also what the fixture's servers were built to answer.
      expect({ target: row.target, result: row.periscope.slice(0, 2) }).toEqual({ target: row.target, result: row.expected });
    }
  });
});
