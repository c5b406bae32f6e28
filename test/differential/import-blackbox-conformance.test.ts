// blackbox_exporter 0.23 as the judge of `periscope import` on a corpus of blackbox.yml files shaped like
// real ones (test/fixtures/import/conformance/blackbox): anchors, aliases, merge keys at module level and
// inside http:, YAML 1.1 booleans, !!binary, numbers written as text, several documents, alias bombs, and
// every conflict blackbox's loader refuses.
// - accept/refuse: `prometheus-blackbox-exporter --config.check` on each file against the import of the
//   same file (refused = the report has a "refused" item, or the file is not YAML Go would read);
// - what a module means: blackbox's own /config page (its decoded configuration) against the module as
//   the import decoded it, for every module of every accepted file;
// - how it probes: every HTTP and TCP module of the accepted files probed by blackbox_exporter (the
//   original module) and by Periscope (the imported target) on the same loopback servers.
// One blackbox_exporter per accepted file, all started at once; --config.check runs concurrently.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTargetsFile, type TargetSpec } from '../../shared/config/index.js';
import { parseYaml } from '../../shared/config/yaml.js';
import { importSetup, SourceSyntaxError, type ImportResult } from '../../shared/import/index.js';
import { checkBlackboxConfig } from '../../shared/import/blackbox-config.js';
import { parseBase2Bytes, parseGoDuration } from '../../shared/import/go-types.js';
import { readImportSources } from '../../shared/import/read-sources.js';
import { groupNameFor } from '../../shared/import/scrape-jobs.js';
import { SourceFile } from '../../shared/import/source.js';
import { runProbe } from '../../shared/probing/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';
import { findBlackboxExporter } from '../support/binaries.js';
import { startBlackbox, type BlackboxHandle } from '../support/blackbox.js';
import { readBody, startHttpServer, startTcpServer, type TestServer } from '../support/http-servers.js';

const CORPUS = 'test/fixtures/import/conformance/blackbox';
const PASSWORD = 'conformance-secret';
const TOKEN = 'conformance-token';

function configCheck(file: string): Promise<{ accepted: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(findBlackboxExporter(), ['--config.check', `--config.file=${file}`], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ accepted: error === null, output: `${stdout}${stderr}` });
    });
  });
}

/** The HTTP server every HTTP module is probed against: the path decides the answer. */
async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req);
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const echo: Record<string, string> = { 'x-status': 'green' };
  for (const name of ['x-enabled', 'x-version']) if (typeof req.headers[name] === 'string') echo[`x-echo-${name.slice(2)}`] = req.headers[name];
  if (req.method === 'POST') {
    res.writeHead(body === 'ping' ? 200 : 400, echo).end(body === 'ping' ? 'pong' : 'bad request');
    return;
  }
  if (path === '/missing') return void res.writeHead(404, echo).end('not here');
  if (path === '/redirect') return void res.writeHead(302, { ...echo, location: '/ok' }).end();
  if (path === '/private') {
    const basic = `Basic ${Buffer.from(`monitor:${PASSWORD}`).toString('base64')}`;
    const ok = req.headers.authorization === basic || req.headers.authorization === `Bearer ${TOKEN}`;
    return void res.writeHead(ok ? 200 : 401, echo).end(ok ? 'OK healthy' : 'who are you');
  }
  const text = 'OK healthy\n';
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    res.writeHead(200, { ...echo, 'content-encoding': 'gzip' }).end(gzipSync(text));
    return;
  }
  res.writeHead(200, echo).end(text);
}

const HTTP_PATHS = ['/ok', '/missing', '/redirect', '/private'];
const CORPUS_FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.yml')).sort();

interface CorpusFile {
  name: string;
  path: string;
  text: string;
  modules: string[];
  /** Module name → prober, as the import decoded it. */
  probers: Map<string, string>;
}

function addressesFor(file: CorpusFile, module: string, httpBase: string, tcpAddress: string): string[] {
  return file.probers.get(module) === 'tcp' ? [tcpAddress] : HTTP_PATHS.map((path) => `${httpBase}${path}`);
}

/** A prometheus.yml asking blackbox for every module of the file, each on its own job, as people write it. */
function prometheusFor(file: CorpusFile, httpBase: string, tcpAddress: string): string {
  const jobs = file.modules.map((module) => {
    const targets = addressesFor(file, module, httpBase, tcpAddress);
    return [
      `  - job_name: ${JSON.stringify(module)}`,
      '    metrics_path: /probe',
      `    params: { module: [${JSON.stringify(module)}] }`,
      `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
      '    relabel_configs:',
      '      - { source_labels: [__address__], target_label: __param_target }',
      '      - { source_labels: [__param_target], target_label: instance }',
      '      - { target_label: __address__, replacement: "127.0.0.1:9115" }',
    ].join('\n');
  });
  return `scrape_configs:\n${jobs.join('\n')}\n`;
}

/** The import's verdict: refused when the file is not YAML Go reads, or the report refuses something. */
async function importVerdict(file: CorpusFile, dir: string, httpBase: string, tcpAddress: string): Promise<{ accepted: boolean; result?: ImportResult; why: string[] }> {
  const prometheus = join(dir, `${file.name}.prometheus.yml`);
  await writeFile(prometheus, prometheusFor(file, httpBase, tcpAddress));
  try {
    const sources = await readImportSources({ blackbox: file.path, prometheus });
    const result = await importSetup(sources, { rulePath: (p) => p, outputName: `${file.name}.targets.yml` });
    const refused = result.report.items.filter((item) => item.kind === 'refused');
    return { accepted: refused.length === 0, result, why: refused.map((item) => `${item.where}: ${item.message}`) };
  } catch (err) {
    if (err instanceof SourceSyntaxError) return { accepted: false, why: [err.message] };
    throw err;
  }
}

// --- What blackbox's /config shows, and the import's decoded module brought to the same shape -----------

const SECRET_FIELDS = new Set(['password', 'bearer_token', 'credentials', 'client_secret']);
const TLS_VERSION_NUMBERS: Record<string, number> = { TLS10: 0x301, TLS11: 0x302, TLS12: 0x303, TLS13: 0x304 };

/** What HTTPProbe's UnmarshalYAML and HTTPClientConfig.Validate change before /config shows the module. */
function afterGoValidation(module: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(module);
  const http = out.http as Record<string, unknown> | undefined;
  if (http) {
    if (http.no_follow_redirects !== undefined) {
      http.follow_redirects = !http.no_follow_redirects;
      delete http.no_follow_redirects;
    }
    const auth = http.authorization as Record<string, unknown> | undefined;
    if (auth) auth.type = String(auth.type ?? '').trim() || 'Bearer';
    else if (http.bearer_token) http.authorization = { type: 'Bearer', credentials: http.bearer_token };
    else if (http.bearer_token_file) http.authorization = { type: 'Bearer', credentials_file: http.bearer_token_file };
    delete http.bearer_token;
    delete http.bearer_token_file;
  }
  return out;
}

/** Both sides without zero values (Go's omitempty), with secrets, durations, sizes and TLS versions alike. */
function comparable(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.length > 0 ? value.map((item) => comparable(item)) : undefined;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, comparable(v, k)] as const).filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  if (value === false || value === 0 || value === '' || value === null || value === undefined) return undefined;
  if (SECRET_FIELDS.has(key)) return '<secret>';
  if (typeof value !== 'string') return value;
  if (key === 'timeout') return parseGoDuration(value);
  if (key === 'body_size_limit') return parseBase2Bytes(value);
  if (key === 'min_version' || key === 'max_version') return TLS_VERSION_NUMBERS[value];
  return value;
}

// --- Probing -------------------------------------------------------------------------------------------------

function metric(samples: ReadonlyArray<{ name: string; value: number }>, name: string): number | undefined {
  return samples.find((s) => s.name === name)?.value;
}

let dir: string;
let httpServer: TestServer;
let tcpServer: TestServer;
const files: CorpusFile[] = [];
const blackboxes = new Map<string, BlackboxHandle>();

beforeAll(async () => {
  await loadRegexEngine();
  dir = await mkdtemp(join(tmpdir(), 'periscope-bb-conformance-'));
  httpServer = await startHttpServer((req, res) => void handle(req, res));
  tcpServer = await startTcpServer((socket) => {
    socket.write('+OK ready\r\nOK go\r\n');
    socket.on('data', (data) => {
      if (data.toString().includes('PING')) socket.end('PONG\r\n');
    });
  });
  for (const name of (await readdir(CORPUS)).filter((f) => f.endsWith('.yml')).sort()) {
    const path = join(CORPUS, name);
    const text = await readFile(path, 'utf8');
    let modules: string[] = [];
    const probers = new Map<string, string>();
    try {
      const source = SourceFile.parse(path, text);
      const data = source.data as { modules?: unknown };
      if (data.modules && typeof data.modules === 'object' && !Array.isArray(data.modules)) modules = Object.keys(data.modules);
      for (const [module, checked] of checkBlackboxConfig(source).modules) probers.set(module, String(checked.module?.prober ?? ''));
    } catch {
      // Not YAML Go reads: judged below.
    }
    files.push({ name: name.replace(/\.yml$/, ''), path, text, modules, probers });
  }
});

afterAll(async () => {
  await Promise.all([...blackboxes.values()].map((b) => b.stop()));
  await httpServer?.close();
  await tcpServer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('blackbox.yml corpus: periscope import against blackbox_exporter 0.23', { timeout: 120_000 }, () => {
  it('has at least 50 files and modules, both verdicts among them', () => {
    const names = CORPUS_FILES;
    expect(names.length).toBeGreaterThanOrEqual(50);
    expect(names.filter((n) => n.startsWith('accept-')).length).toBeGreaterThanOrEqual(8);
  });

  it.concurrent.each(CORPUS_FILES)('%s: the import accepts or refuses it as --config.check does', async (name) => {
    const file = files.find((f) => `${f.name}.yml` === name) as CorpusFile;
    const [reference, ours] = await Promise.all([configCheck(file.path), importVerdict(file, dir, httpServer.url, `127.0.0.1:${tcpServer.port}`)]);
    expect({ file: name, accepted: ours.accepted, why: ours.why }).toEqual({ file: name, accepted: reference.accepted, why: ours.why });
    // The file name says what the corpus author expected; the reference decides, this only keeps the corpus honest.
    expect(reference.accepted).toBe(name.startsWith('accept-'));
    // A refusal names the file and the line (a refusal of the whole file, the file).
    for (const why of ours.why) expect(why).toMatch(new RegExp(`^${file.path.replace(/[.]/g, '\\.')}(:\\d+){0,2}: `));
  });

  describe('accepted files', () => {
    const accepted = () => files.filter((f) => f.name.startsWith('accept-') && f.modules.length > 0);

    beforeAll(async () => {
      await Promise.all(accepted().map(async (file) => blackboxes.set(file.name, await startBlackbox(file.text))));
    });

    it('every module means to the import what it means to blackbox (its /config page)', async () => {
      for (const file of accepted()) {
        const blackbox = blackboxes.get(file.name) as BlackboxHandle;
        const shown = parseYaml(await (await fetch(`${blackbox.url}/config`)).text(), '/config') as { modules: Record<string, unknown> };
        const decoded = checkBlackboxConfig(SourceFile.parse(file.path, file.text));
        expect(decoded.modules.size).toBe(Object.keys(shown.modules).length);
        for (const [name, checked] of decoded.modules) {
          const ours = comparable(afterGoValidation(checked.module ?? {}));
          const theirs = comparable(shown.modules[name]);
          if (!isDeepStrictEqual(ours, theirs)) expect({ file: file.name, module: name, config: ours }).toEqual({ file: file.name, module: name, config: theirs });
        }
      }
    });

    it('every imported HTTP and TCP module probes as blackbox_exporter probes the original', async () => {
      const secrets = createSecretResolver({ env: new Proxy({}, { get: (_, name) => (String(name).includes('PASSWORD') ? PASSWORD : TOKEN) }) });
      let compared = 0;
      for (const file of accepted().filter((f) => f.modules.length <= 50)) {
        const verdict = await importVerdict(file, dir, httpServer.url, `127.0.0.1:${tcpServer.port}`);
        const groups = parseTargetsFile((verdict.result as ImportResult).yaml, 'imported.yml').groups;
        const blackbox = blackboxes.get(file.name) as BlackboxHandle;
        const rows = await Promise.all(
          file.modules.flatMap((module) => {
            const prober = file.probers.get(module);
            if (prober !== 'http' && prober !== 'tcp') return [];
            return addressesFor(file, module, httpServer.url, `127.0.0.1:${tcpServer.port}`).map(async (address) => {
              const group = groups.find((g) => g.name === groupNameFor(module));
              const target = group?.targets.find((t: TargetSpec) => (t.http?.url ?? t.tcp?.address) === address);
              const metrics = await blackbox.probe(module, address, { scrapeTimeoutSeconds: 10 });
              const reference = ['probe_success', 'probe_http_status_code', 'probe_failed_due_to_regex'].map((n) => metrics.get(n)?.[0]?.value);
              if (!target) return { file: file.name, module, address, blackbox: reference, periscope: 'not imported' };
              const result = await runProbe(target, { timeoutMs: 9_500, secrets });
              const periscope = [result.success ? 1 : 0, metric(result.samples, 'probe_http_status_code'), metric(result.samples, 'probe_failed_due_to_regex')];
              return { file: file.name, module, address, blackbox: reference, periscope };
            });
          }),
        );
        for (const row of rows) {
          compared += 1;
          expect({ ...row, periscope: row.periscope }).toEqual({ ...row, periscope: row.blackbox });
        }
      }
      expect(compared).toBeGreaterThanOrEqual(100);
    });
  });
});

