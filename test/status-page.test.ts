// The status-page function: real probes write to the shared VictoriaMetrics, the function's runtime (as
// the Lambda builds it, S3 replaced by aws-sdk-client-mock) renders the public targets only, and chromium
// loads the HTML it wrote.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStatusPageRuntime } from '../shared/aws/status-page-runtime.js';
import { createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { silentLogger } from '../shared/observability/logger.js';
import { runGroup } from '../shared/pipeline/run-group.js';
import { createFileSpool } from '../shared/storage/index.js';
import { launchBrowser, screenshot, watchedPage } from './support/browser.js';
import { startHttpServer, type TestServer } from './support/http-servers.js';

const vmUrl = inject('vmUrl');
const s3 = mockClient(S3Client);
let web: TestServer;
let dir: string;
let targetsFile: string;
const written = new Map<string, { body: string; type: string; bucket: string }>();

beforeAll(async () => {
  web = await startHttpServer((req, res) => {
    if (req.url?.startsWith('/broken')) res.writeHead(500).end('broken');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = await mkdtemp(join(tmpdir(), 'periscope-status-'));
  targetsFile = join(dir, 'targets.yml');
  await writeFile(
    targetsFile,
    `groups:
  - name: status-shop
    public: true
    targets:
      - name: storefront
        http: { url: "${web.url}/shop" }
      - name: checkout
        http: { url: "${web.url}/broken/checkout" }
  - name: status-internal
    targets:
      - name: admin-console
        http: { url: "${web.url}/admin" }
      - name: payments-api
        public: true
        http: { url: "${web.url}/payments" }
`,
  );
  const file = await loadTargetsFile(targetsFile);
  // Two rounds a few seconds apart: the checkout incident has two failed runs.
  for (let round = 0; round < 2; round++) {
    for (const group of file.groups) {
      await runGroup({
        file,
        group,
        identity: { stage: 'status-test', account: '123456789012', region: 'eu-central-1' },
        vm: { url: vmUrl },
        spool: createFileSpool(join(dir, 'spool')),
        secrets: createSecretResolver(),
        metrics: { put: async () => {} },
        logger: silentLogger,
        deadlineMs: Date.now() + 10_000,
      });
    }
    if (round === 0) await new Promise((r) => setTimeout(r, 2000));
  }
  await fetch(`${vmUrl}/internal/force_flush`);
  await new Promise((r) => setTimeout(r, 1500)); // past -search.latencyOffset=1s
  s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string; ContentType: string }) => {
    written.set(input.Key, { body: input.Body, type: input.ContentType, bucket: input.Bucket });
    return {};
  });
  const runtime = await createStatusPageRuntime(
    { STAGE: 'status-test', STATUS_PAGE_BUCKET: 'status.example.com', VM_QUERY_URL: vmUrl, TARGETS_FILE: targetsFile },
    { s3: new S3Client({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }) },
  );
  await runtime.publish(Date.now());
}, 60_000);

afterAll(async () => {
  s3.restore();
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

interface StatusJson {
  summary: { services: number; failing: number };
  services: Array<{ target: string; state: string; reason: string | null; uptime_percent: Record<string, number | null> }>;
  incidents: Array<{ service: string; end: string | null; reasons: string[] }>;
}

describe('the status page', () => {
  it('writes index.html and status.json to its bucket with the public targets only', () => {
    expect([...written.keys()].sort()).toEqual(['index.html', 'status.json']);
    expect(written.get('index.html')).toMatchObject({ bucket: 'status.example.com', type: 'text/html; charset=utf-8' });
    const status = JSON.parse(written.get('status.json')?.body ?? '{}') as StatusJson;
    expect(status.services.map((s) => s.target).sort()).toEqual(['checkout', 'payments-api', 'storefront']);
    expect(status.summary).toEqual({ services: 3, failing: 1 });
    expect(status.services.find((s) => s.target === 'checkout')).toMatchObject({ state: 'down', reason: 'status_code' });
    expect(status.services.find((s) => s.target === 'storefront')?.uptime_percent['24h']).toBe(100);
    expect(status.incidents).toEqual([expect.objectContaining({ service: 'checkout', end: null, reasons: ['status_code'] })]);
    // Nothing internal: not the private target, not the probed addresses.
    const html = written.get('index.html')?.body ?? '';
    expect(html).not.toContain('admin-console');
    expect(html).not.toContain(web.url);
    expect(written.get('status.json')?.body).not.toContain('127.0.0.1');
  });

  it('renders HTML that chromium shows as a status page, with no script and no error', async () => {
    const file = join(dir, 'index.html');
    await writeFile(file, written.get('index.html')?.body ?? '');
    const browser = await launchBrowser();
    try {
      const { page, errors } = await watchedPage(browser, 1200, 700);
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      expect(await page.$eval('#headline', (el) => (el as unknown as { innerText: string }).innerText)).toBe('1 of 3 services are failing.');
      const rows = await page.$$eval('#targets tr.target', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
      expect(rows).toHaveLength(3);
      expect(rows.find((r) => r.includes('checkout'))).toMatch(/DOWN[\s\S]*status_code/);
      expect(await page.$$eval('#incidents tbody tr', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText))).toEqual([expect.stringMatching(/checkout[\s\S]*ongoing[\s\S]*status_code/)]);
      expect(await page.$$eval('script', (s) => s.length)).toBe(0);
      await screenshot(page, 'status-page.png');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
