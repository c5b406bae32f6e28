// The web UI as a person sees it: the demo pipeline (`periscope run --demo`, the local run of `npm start`,
// with its own VictoriaMetrics, demo service and rule evaluation) runs as a child process on free ports,
// and headless Debian chromium opens the UI it serves. Screenshots go to docs/screenshots/ for the README and docs.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchedPage } from './support/browser.js';
import { freePort } from './support/ports.js';

/** What the page functions need of DOM types (the project compiles without the DOM library). */
type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };

const ROOT = resolve(import.meta.dirname, '..');
const TARGETS = ['demo-health', 'demo-https', 'demo-redirect', 'demo-slow', 'demo-tcp', 'victoria-metrics', 'demo-missing-page', 'demo-closed-port'];

let dir: string;
let run: ChildProcess;
let output = '';
let ui: string;
let browser: Browser;

interface OverviewJson {
  targets: Array<{ target: string; state: string; reason?: string; uptime: { d1?: { expected: number } } }>;
}

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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-ui-'));
  const [vmPort, uiPort, httpPort, httpsPort, closedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  // targets/local.yml as shipped, moved to free ports so the test never collides with a running `npm start`.
  const local = (await readFile(join(ROOT, 'targets/local.yml'), 'utf8'))
    .replaceAll('127.0.0.1:18080', `127.0.0.1:${httpPort}`)
    .replaceAll('localhost:18443', `localhost:${httpsPort}`)
    .replaceAll('127.0.0.1:8428', `127.0.0.1:${vmPort}`)
    .replaceAll('127.0.0.1:18099', `127.0.0.1:${closedPort}`);
  await mkdir(join(dir, 'targets'), { recursive: true });
  await writeFile(join(dir, 'targets/local.yml'), local);
  await cp(join(ROOT, 'targets/rules'), join(dir, 'targets/rules'), { recursive: true });
  ui = `http://127.0.0.1:${uiPort}`;
  const env = { ...process.env };
  delete env.VM_URL;
  const args = [join(ROOT, 'bin/periscope.js'), 'run', '--config', 'targets/local.yml', '--demo', '--vm-port', String(vmPort), '--listen', `127.0.0.1:${uiPort}`, '--demo-http-port', String(httpPort), '--demo-https-port', String(httpsPort)];
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
      return overview.targets.length === TARGETS.length && alerts.active.some((a) => a.alertname === 'EndpointDown') && (health?.uptime.d1?.expected ?? 0) >= 3;
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
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('the web UI of the demo pipeline, in chromium', () => {
  it('lists every target, the failing ones with their reasons, and the pending alert', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(ui, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const rows = await page.$$eval('#targets tr.target', (trs) =>
      trs.map((tr) => ({ name: tr.querySelector('td.name a')?.textContent?.trim() ?? '', state: tr.getAttribute('data-state'), text: (tr as unknown as { innerText: string }).innerText })),
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...TARGETS].sort());
    const closed = rows.find((r) => r.name === 'demo-closed-port');
    expect(closed?.state).toBe('down');
    expect(closed?.text).toContain('refused');
    expect(rows.find((r) => r.name === 'demo-missing-page')?.text).toContain('status_code');
    expect(rows.find((r) => r.name === 'demo-health')?.state).toBe('up');
    const alerts = await page.$$eval('#active-alerts tr.alert', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.join('\n')).toMatch(/EndpointDown[\s\S]*target=demo-closed-port/);
    await screenshot(page, 'overview.png');

    // The filter narrows the rows as one types.
    await page.type('#filter', 'refused');
    const visible = await page.$$eval('#targets tr.target', (trs) => trs.filter((tr) => !(tr as unknown as { hidden: boolean }).hidden).map((tr) => tr.querySelector('td.name a')?.textContent?.trim()));
    expect(visible).toEqual(['demo-closed-port']);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('draws the latency-by-phase chart with data and shows the certificate of the HTTPS target', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${ui}/target?${new URLSearchParams({ target: 'demo-https', group: 'demo', stage: 'local', account: 'local', hours: '1' })}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const chart = await page.evaluate(() => (globalThis as unknown as { periscopeCharts: Array<{ series: number; points: number }> }).periscopeCharts[0]);
    expect(chart?.series).toBe(5); // resolve, connect, tls, processing, transfer
    expect(chart?.points).toBeGreaterThanOrEqual(2);
    // Pixels actually drawn on the canvas, not just a canvas element.
    const painted = await page.$eval('#latency-chart canvas', (canvas) => {
      const c = canvas as unknown as Canvas;
      const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) count++;
      return count;
    });
    expect(painted).toBeGreaterThan(1000);
    expect(await page.$eval('#certificate', (el) => (el as unknown as { innerText: string }).innerText)).toMatch(/CN=localhost[\s\S]*TLS 1\.[23]/);
    expect(await page.$eval('#last-probe', (el) => (el as unknown as { innerText: string }).innerText)).toMatch(/tls[\s\S]*processing/);
    await screenshot(page, 'target.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the failing target with its failure timeline and reason', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${ui}/target?${new URLSearchParams({ target: 'demo-closed-port', group: 'demo-errors', stage: 'local', account: 'local', hours: '1' })}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const incidents = await page.$$eval('#incidents tbody tr', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
    expect(incidents.length).toBe(1);
    expect(incidents[0]).toMatch(/ongoing[\s\S]*refused/);
    expect(await page.$$eval('#availability span.fail', (s) => s.length)).toBeGreaterThan(0);
    await screenshot(page, 'target-failing.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('lists the alerts now and their history from the ALERTS series', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${ui}/alerts`, { waitUntil: 'load' });
    expect(await page.$$eval('#active-alerts tr.alert', (trs) => trs.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#alert-history tr.episode', (trs) => trs.length)).toBeGreaterThan(0);
    await screenshot(page, 'alerts.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('is read-only and answers bad parameters with 400', async () => {
    expect((await fetch(`${ui}/`, { method: 'POST' })).status).toBe(405);
    const bad = await fetch(`${ui}/target?target=x`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('missing query parameters: group, stage, account');
  });
});
