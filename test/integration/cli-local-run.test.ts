// The local run as the other commands see it: `check`, `report` and `ui` find the VictoriaMetrics of a running
// `periscope run` through its data dir, say so, and say what to do when none runs; a second run, a port some
// process holds, a number that is not one and a missing --ca are each one line and exit 2; --version; the demo
// certificate renewed before it expires. One run is started (writing to the suite's VictoriaMetrics).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_CERT_DAYS, ensureDemoCertificate } from '../../cli/demo-service.js';
import { monthArgument } from '../../cli/report-command.js';
import { freePort } from '../support/ports.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function periscope(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  const childEnv = { ...process.env, ...env };
  delete childEnv.VM_URL;
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'bin/periscope.js'), ...args], { cwd, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let run: ChildProcess;
let output = '';
let ports: { ui: number; http: number; https: number; held: number };
let holder: Server;

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; run output:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-local-run-'));
  const [ui, http, https, held] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  ports = { ui, http, https, held };
  holder = createServer();
  await new Promise<void>((done) => holder.listen(held, '127.0.0.1', done));
  await cp(join(ROOT, 'targets'), join(dir, 'targets'), { recursive: true });
  const args = [join(ROOT, 'bin/periscope.js'), 'run', '--config', 'targets/local.yml', '--demo', '--vm-url', inject('vmUrl'), '--listen', `127.0.0.1:${ui}`, '--demo-http-port', String(http), '--demo-https-port', String(https)];
  const env = { ...process.env };
  delete env.VM_URL;
  run = spawn('/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', process.execPath, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  run.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  run.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await until('run.json of the running periscope run', () => exists(join(dir, '.periscope/run.json')));
});

afterAll(async () => {
  if (run.exitCode === null) {
    run.kill('SIGTERM');
    await new Promise((done) => run.once('exit', done));
  }
  await new Promise((done) => holder.close(done));
  await rm(dir, { recursive: true, force: true });
});

describe('a running periscope run', () => {
  it('says its demo-errors group fails on purpose, and when its certificate expires', () => {
    expect(output).toMatch(/group demo-errors fails on purpose \(demo-missing-page, demo-closed-port\)/);
    expect(output).toMatch(/certificate .*demo-cert\.pem, valid until \d{4}-\d{2}-\d{2}/);
  });

  it('is found by check and report through the data dir, which say so on stderr', async () => {
    const [check, report] = await Promise.all([periscope(['check', '--config', 'targets/local.yml', '--json'], dir), periscope(['report', '--config', 'targets/local.yml', '--format', 'json'], dir)]);
    const pid = JSON.parse(await readFile(join(dir, '.periscope/run.json'), 'utf8')).pid as number;
    for (const r of [check, report]) expect(r.stderr).toContain(`VictoriaMetrics: ${inject('vmUrl')}/ (of the periscope run with pid ${pid}, data dir .periscope)`);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toHaveProperty('groups');
    expect(report.code, report.stderr).toBe(0);
    // No --month: the last complete month, said on stderr.
    const { month } = monthArgument(undefined, Date.now());
    expect(report.stderr).toContain(`report for ${month}, the last complete month (UTC)`);
    expect(report.stdout).toContain(month);
  });

  it('refuses a second run with the same data dir, naming the first', async () => {
    const second = await periscope(['run', '--config', 'targets/local.yml', '--vm-url', inject('vmUrl'), '--listen', `127.0.0.1:${await freePort()}`], dir);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^periscope: command line: --data-dir: periscope run is already running with data dir \.periscope \(pid \d+, since .*UI http:\/\/127\.0\.0\.1:\d+\): stop it first/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the port and the process holding it: VictoriaMetrics, UI, demo', async () => {
    const other = join(dir, 'other');
    const [vm, ui, demo] = await Promise.all([
      periscope(['run', '--config', 'targets/local.yml', '--data-dir', join(other, 'a'), '--vm-port', String(ports.held)], dir),
      periscope(['run', '--config', 'targets/local.yml', '--data-dir', join(other, 'b'), '--vm-url', inject('vmUrl'), '--listen', `127.0.0.1:${ports.ui}`], dir),
      periscope(['run', '--config', 'targets/local.yml', '--data-dir', join(other, 'c'), '--vm-url', inject('vmUrl'), '--no-ui', '--demo', '--demo-http-port', String(ports.http)], dir),
    ]);
    // The test process holds ports.held; the first run holds the UI and demo ports.
    expect(vm.code).toBe(2);
    expect(vm.stderr).toContain(`--vm-port: port ${ports.held} is in use by pid ${process.pid} (`);
    expect(ui.code).toBe(2);
    expect(ui.stderr).toMatch(new RegExp(`--listen: 127\\.0\\.0\\.1:${ports.ui}: port ${ports.ui} is in use by pid ${run.pid} \\(.*periscope\\.js run`));
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(new RegExp(`--demo-http-port: port ${ports.http} is in use by pid ${run.pid} \\(`));
    for (const r of [vm, ui, demo]) expect(r.stderr).not.toMatch(/internal error|EADDRINUSE|\n\s+at /);
  });

  it('leaves nothing behind when it stops; then check says what to do', async () => {
    run.kill('SIGINT');
    await new Promise((done) => run.once('exit', done));
    expect(await exists(join(dir, '.periscope/run.json'))).toBe(false);
    const check = await periscope(['check', '--config', 'targets/local.yml'], dir);
    expect(check.code).toBe(2);
    expect(check.stderr).toBe('periscope: command line: --vm-url: no VictoriaMetrics to read: no periscope run (npm start) is running with data dir .periscope; start one, or pass --vm-url URL (or set VM_URL)\n');
  });
});

describe('command-line input', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const out = await periscope(['--version'], ROOT);
    expect([out.code, out.stdout]).toEqual([0, `${version}\n`]);
  });

  // Independent child processes: concurrently, so six Node start-ups overlap.
  it.concurrent.each([
    [['run', '--concurrency', 'abc'], "option '--concurrency <n>' argument 'abc' is invalid. Expected a whole number from 1 to 10000."],
    [['run', '--concurrency', '0'], "argument '0' is invalid"],
    [['run', '--vm-port', '8428x'], "option '--vm-port <port>' argument '8428x' is invalid"],
    [['run', '--demo-https-port', '70000'], 'Expected a whole number from 1 to 65535.'],
    [['cost', '--config', 'targets/prod.yml', '--concurrency', '1e3'], "option '--concurrency <n>' argument '1e3' is invalid"],
    [['probe', 'https://localhost:1/', '--ca', 'no-such-ca.pem'], 'periscope: command line: --ca: no-such-ca.pem: file not found'],
  ])('%j is bad input, exit 2', async (args, message) => {
    const out = await periscope(args, ROOT);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
  });

  it('report --month takes last, current or YYYY-MM', () => {
    const now = Date.UTC(2026, 0, 15);
    expect(monthArgument(undefined, now).month).toBe('2025-12');
    expect(monthArgument('last', now).month).toBe('2025-12');
    expect(monthArgument('current', now)).toMatchObject({ month: '2026-01', note: expect.stringContaining('figures will still change') });
    expect(monthArgument('2025-11', now)).toEqual({ month: '2025-11' });
  });
});

describe('the demo certificate', () => {
  async function certWithDays(days: number): Promise<string> {
    const demo = await mkdtemp(join(dir ?? tmpdir(), 'demo-'));
    if (days > 0) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(demo, 'demo-key.pem'), '-out', join(demo, 'demo-cert.pem'), '-days', String(days), '-subj', '/CN=localhost'], { stdio: 'ignore' });
    }
    return demo;
  }
  const notAfter = async (demo: string) => Date.parse(new X509Certificate(await readFile(join(demo, 'demo-cert.pem'))).validTo);

  it('is made when missing, for 90 days', async () => {
    const demo = await certWithDays(0);
    await mkdir(demo, { recursive: true });
    const made = await ensureDemoCertificate(demo);
    expect(Math.round((made.notAfterMs - Date.now()) / 86_400_000)).toBe(DEMO_CERT_DAYS);
  });

  it('is kept while more than 30 days remain, and renewed when fewer do', async () => {
    const fresh = await certWithDays(60);
    const before = await notAfter(fresh);
    expect((await ensureDemoCertificate(fresh)).notAfterMs).toBe(before);
    const expiring = await certWithDays(10);
    const renewed = await ensureDemoCertificate(expiring);
    expect(renewed.notAfterMs).toBe(await notAfter(expiring));
    expect(renewed.notAfterMs - Date.now()).toBeGreaterThan(80 * 86_400_000);
  });
});
