// The labels an imported target's series carry, against the real thing: Prometheus scrapes
// blackbox_exporter with the fixture's own prometheus.yml (targets on loopback servers, short interval) and
// remote-writes to VictoriaMetrics; Periscope runs the imported file and writes to the same VictoriaMetrics.
// For every target, probe_success must carry the same instance and static labels in both (Periscope's
// identity labels — job, target, module, group, stage, account, region — aside).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RESERVED_LABELS } from '../../shared/config/index.js';
import { importSetup } from '../../shared/import/index.js';
import { readImportSources } from '../../shared/import/read-sources.js';
import { groupNameFor } from '../../shared/import/scrape-jobs.js';
import { startBlackbox, type BlackboxHandle } from '../support/blackbox.js';
import { ADMIN_PASSWORD, startFixtureRig, type FixtureRig } from '../support/import-fixtures.js';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { VmClient, type VmSeries } from '../support/victoria-metrics.js';

const vm = new VmClient(inject('vmUrl'));
let rig: FixtureRig;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  rig = await startFixtureRig();
});

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await rig?.close();
});

function periscope(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/periscope.js', ...args], { env: { ...process.env, ...env }, timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** group + instance → the labels compared (identity labels and job removed). */
function bySeriesKey(series: VmSeries[], group: (metric: Record<string, string>) => string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const { metric } of series) {
    const labels = Object.fromEntries(
      Object.entries(metric).filter(([name]) => name !== '__name__' && name !== 'instance' && !(RESERVED_LABELS as readonly string[]).includes(name)),
    );
    out.set(`${group(metric)} ${metric.instance ?? ''}`, labels);
  }
  return out;
}

describe.each(['compose', 'ecs', 'platform'])('the %s fixture', (fixture) => {
  const run = randomUUID();
  let prometheus: PrometheusHandle;
  let imported: { groups: number; targets: number };
  let periscopeRun: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    const dir = await rig.copy(`test/fixtures/import/${fixture}`);
    const blackbox: BlackboxHandle = await startBlackbox(await readFile(join(dir, 'blackbox.yml'), 'utf8'));
    stops.push(() => blackbox.stop());

    // The fixture's prometheus.yml, pointed at this blackbox_exporter and VictoriaMetrics, scraping often.
    const original = await readFile(join(dir, 'prometheus.yml'), 'utf8');
    const config = parse(original.replace(/\b(blackbox|localhost):9115\b/g, `127.0.0.1:${blackbox.port}`)) as Record<string, unknown> & {
      global: Record<string, unknown>;
      scrape_configs: Array<Record<string, unknown>>;
    };
    config.global = { ...config.global, scrape_interval: '2s', scrape_timeout: '2s', external_labels: { ...(config.global.external_labels as object), run } };
    delete config.rule_files;
    delete config.alerting;
    config.remote_write = [{ url: `${vm.url}/api/v1/write`, queue_config: { batch_send_deadline: '1s' } }];
    const promFile = join(dir, 'prometheus-test.yml');

    // Import from that same file, so Periscope sees exactly what Prometheus runs.
    await writeFile(promFile, stringify(config));
    const result = await importSetup(await readImportSources({ blackbox: join(dir, 'blackbox.yml'), prometheus: promFile }), { rulePath: (p) => p, outputName: 'imported.yml' });
    imported = result;
    await writeFile(join(dir, 'imported.yml'), result.yaml);

    // Prometheus scrapes only the jobs that were imported: the others would query hosts that do not exist.
    const groups = (parse(result.yaml) as { groups: Array<{ name: string }> }).groups.map((g) => g.name);
    config.scrape_configs = config.scrape_configs.filter((job) => groups.includes(groupNameFor(String(job.job_name))));
    await writeFile(promFile, stringify(config));
    prometheus = await startPrometheus(promFile);
    stops.push(() => prometheus.stop());

    periscopeRun = await periscope(['run', '--once', '--config', join(dir, 'imported.yml'), '--vm-url', vm.url, '--data-dir', join(dir, '.periscope')], {
      HTTP_ADMIN_AUTH_BASIC_AUTH_PASSWORD: ADMIN_PASSWORD,
    });
  }, 240_000);

  it('every target has the same instance and static labels in Prometheus and in Periscope', { timeout: 90_000 }, async () => {
    expect(periscopeRun.code, periscopeRun.stderr).toBeLessThanOrEqual(1); // 1: some probes failed, on purpose
    const periscopeSeries = await vm.exportSeries(`probe_success{run="${run}",job="periscope"}`);
    const prometheusSeries = await vm.exportSeriesUntil(
      `probe_success{run="${run}",job!="periscope"}`,
      (series) => series.length >= imported.targets,
      60_000,
    );
    const ours = bySeriesKey(periscopeSeries, (m) => m.group ?? '');
    const theirs = bySeriesKey(prometheusSeries, (m) => groupNameFor(m.job ?? ''));
    expect(ours.size).toBe(imported.targets);
    expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs));
    // Not vacuous: the static labels are there.
    expect([...ours.values()].every((labels) => labels.run === run && Object.keys(labels).length >= 3)).toBe(true);
  });
});
