// The pages stay live, as a person watching them sees: the UI server over the shared VictoriaMetrics with a
// one-second refresh, chromium on the overview and a target page, and new samples written meanwhile — a new
// probe result, a failure with its message and a new alert appear without a reload; when the server stops
// answering the page says it is not live any more.
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { emptyCatalog } from '../../shared/reporting/catalog.js';
import { createVmReader } from '../../shared/reporting/vm-reader.js';
import { startUiServer, type UiServer } from '../../shared/ui/index.js';
import { launchBrowser, watchedPage } from '../support/browser.js';
import { prometheusLine, VmClient } from '../support/victoria-metrics.js';

const vm = new VmClient(inject('vmUrl'));
const stage = `ui-live-${process.pid}`;
const ident = { job: 'periscope', target: 'live-api', group: 'live', stage, account: 'local', instance: 'https://live.example.test/health', module: 'http' };
const ref = new URLSearchParams({ target: ident.target, group: ident.group, stage, account: ident.account });

let ui: UiServer;
let browser: Browser;

type El = { innerText: string; getAttribute(name: string): string | null; className: string; hidden: boolean };

async function write(lines: string[]): Promise<void> {
  await vm.importPrometheus(lines.join('\n'));
  await vm.flush();
}

function run(at: number, ok: boolean, seconds: number): string[] {
  const lines = [prometheusLine('probe_success', ident, ok ? 1 : 0, at), prometheusLine('probe_duration_seconds', ident, seconds, at)];
  for (const [phase, share] of [['connect', 0.3], ['processing', 0.7]] as const) lines.push(prometheusLine('probe_http_duration_seconds', { ...ident, phase }, seconds * share, at));
  if (!ok) {
    lines.push(prometheusLine('probe_failure_info', { ...ident, reason: 'status_code' }, 1, at));
    lines.push(prometheusLine('probe_failure_message_info', { ...ident, reason: 'status_code', message: 'status code 503 is not 2xx' }, 1, at));
  }
  return lines;
}

beforeAll(async () => {
  const now = Date.now();
  // Four minutes of healthy results, one every 15 s.
  const lines: string[] = [];
  for (let t = now - 4 * 60_000; t <= now - 15_000; t += 15_000) lines.push(...run(t, true, 0.05));
  await write(lines);
  await vm.waitForSeries(`probe_success{stage="${stage}"}`, 1);
  ui = await startUiServer({ reader: createVmReader({ url: vm.url }), catalog: emptyCatalog(), source: 'test', refreshMs: 1000 });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
});

describe('live pages', () => {
  it('show a new probe result, its failure message and a new alert without a reload, and say how fresh they are', async () => {
    const { page, errors } = await watchedPage(browser, 1280, 900);
    await page.goto(`${ui.url}/?stage=${stage}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    await page.evaluate('window.__sameDocument = true');
    const row = `tr.target[data-target="live-api"]`;
    expect(await page.$eval(row, (el) => (el as unknown as El).getAttribute('data-state'))).toBe('up');
    const firstRun = Number(await page.$eval(`${row} td[data-last-run-ms]`, (el) => (el as unknown as El).getAttribute('data-last-run-ms')));
    expect(await page.$$(`#active-alerts tr[data-alert="LiveTestAlert"]`)).toHaveLength(0);

    // A new run that failed, and the alert it raised (as the anomaly check writes it).
    const at = Date.now() - 1000;
    const alert = { alertname: 'LiveTestAlert', alertgroup: 'live', severity: 'critical', target: ident.target, instance: ident.instance };
    await write([
      ...run(at, false, 0.2),
      prometheusLine('ALERTS', { ...alert, alertstate: 'pending' }, 1, at),
      prometheusLine('ALERTS_FOR_STATE', alert, Math.floor(at / 1000), at),
      prometheusLine('periscope_alert_state', alert, 1, at),
    ]);
    await page.waitForFunction(
      (selector: string) => {
        const tr = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document.querySelector(selector);
        return tr?.getAttribute('data-state') === 'down';
      },
      { timeout: 15_000 },
      row,
    );
    await page.waitForSelector('#active-alerts tr[data-alert="LiveTestAlert"]', { timeout: 15_000 });
    const text = await page.$eval(row, (el) => (el as unknown as El).innerText);
    expect(text).toContain('status code 503 is not 2xx');
    const lastRun = Number(await page.$eval(`${row} td[data-last-run-ms]`, (el) => (el as unknown as El).getAttribute('data-last-run-ms')));
    expect(lastRun).toBeGreaterThan(firstRun);
    expect(await page.$eval('#active-alerts tr[data-alert="LiveTestAlert"]', (el) => (el as unknown as El).innerText)).toMatch(/PENDING[\s\S]*LiveTestAlert[\s\S]*live-api/i);
    // The same document all along: no navigation, no reload.
    expect(await page.evaluate('window.__sameDocument === true && performance.getEntriesByType("navigation").length === 1')).toBe(true);
    expect(Number(await page.$eval('body', (el) => (el as unknown as El).getAttribute('data-updates')))).toBeGreaterThan(0);
    expect(await page.$eval('#live', (el) => (el as unknown as El).innerText)).toMatch(/^updated \d+ s ago$/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('redraws the target page chart with the new points, and says "not live" when the server stops answering', async () => {
    const { page } = await watchedPage(browser, 1280, 900);
    await page.goto(`${ui.url}/target?${ref}&hours=1`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const points = () => page.evaluate('window.periscopeCharts[0].points') as Promise<number>;
    const before = await points();
    expect(before).toBeGreaterThan(3);
    await write(run(Date.now() - 1000, true, 0.06));
    await page.waitForFunction((n: number) => (globalThis as unknown as { periscopeCharts: Array<{ points: number }> }).periscopeCharts[0]!.points > n, { timeout: 15_000 }, before);

    await ui.close();
    await page.waitForSelector('#offline:not([hidden])', { timeout: 15_000 });
    expect(await page.$eval('#offline', (el) => (el as unknown as El).innerText)).toMatch(/^Not live: no answer from the Periscope server\. What you see was read at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(await page.$eval('#live', (el) => (el as unknown as El).className)).toContain('stale');
    expect(await page.$eval('#live', (el) => (el as unknown as El).innerText)).toMatch(/^offline · data \d+ s old$/);
    await page.close();
  }, 60_000);
});
