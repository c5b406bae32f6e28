// The web UI as a person sees it: the demo pipeline (`periscope run --demo`, the local run of `npm start`,
// with its own VictoriaMetrics, demo service and rule evaluation) runs as a child process on free ports,
// and headless Debian chromium opens the UI it serves — every page at 1024, 1280, 1440 and 1920 px, laid out
// without hidden, overlapping or overflowing cells and without mid-word breaks (test/support/layout.ts),
// and the status page the same data gives at 390 px and on a desktop. Screenshots of every page and width go
// to test-results/screenshots/. `npm run docs:screenshots` runs this file with PERISCOPE_DOCS_SCREENSHOTS=1:
// then the pipeline's VictoriaMetrics first gets a day of history (test/support/demo-history.ts) and the
// documented screenshots under docs/screenshots/ are rewritten.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_SCREENSHOTS, launchBrowser, screenshot, watchedPage } from '../support/browser.js';
import { seedDemoHistory } from '../support/demo-history.js';
import { checkLayout } from '../support/layout.js';
import { freePort } from '../support/ports.js';
import { startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

/** What the page functions need of DOM types (the project compiles without the DOM library). */
type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
type El = { innerText: string; getAttribute(name: string): string | null };

const ROOT = resolve(import.meta.dirname, '..', '..');
const TARGETS = ['demo-health', 'demo-https', 'demo-redirect', 'demo-slow', 'demo-tcp', 'victoria-metrics', 'demo-missing-page', 'demo-closed-port'];
const WIDTHS = [1024, 1280, 1440, 1920];
/** The width the documented screenshots are taken at: a laptop. */
const DOCS_WIDTH = 1280;

let dir: string;
let run: ChildProcess;
let output = '';
let ui: string;
let vmUrl: string;
let browser: Browser;
let seededVm: VmHandle | undefined;

interface OverviewJson {
  targets: Array<{ target: string; state: string; reason?: string; uptime: { d1?: { expected: number } } }>;
}

const target = (name: string, group: string) => `/target?${new URLSearchParams({ target: name, group, stage: 'local', account: 'local', hours: DOCS_SCREENSHOTS ? '24' : '1' })}`;
const PAGES: Array<{ name: string; path: string; docs?: string }> = [
  { name: 'overview', path: '/', docs: 'overview.png' },
  { name: 'target', path: target('demo-https', 'demo'), docs: 'target.png' },
  { name: 'target-failing', path: target('demo-closed-port', 'demo-errors') },
  { name: 'target-outage', path: target('demo-slow', 'demo'), docs: 'target-outage.png' },
  { name: 'alerts', path: '/alerts', docs: 'alerts.png' },
];

async function json<T>(path: string): Promise<T> {
  const response = await fetch(`${ui}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; run output:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function open(path: string, width: number): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await watchedPage(browser, width, 900);
  await page.goto(`${ui}${path}`, { waitUntil: 'load' });
  if (path !== '/alerts') await page.waitForSelector('body[data-ready="1"]');
  return { page, errors };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-ui-'));
  const [uiPort, httpPort, httpsPort, closedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  // For the documented screenshots: a VictoriaMetrics of the test's own, holding a day of history first.
  if (DOCS_SCREENSHOTS) seededVm = await startVictoriaMetrics();
  const vmPort = seededVm ? Number(new URL(seededVm.url).port) : await freePort();
  vmUrl = `http://127.0.0.1:${vmPort}`;
  // targets/local.yml as shipped, moved to free ports so the test never collides with a running `npm start`.
  const local = (await readFile(join(ROOT, 'targets/local.yml'), 'utf8'))
    .replaceAll('127.0.0.1:18080', `127.0.0.1:${httpPort}`)
    .replaceAll('localhost:18443', `localhost:${httpsPort}`)
    .replaceAll('127.0.0.1:8428', `127.0.0.1:${vmPort}`)
    .replaceAll('127.0.0.1:18099', `127.0.0.1:${closedPort}`);
  await mkdir(join(dir, 'targets'), { recursive: true });
  await writeFile(join(dir, 'targets/local.yml'), local);
  await cp(join(ROOT, 'targets/rules'), join(dir, 'targets/rules'), { recursive: true });
  await cp(join(ROOT, 'targets/status-notes'), join(dir, 'targets/status-notes'), { recursive: true });
  if (seededVm) await seedDemoHistory(seededVm, { http: httpPort, https: httpsPort, vm: vmPort, closed: closedPort }, Date.now(), Date.now() - 15_000);
  ui = `http://127.0.0.1:${uiPort}`;
  const env = { ...process.env };
  delete env.VM_URL;
  delete env.VM_UI_URL;
  const args = [join(ROOT, 'bin/periscope.js'), 'run', '--config', 'targets/local.yml', '--demo', '--listen', `127.0.0.1:${uiPort}`, '--demo-http-port', String(httpPort), '--demo-https-port', String(httpsPort)];
  args.push(...(seededVm ? ['--vm-url', seededVm.url] : ['--vm-port', String(vmPort)]));
  // setpriv: the run (and the VictoriaMetrics it starts) dies with the test process.
  run = spawn('/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', process.execPath, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  run.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  run.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  browser = await launchBrowser();
  // Three rounds of the 15 s group (a chart needs points) and the rule evaluation that finds the closed port
  // down (EndpointDown pending; the first evaluation, 5 s in, may not see the samples yet).
  await until(
    'the demo targets and a pending alert in the UI',
    async () => {
      const overview = await json<OverviewJson>('/api/overview');
      const alerts = await json<{ active: Array<{ alertname: string }> }>('/api/alerts');
      const health = overview.targets.find((t) => t.target === 'demo-health');
      const https = overview.targets.find((t) => t.target === 'demo-https');
      return (
        overview.targets.length === TARGETS.length &&
        alerts.active.some((a) => a.alertname === 'EndpointDown') &&
        (health?.uptime.d1?.expected ?? 0) >= 3 &&
        https?.state === 'up'
      );
    },
    120_000,
  );
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (run && run.exitCode === null) {
    const exited = new Promise((r) => run.once('exit', r));
    run.kill('SIGTERM');
    await exited;
  }
  await seededVm?.cleanup();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('the web UI of the demo pipeline, in chromium', () => {
  it('lists every target, the failing ones with the message the probe printed and its reason, and the pending alert', async () => {
    const { page, errors } = await open('/', 1280);
    const rows = await page.$$eval('#targets tr.target', (trs) =>
      trs.map((tr) => ({ name: tr.querySelector('td.name a')?.textContent?.trim() ?? '', state: tr.getAttribute('data-state'), text: (tr as unknown as { innerText: string }).innerText })),
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...TARGETS].sort());
    const closed = rows.find((r) => r.name === 'demo-closed-port');
    expect(closed?.state).toBe('down');
    expect(closed?.text).toMatch(/connection refused\s+refused/);
    expect(rows.find((r) => r.name === 'demo-missing-page')?.text).toMatch(/status code 404 is not 2xx\s+status_code/);
    expect(rows.find((r) => r.name === 'demo-health')?.state).toBe('up');
    // Uptime and, under it, coverage, for every window.
    expect(rows.find((r) => r.name === 'demo-health')?.text).toMatch(/100 %\s+cov \d+(\.\d+)? %/);
    const alerts = await page.$$eval('#active-alerts tr.alert', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
    expect(alerts.join('\n')).toMatch(/EndpointDown[\s\S]*demo-closed-port is down[\s\S]*demo-closed-port[\s\S]*connection refused/);

    // The filter narrows the rows as one types.
    await page.type('#filter', 'refused');
    const visible = await page.$$eval('#targets tr.target', (trs) => trs.filter((tr) => !(tr as unknown as { hidden: boolean }).hidden).map((tr) => tr.querySelector('td.name a')?.textContent?.trim()));
    expect(visible).toEqual(['demo-closed-port']);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it.each(WIDTHS)('shows every page at %i px with every header and cell visible, none overlapping, no mid-word break', async (width) => {
    for (const p of PAGES) {
      const { page, errors } = await open(p.path, width);
      const layout = await checkLayout(page);
      expect({ page: p.name, width, problems: layout.problems }).toEqual({ page: p.name, width, problems: [] });
      expect(layout.cells).toBeGreaterThan(p.name === 'overview' ? 80 : 10);
      expect(layout.breakables).toBeGreaterThan(0);
      await screenshot(page, `${p.name}-${width}.png`, width === DOCS_WIDTH && p.docs ? { docs: p.docs } : {});
      expect({ page: p.name, errors }).toEqual({ page: p.name, errors: [] });
      await page.close();
    }
  }, 120_000);

  it('draws the latency-by-phase chart with data on a 24-hour UTC axis and shows the certificate of the HTTPS target', async () => {
    const { page, errors } = await open(target('demo-https', 'demo'), 1280);
    const chart = await page.evaluate(() => (globalThis as unknown as { periscopeCharts: Array<{ series: number; points: number; xTicks: string[]; xValue: string }> }).periscopeCharts[0]);
    expect(chart?.series).toBe(5); // resolve, connect, tls, processing, transfer
    expect(chart?.points).toBeGreaterThanOrEqual(2);
    // The axis labels as drawn: HH:MM (with seconds when ticks are seconds apart) and the date under the first.
    expect(chart?.xTicks.length).toBeGreaterThan(2);
    for (const tick of chart?.xTicks ?? []) expect(tick).toMatch(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(\n\d\d-\d\d)?$/);
    expect(chart?.xTicks[0]).toMatch(/\n\d\d-\d\d$/);
    expect(chart?.xValue).toMatch(/^\d{4}-\d\d-\d\d ([01]\d|2[0-3]):[0-5]\d:[0-5]\d UTC$/);
    // Pixels actually drawn on the canvas, not just a canvas element.
    const painted = await page.$eval('#latency-chart canvas', (canvas) => {
      const c = canvas as unknown as Canvas;
      const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) count++;
      return count;
    });
    expect(painted).toBeGreaterThan(1000);
    expect(await page.$eval('#certificate', (el) => (el as unknown as El).innerText)).toMatch(/CN=localhost[\s\S]*TLS 1\.[23]/);
    expect(await page.$eval('#last-probe', (el) => (el as unknown as El).innerText)).toMatch(/tls[\s\S]*processing/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the failing target with its failure timeline, its reason in words and the probe message', async () => {
    const { page, errors } = await open(target('demo-closed-port', 'demo-errors'), 1280);
    const incidents = await page.$$eval('#incidents tbody tr', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
    expect(incidents.length).toBe(1);
    expect(incidents[0]).toMatch(/ongoing[\s\S]*connection refused[\s\S]*refused/);
    expect(await page.$$eval('#availability g.fail', (s) => s.length)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('lists the alerts now with what on-call reads first, and their history with a link to the target', async () => {
    const { page, errors } = await open('/alerts', 1280);
    const active = await page.$$eval('#active-alerts tr.alert', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
    const down = active.find((t) => t.includes('demo-closed-port is down'));
    // The rule's summary and description, the target and the message its probe printed.
    expect(down).toMatch(/EndpointDown\s+demo-closed-port is down \(127\.0\.0\.1:\d+\)\s+Probes from 1 accounts fail/);
    expect(down).toMatch(/demo-closed-port\s+127\.0\.0\.1:\d+\s+connection refused/);
    expect(await page.$$eval('#alert-history tr.episode', (trs) => trs.length)).toBeGreaterThan(0);
    const link = await page.$eval('#active-alerts tr.alert a.tlink', (a) => (a as unknown as El).getAttribute('href'));
    expect(link).toMatch(/^\/target\?target=demo-/);
    await Promise.all([page.waitForNavigation(), page.click('#active-alerts tr.alert a.tlink')]);
    expect(await page.$eval('h1', (el) => (el as unknown as El).innerText)).toMatch(/demo-/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('renders the same data as the public status page (periscope status-page) that reads well at 390 px and on a desktop', async () => {
    const out = join(dir, 'status');
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/periscope.js'), 'status-page', '--config', 'targets/local.yml', '--out', out, '--vm-url', vmUrl], { cwd: dir });
    expect(stdout).toContain('6 public services');
    for (const width of [390, 1280]) {
      const { page, errors } = await watchedPage(browser, width, 800);
      await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
      const text = await page.$eval('main', (el) => (el as unknown as El).innerText);
      expect(text).toContain('Pizza Service status');
      expect(text).toContain("This is the demo's status page");
      expect(text).toMatch(/demo-health\s+Operational/);
      // What customers read about the services: no reason codes, no stage or account, no percentiles.
      const services = await page.$eval('#services', (el) => (el as unknown as El).innerText);
      expect(services).not.toMatch(/status_code|refused|p95|p50|\blocal\b|stage|127\.0\.0\.1/);
      const layout = await checkLayout(page);
      expect({ width, problems: layout.problems }).toEqual({ width, problems: [] });
      await screenshot(page, `status-page-${width}.png`, { docs: width === 390 ? 'status-page-mobile.png' : 'status-page.png' });
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 60_000);

  it('is read-only and answers bad parameters with 400', async () => {
    expect((await fetch(`${ui}/`, { method: 'POST' })).status).toBe(405);
    const bad = await fetch(`${ui}/target?target=x`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('missing query parameters: group, stage, account');
  });
});
