// The periscope command as a user runs it: a child process, its output and its exit status.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestCa } from '../support/certs.js';
import { startHttpServer, startHttpsServer, type TestServer } from '../support/http-servers.js';
import { freePort } from '../support/ports.js';
import { VmClient } from '../support/victoria-metrics.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function periscope(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/periscope.js', ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let https: TestServer;
let http: TestServer;
let caFile: string;
let notAfter: Date;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-cli-'));
  const ca = await TestCa.create();
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const leaf = await ca.issue({ dnsNames: ['localhost'], notAfter: new Date(Date.now() + 45.5 * 86_400_000) });
  notAfter = leaf.notAfter;
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url === '/missing') res.writeHead(404).end('nope');
    else res.writeHead(200, { 'content-type': 'text/plain', 'x-seen-auth': req.headers.authorization ? 'yes' : 'no' }).end('hello from the kitchen');
  };
  https = await startHttpsServer(handler, leaf);
  http = await startHttpServer(handler);
});

afterAll(async () => {
  await https.close();
  await http.close();
  await rm(dir, { recursive: true, force: true });
});

describe('periscope probe', () => {
  it('prints the waterfall for a local HTTPS server and exits 0', async () => {
    const run = await periscope(['probe', `https://localhost:${https.port}/`, '--ca', caFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^OK  http https://localhost:${https.port}/  [\\d.]+ ms$`));
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${phase} +[\\d.]+ ms  \\|`, 'm'));
    }
    expect(run.stdout).toContain('status 200');
    expect(run.stdout).toMatch(/TLS 1\.[23] TLS_/);
    const days = Math.floor((notAfter.getTime() - Date.now()) / 86_400_000);
    expect(run.stdout).toContain(`cert expires in ${days} days (${notAfter.toISOString().slice(0, 10)})`);
  });

  it('--json prints one parseable object with samples', async () => {
    const run = await periscope(['probe', `${http.url}/missing`, '--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & { samples: Array<{ name: string; labels: object; value: number }> };
    expect(result).toMatchObject({ target: 'cli', module: 'http', instance: `${http.url}/missing`, success: false, reason: 'status_code' });
    expect(typeof result.duration_seconds).toBe('number');
    expect(result.samples).toContainEqual({ name: 'probe_http_status_code', labels: {}, value: 404 });
  });

  it('--debug adds headers and a body excerpt; the bearer token stays hidden', async () => {
    const run = await periscope(['probe', `${http.url}/`, '--debug', '--bearer-token-from', 'env:CLI_TEST_TOKEN', '-H', 'X-Probe: yes'], { CLI_TEST_TOKEN: 'tok-very-secret' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^> GET /m);
    expect(run.stdout).toMatch(/^> x-probe: yes$/im);
    expect(run.stdout).toMatch(/^< x-seen-auth: yes$/im);
    expect(run.stdout).toContain('hello from the kitchen');
    expect(run.stdout + run.stderr).not.toContain('tok-very-secret');
  });

  it('exits 1 when the probe fails, with the reason', async () => {
    const port = await freePort();
    const run = await periscope(['probe', `tcp://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}tcp 127\.0\.0\.1:\d+ .* reason=refused/);
  });

  it('fails verification of an unknown CA, and --insecure passes', async () => {
    const failed = await periscope(['probe', `https://localhost:${https.port}/`]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('reason=tls_verify');
    expect(failed.stdout).toContain('cert expires in');
    const insecure = await periscope(['probe', `https://localhost:${https.port}/`, '--insecure']);
    expect(insecure.code).toBe(0);
  });

  it.each([
    [['probe', 'http://127.0.0.1/', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['probe', 'htp:/broken'], /is not a URL/],
    [['probe', 'ftp://127.0.0.1/'], /unknown scheme "ftp:\/\/"/],
    [['probe', '127.0.0.1:80', '--module', 'smtp'], /--module.*smtp|Allowed choices/i],
    [['probe', '127.0.0.1:80'], /has no scheme: write tcp:\/\/127\.0\.0\.1:80/],
    [['probe', 'http://127.0.0.1/', '--timeout', 'soon'], /--timeout: "soon" is not a duration/],
    [['probe', 'http://127.0.0.1/', '--valid-status', 'ok'], /--valid-status: "ok" is not a status code/],
    [['probe', 'tcp://127.0.0.1:80', '--method', 'POST'], /--method: does not apply to a tcp target/],
    [['probe', '--config', 'targets/local.yml', '--target', 'nope'], /no target named "nope"/],
    [['bogus-command'], /unknown command/],
  ])('exits 2 with a one-line message for bad input %j', async (args, message) => {
    const run = await periscope(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')[0]).toMatch(message);
  });

  it('runs a named target of a targets file', async () => {
    const file = join(dir, 'named.yml');
    await writeFile(file, `groups:\n  - name: g\n    targets:\n      - name: kitchen\n        http: { url: "${http.url}/", fail_if_body_not_matches_regexp: ["(?i)KITCHEN"] }\n`);
    const run = await periscope(['probe', '--config', file, '--target', 'kitchen', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ target: 'kitchen', success: true });
  });
});

describe('periscope validate', () => {
  /** A copy of the checkout's targets/ with the demo certificate `npm start` makes (local.yml names it). */
  async function checkoutWithDemoCert(): Promise<string> {
    const root = await mkdtemp(join(dir, 'checkout-'));
    await cp('targets', join(root, 'targets'), { recursive: true });
    await mkdir(join(root, '.periscope/demo'), { recursive: true });
    await writeFile(join(root, '.periscope/demo/demo-cert.pem'), 'made by npm start\n');
    return root;
  }

  it('accepts the shipped files', async () => {
    const root = await checkoutWithDemoCert();
    const run = await periscope(['validate', join(root, 'targets/local.yml'), 'targets/example.yml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('targets/local.yml: ok (2 groups, 8 targets, 1 rule group, 9 rules)');
    expect(run.stdout).toContain('targets/example.yml: ok (2 groups, 7 targets)');
  });

  it('exits 2 at the first invalid file, naming file, field and problem', async () => {
    const root = await checkoutWithDemoCert();
    const bad = join(dir, 'bad.yml');
    await writeFile(bad, 'groups:\n  - name: g\n    targets:\n      - name: a\n        http: { url: "http://127.0.0.1/", valid_status_codes: [999] }\n');
    const run = await periscope(['validate', join(root, 'targets/local.yml'), bad, 'targets/example.yml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('targets/local.yml: ok');
    expect(run.stdout).not.toContain('example.yml');
    expect(run.stderr).toContain(`${bad}: groups[0].targets[0].http.valid_status_codes[0]:`);
  });

  it('names a missing file', async () => {
    const run = await periscope(['validate', join(dir, 'nope.yml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.yml: file not found');
  });
});

describe('periscope validate with rules', () => {
  it('accepts a public rule file on its own', async () => {
    const run = await periscope(['validate', 'test/fixtures/blackbox-exporter-alerts.yml', 'targets/rules/probes.yml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('blackbox-exporter-alerts.yml: ok (rule file: 1 rule group, 9 rules)');
  });

  it.each([
    ['bad YAML', 'groups:\n  - name: g\n    rules: [\n', /line \d+ column \d+/],
    ['an unknown field', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        fore: 5m\n', /groups\[0\]\.rules\[0\]\.fore: unknown field "fore"/],
    ['a bad duration', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5 minutes\n', /groups\[0\]\.rules\[0\]\.for: "5 minutes" is not a duration/],
    ['an unknown template function', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          summary: "{{ $value | humanise }}"\n', /groups\[0\]\.rules\[0\]\.annotations\.summary: template: .*humanise/],
    ['an expression that does not parse', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(x[5m]) >\n', /groups\[0\]\.rules\[0\]\.expr: parse error at column 18: unexpected end of input/],
    ['an unknown function', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        threshold: { query: "rat(x[5m])", above: 1 }\n', /groups\[0\]\.rules\[0\]\.threshold\.query: parse error at column 1: unknown function "rat"/],
    ['a recording rule with an invalid name', 'groups:\n  - name: g\n    rules:\n      - record: job-up-sum\n        expr: sum(up)\n', /groups\[0\]\.rules\[0\]\.record: "job-up-sum" is not a valid metric name/],
    ['a recording rule with for', 'groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n        for: 5m\n', /groups\[0\]\.rules\[0\]\.for: a recording rule has no for/],
    ['a threshold with two bounds', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        threshold: { query: up, above: 1, below: 0 }\n', /groups\[0\]\.rules\[0\]\.threshold: needs exactly one of above/],
  ])('rejects a rule file with %s, naming file and field', async (_what, text, message) => {
    const file = join(dir, 'rules-bad.yml');
    await writeFile(file, text);
    const run = await periscope(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(message);
  });

  it('rejects inline rules in a targets file with the path under rules:', async () => {
    const file = join(dir, 'targets-bad-rules.yml');
    await writeFile(file, 'rules:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        keep_firing_for: soon\n');
    const run = await periscope(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: rules[0].rules[0].keep_firing_for: "soon" is not a duration`);
  });
});

describe('periscope run --once', () => {
  it('probes every group, writes to VictoriaMetrics and prints a line per target', async () => {
    const vm = new VmClient(inject('vmUrl'));
    const file = join(dir, 'run.yml');
    await writeFile(file, `labels: { env: cli-run }\ngroups:\n  - name: cli-run\n    interval: 5s\n    targets:\n      - name: up\n        http: { url: "${http.url}/" }\n      - name: missing\n        http: { url: "${http.url}/missing" }\n`);
    const run = await periscope(['run', '--once', '--config', file, '--vm-url', vm.url, '--data-dir', join(dir, 'data')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/group cli-run: 1\/2 ok, \d+ samples written/);
    expect(run.stdout).toMatch(/^ {2}OK {4}up {19}http/m);
    expect(run.stdout).toMatch(/^ {2}FAIL {2}missing .* status_code/m);
    const series = await vm.exportSeriesUntil('probe_success{env="cli-run"}', (found) => found.length === 2);
    expect(series.map((s) => [s.metric.target, s.metric.account, s.metric.stage, s.values[0]]).sort()).toEqual([
      ['missing', 'local', 'local', 0],
      ['up', 'local', 'local', 1],
    ]);
  });
});
