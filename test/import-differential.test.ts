// Every target `periscope import` produces from the fixture setups, probed twice on the same loopback
// servers: by blackbox_exporter with the original module (as Prometheus would ask it) and by Periscope with
// the imported target. probe_success and the status code must agree.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTargetsFile, type TargetSpec } from '../shared/config/index.js';
import { importSetup } from '../shared/import/index.js';
import { readImportSources } from '../shared/import/read-sources.js';
import { runProbe } from '../shared/probing/index.js';
import { startBlackbox, type BlackboxHandle, type Exposition } from './support/blackbox.js';
import { ADMIN_PASSWORD, startFixtureRig, type FixtureRig } from './support/import-fixtures.js';

/** What Prometheus asks blackbox_exporter for each target of the fixtures (read off the fixtures by hand). */
const EXPECTED: Record<string, Array<{ group: string; module: string; target: string; success: boolean; status?: number }>> = {
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
};

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
    const imported = targets.map(({ group, target }) => `${group} ${target.http?.url ?? target.tcp?.address}`);
    const expected = (EXPECTED[fixture] ?? []).map((e) => {
      const rewritten = rig.rewrite(e.target);
      return `${e.group} ${e.module.startsWith('tcp') || /^https?:/.test(rewritten) ? rewritten : `http://${rewritten}`}`;
    });
    expect(imported).toEqual(expected);
  });

  it('blackbox_exporter (original module) and Periscope (imported target) agree on probe_success and the status code', async () => {
    const secrets = createSecretResolver({ env: { HTTP_ADMIN_AUTH_BASIC_AUTH_PASSWORD: ADMIN_PASSWORD } });
    const rows = await Promise.all(
      (EXPECTED[fixture] ?? []).map(async (expected, index) => {
        const target = targets[index]?.target as TargetSpec;
        const [reference, ours] = await Promise.all([
          blackbox.probe(expected.module, rig.rewrite(expected.target), { scrapeTimeoutSeconds: 10 }),
          runProbe(target, { timeoutMs: 10_000, secrets }),
        ]);
        const ourStatus = ours.samples.find((s) => s.name === 'probe_http_status_code')?.value;
        return {
          target: expected.target,
          blackbox: [value(reference, 'probe_success'), value(reference, 'probe_http_status_code')],
          periscope: [ours.success ? 1 : 0, ourStatus],
          expected: [expected.success ? 1 : 0, expected.status],
        };
      }),
    );
    for (const row of rows) {
      expect({ target: row.target, result: row.periscope }).toEqual({ target: row.target, result: row.blackbox });
      expect({ target: row.target, result: row.periscope }).toEqual({ target: row.target, result: row.expected });
    }
  });
});
