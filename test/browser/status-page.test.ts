// The status-page function: real probes write to the shared VictoriaMetrics, the function's runtime (as
// the Lambda builds it, S3 replaced by aws-sdk-client-mock) renders the public targets only, with the title,
// description, logo, names and notes of the stage's targets file, and chromium loads the HTML it wrote at
// 390 px and on a desktop. `periscope status-page` writes the same bytes for the same instant, and bad
// status-page settings are refused with the file and the field.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { statusPageCommand } from '../../cli/status-page-command.js';
import { createStatusPageRuntime } from '../../shared/aws/status-page-runtime.js';
import { ConfigError, createSecretResolver, loadTargetsFile } from '../../shared/config/index.js';
import { silentLogger } from '../../shared/observability/logger.js';
import { runGroup } from '../../shared/pipeline/run-group.js';
import { loadStatusPageContent } from '../../shared/status-page/content.js';
import { createFileSpool } from '../../shared/storage/index.js';
import { launchBrowser, screenshot, watchedPage } from '../support/browser.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';
import { checkLayout } from '../support/layout.js';
import { VmClient } from '../support/victoria-metrics.js';

const vmUrl = inject('vmUrl');
const ROOT = resolve(import.meta.dirname, '..', '..');
const s3 = mockClient(S3Client);
let web: TestServer;
let dir: string;
let targetsFile: string;
let publishedAt: number;
const written = new Map<string, { body: string; type: string; bucket: string }>();
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#0969da"/></svg>';

beforeAll(async () => {
  web = await startHttpServer((req, res) => {
    if (req.url?.startsWith('/broken')) res.writeHead(500).end('broken');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = await mkdtemp(join(tmpdir(), 'periscope-status-'));
  targetsFile = join(dir, 'status-test.yml');
  await writeFile(join(dir, 'logo.svg'), LOGO);
  await mkdir(join(dir, 'status-notes'));
  await writeFile(
    join(dir, 'status-notes', 'status-test.yml'),
    `notes:
  - date: ${new Date(Date.now() - 3_600_000).toISOString()}
    kind: incident
    title: Checkout is failing
    text: Payments cannot be completed. We are rolling back the last release.
    services: [Checkout]
  - date: 2020-01-01
    title: An old note nobody should see any more
`,
  );
  await writeFile(
    targetsFile,
    `status_page:
  title: Acme status
  description: Live status of the Acme shop.
  logo: logo.svg
  group_titles: { status-shop: Shop }
  service_titles: { checkout: Checkout }
groups:
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
  // Searchable, and past -search.latencyOffset=1s, before the page is rendered from them.
  await new VmClient(vmUrl).waitForSeries('probe_success{stage="status-test"}', 4);
  await new Promise((r) => setTimeout(r, 1500));
  s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string; ContentType: string }) => {
    written.set(input.Key, { body: input.Body, type: input.ContentType, bucket: input.Bucket });
    return {};
  });
  const runtime = await createStatusPageRuntime(
    { STAGE: 'status-test', STATUS_PAGE_BUCKET: 'status.example.com', VM_QUERY_URL: vmUrl, TARGETS_FILE: targetsFile },
    { s3: new S3Client({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }) },
  );
  publishedAt = Date.now();
  await runtime.publish(publishedAt);
}, 60_000);

afterAll(async () => {
  s3.restore();
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

interface StatusJson {
  title: string;
  summary: { services: number; failing: number };
  services: Array<{ service: string; title: string; group: string; status: string; status_text: string; uptime_percent: Record<string, number | null>; coverage_percent: Record<string, number | null> }>;
  notes: Array<{ title: string; kind: string; services: string[] }>;
  incidents: Array<{ service: string; end: string | null; problem: string }>;
}

type El = { innerText: string; getAttribute(name: string): string | null };

describe('the status page', () => {
  it('writes index.html and status.json to its bucket with the public targets only, in words customers read', () => {
    expect([...written.keys()].sort()).toEqual(['index.html', 'status.json']);
    expect(written.get('index.html')).toMatchObject({ bucket: 'status.example.com', type: 'text/html; charset=utf-8' });
    const status = JSON.parse(written.get('status.json')?.body ?? '{}') as StatusJson;
    expect(status.title).toBe('Acme status');
    expect(status.services.map((s) => s.service).sort()).toEqual(['checkout', 'payments-api', 'storefront']);
    expect(status.summary).toEqual({ services: 3, failing: 1, unknown: 0 });
    expect(status.services.find((s) => s.service === 'checkout')).toMatchObject({ title: 'Checkout', group: 'Shop', status: 'problem', status_text: 'Errors' });
    const storefront = status.services.find((s) => s.service === 'storefront');
    expect(storefront?.uptime_percent['24h']).toBe(100);
    expect(storefront?.coverage_percent['24h']).toBeGreaterThan(0);
    expect(status.incidents).toEqual([expect.objectContaining({ service: 'checkout', end: null, problem: 'Errors' })]);
    // People's notes: the recent one, naming its service by the title customers read; not the old one.
    expect(status.notes).toEqual([expect.objectContaining({ title: 'Checkout is failing', kind: 'incident', services: ['checkout'] })]);
    // Nothing internal: not the private target, not the probed addresses, no reason code, no stage.
    const html = written.get('index.html')?.body ?? '';
    const json = written.get('status.json')?.body ?? '';
    for (const text of [html, json]) {
      expect(text).not.toContain('admin-console');
      expect(text).not.toContain(web.url);
      expect(text).not.toContain('127.0.0.1');
      expect(text).not.toContain('status_code');
      expect(text).not.toContain('status-test');
      expect(text).not.toContain('123456789012');
    }
    // The logo file is inlined: the bucket holds nothing else.
    expect(html).toContain(`src="data:image/svg+xml;base64,${Buffer.from(LOGO).toString('base64')}"`);
  });

  it('renders HTML that chromium shows as a status page at 390 px and on a desktop, with no script and no error', async () => {
    const file = join(dir, 'index.html');
    await writeFile(file, written.get('index.html')?.body ?? '');
    const browser = await launchBrowser();
    try {
      for (const width of [390, 1280]) {
        const { page, errors } = await watchedPage(browser, width, 800);
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        expect(await page.$eval('h1', (el) => (el as unknown as El).innerText)).toBe('Acme status');
        expect(await page.$eval('#headline', (el) => (el as unknown as El).innerText)).toBe('Checkout is having problems.');
        const services = await page.$$eval('li.service', (lis) => lis.map((li) => (li as unknown as El).innerText));
        expect(services).toHaveLength(3);
        expect(services.find((r) => r.includes('Checkout'))).toMatch(/^Checkout\s+Errors\s+30 days ago\s+today\s+0 % uptime · \d+(\.\d+)? % coverage over 30 days$/);
        expect(services.find((r) => r.includes('storefront'))).toMatch(/^storefront\s+Operational/);
        expect(await page.$eval('#notes', (el) => (el as unknown as El).innerText)).toMatch(/^Incident .* UTC\s+Checkout is failing\s+Payments cannot be completed\. We are rolling back the last release\.\s+Affects: Checkout$/);
        expect(await page.$$eval('#incidents li', (lis) => lis.map((li) => (li as unknown as El).innerText))).toEqual([expect.stringMatching(/^Checkout\s+Errors · ongoing\s+since \d+ \w+ \d{4}, \d\d:\d\d UTC · \d+ s$/)]);
        expect(await page.$$eval('script', (s) => s.length)).toBe(0);
        expect(await page.$eval('img.logo', (img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(40);
        const layout = await checkLayout(page);
        expect({ width, problems: layout.problems }).toEqual({ width, problems: [] });
        await screenshot(page, `status-page-function-${width}.png`);
        expect(errors).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('periscope status-page writes exactly what the function publishes for the same instant', async () => {
    const out = join(dir, 'preview');
    let printed = '';
    await statusPageCommand({ config: targetsFile, out, vmUrl }, (t) => (printed += t), publishedAt);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe(written.get('index.html')?.body);
    expect(await readFile(join(out, 'status.json'), 'utf8')).toBe(written.get('status.json')?.body);
    expect(printed).toContain('3 public services, 1 failing, 1 incident in 7 days');
  });

  it('takes the title, description and logo from the function environment (serverless.yml params) over the file', async () => {
    const file = await loadTargetsFile(targetsFile);
    const content = await loadStatusPageContent({ targetsPath: targetsFile, file, env: { STATUS_PAGE_TITLE: 'Acme (staging)', STATUS_PAGE_DESCRIPTION: 'Staging only.', STATUS_PAGE_LOGO: 'https://acme.example/logo.png' } });
    expect(content).toMatchObject({ title: 'Acme (staging)', description: 'Staging only.', logo: 'https://acme.example/logo.png' });
    // Empty params (the serverless.yml defaults) leave the file's values.
    expect(await loadStatusPageContent({ targetsPath: targetsFile, file, env: { STATUS_PAGE_TITLE: '' } })).toMatchObject({ title: 'Acme status' });
  });

  it('refuses bad status-page settings and notes with the file and the field (exit 2)', async () => {
    const bad = async (targets: string, notes?: string) => {
      const sub = await mkdtemp(join(dir, 'bad-'));
      await writeFile(join(sub, 'stage.yml'), targets);
      if (notes !== undefined) {
        await mkdir(join(sub, 'status-notes'));
        await writeFile(join(sub, 'status-notes', 'stage.yml'), notes);
      }
      const file = await loadTargetsFile(join(sub, 'stage.yml')).catch((e: unknown) => e);
      if (file instanceof ConfigError) return file.message;
      return loadStatusPageContent({ targetsPath: join(sub, 'stage.yml'), file: file as Awaited<ReturnType<typeof loadTargetsFile>> }).then(
        () => 'no error',
        (e: unknown) => (e instanceof ConfigError ? e.message.replace(sub, '<dir>').replace(sub, '<dir>') : `not a ConfigError: ${String(e)}`),
      );
    };
    const group = 'groups:\n  - name: shop\n    public: true\n    targets:\n      - name: web\n        tcp: { address: "127.0.0.1:1" }\n';
    expect(await bad(`status_page:\n  titel: x\n${group}`)).toMatch(/stage\.yml: status_page\.titel: unknown field "titel"/);
    expect(await bad(`status_page:\n  service_titles: { api: API }\n${group}`)).toMatch(/stage\.yml: status_page\.service_titles\.api: no public target "api" in this file/);
    expect(await bad(`status_page:\n  logo: missing.png\n${group}`)).toMatch(/stage\.yml: status_page\.logo: .*missing\.png: logo file not found/);
    expect(await bad(`status_page:\n  logo: logo.bmp\n${group}`)).toMatch(/status_page\.logo: logo\.bmp: a logo is an \.svg, \.png, \.jpg, \.gif or \.webp file/);
    expect(await bad(group, 'notes:\n  - date: 2026-02-30\n    title: x\n')).toMatch(/<dir>\/status-notes\/stage\.yml: notes\[0\]\.date: "2026-02-30" is not a date/);
    expect(await bad(group, 'notes:\n  - date: 2026-02-03\n')).toMatch(/status-notes\/stage\.yml: notes\[0\]\.title: /);
    expect(await bad(group, 'notes:\n  - date: 2026-02-03\n    title: x\n    services: [api]\n')).toMatch(/notes\[0\]\.services\[0\]: "api" is not a public target of the targets file/);
    expect(await bad(group, 'notes:\n  - date: 2026-02-03\n    title: x\n    kind: outage\n')).toMatch(/notes\[0\]\.kind: /);
    // The CLI: one line naming the file and field, exit 2, no stack trace.
    const sub = await mkdtemp(join(dir, 'cli-'));
    await writeFile(join(sub, 'stage.yml'), group);
    await mkdir(join(sub, 'status-notes'));
    await writeFile(join(sub, 'status-notes', 'stage.yml'), 'notes:\n  - date: yesterday\n    title: x\n');
    const result = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/periscope.js'), 'status-page', '--config', join(sub, 'stage.yml'), '--out', join(sub, 'out'), '--vm-url', vmUrl]).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toBe(`periscope: ${join(sub, 'status-notes', 'stage.yml')}: notes[0].date: "yesterday" is not a date (use 2026-11-03, 2026-11-03 14:10 or 2026-11-03T14:10:00Z; UTC unless a zone is given)\n`);
  }, 60_000);
});
