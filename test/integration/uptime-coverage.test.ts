// Uptime and coverage, the same everywhere a person reads them: probe results seeded into the shared
// VictoriaMetrics — a monitor that was stopped for a while (every target's runs missing), a real outage and
// a flapping target — then the exact figures in the UI (its JSON and the cells of its page), the status page
// (status.json and its HTML) and `periscope report` (JSON and Markdown). Uptime = successful ÷ runs done;
// coverage = runs done ÷ runs expected; a missing run is neither an outage nor a success.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogFromFile, type Catalog } from '../../shared/reporting/catalog.js';
import { percent } from '../../shared/reporting/durations.js';
import { createVmReader } from '../../shared/reporting/vm-reader.js';
import { publishStatusPage } from '../../shared/status-page/index.js';
import { startUiServer, type UiServer } from '../../shared/ui/index.js';
import { loadTargetsFile } from '../../shared/config/index.js';
import { prometheusLine, VmClient } from '../support/victoria-metrics.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const vm = new VmClient(inject('vmUrl'));
const INTERVAL = 30_000;
const stage = `coverage-${process.pid}`;
const now = Date.now();
const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
const month = new Date(monthStart).toISOString().slice(0, 7);
// Up to three hours of runs, all inside this month and the last 24 hours, so every window sees the same runs.
const span = Math.min(3 * 3_600_000, now - monthStart - 60_000);
const slots = Math.floor(span / INTERVAL);
const lastRun = now - 1_000;
const firstRun = lastRun - (slots - 1) * INTERVAL;
const at = (k: number) => firstRun + k * INTERVAL;
/** Run k of each target: undefined when the monitor was stopped, else whether it succeeded. */
const stopped = (k: number) => k >= Math.floor(slots * 0.4) && k < Math.floor(slots * 0.5);
const RESULTS: Record<string, (k: number) => boolean> = {
  healthy: () => true,
  outage: (k) => !(k >= Math.floor(slots * 0.2) && k < Math.floor(slots * 0.2) + 8),
  flapping: (k) => !(k >= Math.floor(slots * 0.6) && k < Math.floor(slots * 0.9) && k % 2 === 0),
};

let dir: string;
let config: string;
let catalog: Catalog;
let ui: UiServer;

/** The figures each target should show, counted from what was written. */
function expected(target: string) {
  let done = 0;
  let ok = 0;
  for (let k = 0; k < slots; k++) {
    if (stopped(k)) continue;
    done++;
    if (RESULTS[target]?.(k)) ok++;
  }
  return { expected: slots, done, successful: ok, failed: done - ok, missing: slots - done, ratio: ok / done, coverage: done / slots };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-coverage-'));
  config = join(dir, 'targets.yml');
  await writeFile(
    config,
    `groups:
  - name: cover
    interval: 30s
    public: true
    targets:
${Object.keys(RESULTS).map((t) => `      - name: ${t}\n        http: { url: "https://${t}.example.test/" }`).join('\n')}
`,
  );
  catalog = catalogFromFile(await loadTargetsFile(config));
  const lines: string[] = [];
  for (const [target, ok] of Object.entries(RESULTS)) {
    const labels = { job: 'periscope', target, group: 'cover', stage, account: 'local', instance: `https://${target}.example.test/`, module: 'http' };
    for (let k = 0; k < slots; k++) {
      if (stopped(k)) continue;
      lines.push(prometheusLine('probe_success', labels, ok(k) ? 1 : 0, at(k)));
      if (!ok(k)) lines.push(prometheusLine('probe_failure_info', { ...labels, reason: 'timeout' }, 1, at(k)));
    }
  }
  await vm.importPrometheus(lines.join('\n'));
  await vm.waitForSeries(`probe_success{stage="${stage}"}`, Object.keys(RESULTS).length);
  await new Promise((r) => setTimeout(r, 1500)); // past -search.latencyOffset=1s
  ui = await startUiServer({ reader: createVmReader({ url: vm.url }), catalog, source: 'test' });
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('uptime and coverage', () => {
  it.skipIf(span < 40 * 60_000)('are the same exact figures in the UI, on the status page and in periscope report', async () => {
    for (const target of Object.keys(RESULTS)) {
      const e = expected(target);
      expect(e.missing).toBeGreaterThan(0);
    }
    // The flapping and the outage targets lost runs; the stopped monitor took runs from all three.
    expect(expected('healthy')).toMatchObject({ ratio: 1, failed: 0 });
    expect(expected('outage').failed).toBe(8);

    // The UI: its JSON, and the cells of its page (data-uptime, data-coverage and the text shown).
    const overview = (await (await fetch(`${ui.url}/api/overview?stage=${stage}`)).json()) as { targets: Array<{ target: string; uptime: Record<string, unknown> }> };
    const page = await (await fetch(`${ui.url}/?stage=${stage}`)).text();
    for (const target of Object.keys(RESULTS)) {
      const e = expected(target);
      const row = overview.targets.find((t) => t.target === target);
      for (const w of ['d1', 'd7', 'd30']) expect({ target, w, uptime: row?.uptime[w] }).toEqual({ target, w, uptime: expect.objectContaining(e) });
      const html = page.slice(page.indexOf(`data-target="${target}"`));
      const cell = /data-uptime="([^"]+)">([^<]+)<\/span><span class="cov[^"]*" data-coverage="([^"]+)">cov ([^<]+)</.exec(html);
      expect(cell?.slice(1)).toEqual([String(e.ratio), percent(e.ratio), String(e.coverage), percent(e.coverage)]);
    }

    // The status page the function publishes.
    const files = new Map<string, string>();
    await publishStatusPage(createVmReader({ url: vm.url }), catalog, async (key, body) => void files.set(key, body), Date.now());
    const status = JSON.parse(files.get('status.json') ?? '{}') as { services: Array<{ service: string; uptime_percent: Record<string, number>; coverage_percent: Record<string, number> }> };
    for (const target of Object.keys(RESULTS)) {
      const e = expected(target);
      const s = status.services.find((x) => x.service === target);
      for (const w of ['24h', '7d', '30d']) {
        expect(s?.uptime_percent[w]).toBe(e.ratio * 100);
        expect(s?.coverage_percent[w]).toBe(e.coverage * 100);
      }
      const html = files.get('index.html') ?? '';
      const item = html.slice(html.indexOf(`data-service="${target}"`));
      expect(/data-uptime="([^"]+)">([^<]+) uptime<\/span> · <span class="coverage[^"]*" data-coverage="([^"]+)">([^<]+) coverage</.exec(item)?.slice(1)).toEqual([
        String(e.ratio),
        percent(e.ratio),
        String(e.coverage),
        percent(e.coverage),
      ]);
    }

    // The monthly report, this month so far.
    const report = async (format: string) =>
      (await run(process.execPath, [join(ROOT, 'bin/periscope.js'), 'report', '--month', month, '--format', format, '--config', config, '--vm-url', vm.url, '--stage', stage])).stdout;
    const [json, md] = await Promise.all([report('json'), report('md')]);
    const rows = (JSON.parse(json) as { targets: Array<Record<string, number | string | null>> }).targets;
    for (const target of Object.keys(RESULTS)) {
      const e = expected(target);
      expect(rows.find((r) => r.target === target)).toMatchObject({
        uptime_percent: e.ratio * 100,
        coverage_percent: e.coverage * 100,
        expected_runs: e.expected,
        done_runs: e.done,
        successful_runs: e.successful,
        failed_runs: e.failed,
        missing_runs: e.missing,
      });
      expect(md).toContain(`| ${target} | cover | ${stage} / local | ${percent(e.ratio)} | ${percent(e.coverage)} |`);
    }
  }, 120_000);
});
