// The web UI at scale: VictoriaMetrics seeded with `targets` targets at one probe a minute (30 days of
// success, 24 hours of duration, 2 hours of everything else: five HTTP phases, failure reasons for 5 %,
// certificates for a third), the UI server in this process, and Debian chromium timing each page from
// navigation to "ready" (scripts run, charts drawn).
// Run alone: `node --import tsx bench/ui-pages.ts [--smoke]`; `npm run bench` includes it.
import { performance } from 'node:perf_hooks';
import puppeteer from 'puppeteer-core';
import { emptyCatalog } from '../shared/reporting/catalog.js';
import { createVmReader } from '../shared/reporting/vm-reader.js';
import { startUiServer } from '../shared/ui/server.js';
import { findChromium } from '../test/support/binaries.js';
import { prometheusLine, startVictoriaMetrics } from '../test/support/victoria-metrics.js';

export interface UiBenchResult {
  targets: number;
  samples: number;
  /** Days of probe_success history per target (the 7 d and 30 d uptime columns read all of it). */
  history_days: number;
  /** The first overview after start, before VictoriaMetrics' response cache holds the past days. */
  overview_first_server_ms: number;
  /** The server alone: queries, assembly and HTML, without the browser. */
  overview_server_ms: { median: number; max: number };
  overview_ready_ms: { median: number; max: number };
  target_ready_ms: { median: number; max: number };
  alerts_ready_ms: { median: number; max: number };
}

const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

const HISTORY_DAYS = 30;

/** 30 days of probe_success (and 24 h of probe_duration_seconds) at one probe a minute before the detailed last 2 hours (JSON import: one line per series). */
async function seedHistory(vmUrl: string, targets: number, nowMs: number): Promise<number> {
  const minutes = HISTORY_DAYS * 1440;
  let total = 0;
  let lines: string[] = [];
  for (let i = 0; i < targets; i++) {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let m = minutes; m > 120; m--) {
      timestamps.push(nowMs - m * 60_000);
      // A few short outages a week for every 20th target, so 7 d and 30 d uptime differ.
      values.push(i % 20 === 0 && m % 3000 < 4 ? 0 : 1);
    }
    total += values.length;
    const metric = { __name__: 'probe_success', ...identity(i) };
    lines.push(JSON.stringify({ metric, values, timestamps }));
    // The latency columns read 24 h of probe_duration_seconds: the 22 hours before the detailed 2.
    const day = timestamps.slice(-(1440 - 120));
    total += day.length;
    lines.push(JSON.stringify({ metric: { ...metric, __name__: 'probe_duration_seconds' }, values: day.map((_, m) => 0.05 + (i % 7) * 0.01 + (m % 5) * 0.002), timestamps: day }));
    if (lines.length >= 20 || i === targets - 1) {
      const response = await fetch(`${vmUrl}/api/v1/import`, { method: 'POST', body: lines.join('\n') });
      if (!response.ok) throw new Error(`history import answered ${response.status}: ${await response.text()}`);
      lines = [];
    }
  }
  return total;
}

const identity = (i: number) => ({ job: 'periscope', target: `t${String(i).padStart(4, '0')}`, group: `g${i % 20}`, stage: 'bench', account: `acct${i % 3}`, region: 'eu-central-1', module: 'http', instance: `https://svc${i}.example.com/healthz` });

export async function seed(vmUrl: string, importText: (text: string) => Promise<void>, targets: number, nowMs: number): Promise<number> {
  let lines: string[] = [];
  let total = await seedHistory(vmUrl, targets, nowMs);
  const flush = async () => {
    if (!lines.length) return;
    total += lines.length;
    await importText(lines.join('\n'));
    lines = [];
  };
  for (let i = 0; i < targets; i++) {
    const base = identity(i);
    const failing = i % 20 === 0;
    for (let m = 120; m >= 1; m--) {
      const t = nowMs - m * 60_000;
      const ok = !(failing && m < 30);
      lines.push(prometheusLine('probe_success', base, ok ? 1 : 0, t));
      lines.push(prometheusLine('probe_duration_seconds', base, 0.05 + (i % 7) * 0.01 + (m % 5) * 0.002, t));
      for (const [p, phase] of PHASES.entries()) lines.push(prometheusLine('probe_http_duration_seconds', { ...base, phase }, 0.005 * (p + 1), t));
      if (!ok) lines.push(prometheusLine('probe_failure_info', { ...base, reason: 'timeout' }, 1, t));
      if (i % 3 === 0) lines.push(prometheusLine('probe_ssl_earliest_cert_expiry', base, nowMs / 1000 + 86_400 * (5 + (i % 90)), t));
    }
    if (lines.length > 50_000) await flush();
  }
  await flush();
  return total;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN), max: Math.round(sorted.at(-1) ?? NaN) };
};

export async function benchUiPages(targets: number, rounds: number): Promise<UiBenchResult> {
  // The response cache stays on, as in production: the 7 d / 30 d uptime reads past days from it.
  const vm = await startVictoriaMetrics({ responseCache: true });
  const nowMs = Date.now();
  try {
    const samples = await seed(vm.url, (text) => vm.importPrometheus(text), targets, nowMs);
    await vm.flush();
    await new Promise((r) => setTimeout(r, 2000));
    const ui = await startUiServer({ reader: createVmReader({ url: vm.url }), catalog: emptyCatalog(), source: vm.url });
    const browser = await puppeteer.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage();
      // A loaded machine can take long; the numbers say how long, a timeout would only hide them.
      page.setDefaultNavigationTimeout(180_000);
      page.setDefaultTimeout(180_000);
      await page.setViewport({ width: 1400, height: 900 });
      const time = async (path: string, ready: boolean) => {
        const start = performance.now();
        await page.goto(`${ui.url}${path}`, { waitUntil: 'load' });
        if (ready) await page.waitForSelector('body[data-ready="1"]');
        return performance.now() - start;
      };
      const targetPath = `/target?${new URLSearchParams({ target: 't0000', group: 'g0', stage: 'bench', account: 'acct0' })}`;
      // One warm-up of each: the first navigation also starts chromium's renderer.
      const first = performance.now();
      await (await fetch(`${ui.url}/`)).text();
      const overviewFirst = performance.now() - first;
      await time('/', true);
      await time(targetPath, true);
      const server: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const start = performance.now();
        await (await fetch(`${ui.url}/`)).text();
        server.push(performance.now() - start);
      }
      const overview: number[] = [];
      const target: number[] = [];
      const alerts: number[] = [];
      for (let r = 0; r < rounds; r++) {
        overview.push(await time('/', true));
        target.push(await time(targetPath, true));
        alerts.push(await time('/alerts', false));
      }

      await page.goto(`${ui.url}/`, { waitUntil: 'load' });
      const shown = await page.$$eval('#targets tr.target', (trs) => trs.length);
      if (shown !== targets) throw new Error(`the overview shows ${shown} targets, expected ${targets}`);
      return { targets, samples, history_days: HISTORY_DAYS, overview_first_server_ms: Math.round(overviewFirst), overview_server_ms: stats(server), overview_ready_ms: stats(overview), target_ready_ms: stats(target), alerts_ready_ms: stats(alerts) };
    } finally {
      await browser.close();
      await ui.close();
    }
  } finally {
    await vm.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const smoke = process.argv.includes('--smoke');
  const result = await benchUiPages(smoke ? 100 : 1000, smoke ? 3 : 7);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
