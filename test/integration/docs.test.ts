// Every command the README and the guides show, run on a clean copy of the checkout — or checked, or listed as
// not runnable here with the reason. Commands come from ```sh blocks and inline `periscope …`/`npm …`/`npx …`
// spans (test/support/doc-commands.ts). Each one is:
//   - run by bash in the copy, as written, with loopback stand-ins for the hosts it names (SUBSTITUTIONS below:
//     the demo's ports, the suite's VictoriaMetrics for 127.0.0.1:8428 and vm.example.com, dnsmasq for the VPC
//     resolver, a gRPC health server, a PostgreSQL), its exit status and output checked — and where a block
//     shows what it prints (`$ cmd` then output), every shown line without "…" must be in what it printed;
//   - or, for a synopsis (`[--flag]`, FILE, …) or a command named in prose without its arguments, checked
//     against `--help`: the command exists and has every flag shown;
//   - or listed in NOT_RUNNABLE with why (AWS, minutes of benchmark, installing packages).
// A command in the docs that is none of these fails the test, and so does an entry no doc shows any more.
// `npm start` runs once for the whole file (ports moved, writing to the suite's VictoriaMetrics); the commands
// that need it wait for it. Everything else runs concurrently.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { docCommands, type DocCommand } from '../support/doc-commands.js';
import { startDnsmasq, type DnsmasqHandle } from '../support/dns-servers.js';
import { startGrpcHealthServer, type GrpcServerHandle } from '../support/grpc-servers.js';
import { freePort } from '../support/ports.js';
import { startPostgres, type PostgresRig } from '../support/postgres.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DOC_FILES = ['README.md', ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Ctx {
  work: string;
  vmUrl: string;
  ports: { ui: number; otherUi: number; http: number; https: number; closed: number };
  dns: DnsmasqHandle;
  grpc: GrpcServerHandle;
  pg: PostgresRig;
  /** What `npm start` printed so far. */
  startOutput: () => string;
  /** The replay range scripts/seed-pizza-month.ts printed. */
  seededRange: Promise<string>;
  env: NodeJS.ProcessEnv;
}

/** Hosts and ports the docs name → loopback stand-ins started here. */
const SUBSTITUTIONS: Array<[string, (ctx: Ctx) => string]> = [
  ['127.0.0.1:18080', (c) => `127.0.0.1:${c.ports.http}`],
  ['localhost:18443', (c) => `localhost:${c.ports.https}`],
  ['http://127.0.0.1:8428', (c) => c.vmUrl],
  ['https://vm.example.com', (c) => c.vmUrl],
  ['127.0.0.1:8431', (c) => `127.0.0.1:${c.ports.otherUi}`],
  ['dns://10.0.0.2/', (c) => `dns://${c.dns.address}/`],
  ['orders.internal:50051', (c) => c.grpc.address],
  ['monitor@127.0.0.1:5432/app', (c) => `${c.pg.user}@127.0.0.1:${c.pg.port}/${c.pg.database}`],
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const substitute = (text: string, ctx: Ctx) => SUBSTITUTIONS.reduce((t, [from, to]) => t.replaceAll(from, to(ctx)), text);

interface RunSpec {
  /** The command run instead of the docs' text (already substituted), when more must change. */
  as?: (text: string, ctx: Ctx) => string | Promise<string>;
  /** Default 0. */
  exit?: number;
  /** Waits for this before running (npm start's readiness, the seeded data, another command). */
  after?: (ctx: Ctx) => Promise<unknown>;
  check?: (run: Run, ctx: Ctx) => void | Promise<void>;
  env?: (ctx: Ctx) => NodeJS.ProcessEnv;
  /** The lines the docs show it printing, as this run prints them (other dates, other timings). */
  shown?: (line: string, ctx: Ctx) => Promise<string | RegExp>;
  /** A server: started, checked once `ready` is printed, then stopped with Ctrl-C (exit 0). */
  long?: { ready: RegExp; whileUp?: (ctx: Ctx, output: string) => Promise<void> };
}

/** Another doc command runs this one (the same npm start, written two ways). */
interface Same {
  same: string;
}

/** npm start is up (its ready line printed). */
let startedReady: Promise<void>;
const ranByText = new Map<string, Promise<Run>>();

const NPM_START = 'npm start';

const RUN: Record<string, RunSpec | Same> = {
  [NPM_START]: {
    as: (_text, c) => `npm start -- --vm-url ${c.vmUrl} --listen 127.0.0.1:${c.ports.ui} --demo-http-port ${c.ports.http} --demo-https-port ${c.ports.https}`,
    long: {
      ready: /running; press Ctrl-C to stop/,
      whileUp: async (c, output) => {
        expect(output).toMatch(/group demo-errors fails on purpose/);
        expect((await fetch(`http://127.0.0.1:${c.ports.ui}/`)).status).toBe(200);
      },
    },
  },
  'npm start &': { same: NPM_START },
  // npm run setup itself is in NOT_RUNNABLE (it installs packages); the npm start after it is this file's one run.
  'npm run setup && npm start': { same: NPM_START },
  'periscope run --config targets/local.yml --demo': { same: NPM_START },
  'npx periscope check': { after: () => startedReady, check: (r) => expect(r.stdout).toMatch(/^group periscope-probes at /m) },
  'periscope check': { after: () => startedReady, check: (r) => expect(r.stderr).toMatch(/VictoriaMetrics: .* \(of the periscope run with pid \d+, data dir \.periscope\)/) },
  'npx periscope report --month current': { after: () => startedReady, check: (r) => expect(r.stdout).toMatch(/^# Uptime report \d{4}-\d{2}/) },
  'periscope report --month current --format csv': { after: () => startedReady, check: (r) => expect(r.stdout.split('\n')[0]).toMatch(/^month,target,group,/) },
  'periscope check --replay now-7d..now': { after: () => startedReady, check: (r) => expect(r.stdout).toMatch(/^replay .*: 9 rules, \d+ evaluations/) },
  'periscope validate targets/monitoring.yml targets/rules/probes.yml': {},
  'periscope validate targets/example.yml targets/rules/probes.yml': {},
  'periscope validate targets/prod.yml': { check: (r) => expect(r.stdout).toContain('deployable as stage prod') },
  'periscope validate --stage dev targets/dev.yml': {},
  // Before npm start made the demo certificate, as targets.md says.
  'periscope validate targets/local.yml': { exit: 2, check: (r) => expect(r.stderr).toContain('tls_config.ca_file: ../.periscope/demo/demo-cert.pem: file not found') },
  'periscope test rules targets/rules/pizza.test.yml': {},
  'periscope test rules broken.test.yml': { exit: 2 },
  'node --import tsx scripts/seed-pizza-month.ts http://127.0.0.1:8428': { check: (r) => expect(r.stdout).toMatch(/^replay: periscope check/m) },
  'periscope check --config targets/pizza-replay.yml --vm-url http://127.0.0.1:8428 --replay 2026-11-03T00:00:00Z..2026-12-01T00:00:00Z': {
    // The seed writes the month before now and prints its range; the docs show the range of the day they were written.
    as: async (text, c) => text.replace(/--replay \S+/, `--replay ${await c.seededRange}`),
    // The docs' output, moved to the seeded month (the same days after its start) and with any timing.
    shown: async (line, c) => {
      const shift = Date.parse((await c.seededRange).split('..')[0] ?? '') - Date.parse('2026-11-03T00:00:00Z');
      const moved = line.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, (iso) => new Date(Date.parse(iso) + shift).toISOString());
      return /\d+ range queries, \d+ ms$/.test(moved) ? new RegExp(escape(moved).replace(/\d+ range queries, \d+ ms$/, '\\d+ range queries, \\d+ ms')) : moved;
    },
    check: (r) => {
      expect(r.stdout).toMatch(/: 3 rules, \d+ evaluations, 7 alerts would have fired\n/);
      expect(r.stdout).toContain('23 notifications would have been sent');
    },
  },
  'periscope cost --config targets/prod.yml': { check: (r) => expect(r.stdout.split('\n')[0]).toBe('stage prod: eu-central-1, 512 MB, 50 probes in flight, existing topic') },
  'periscope --version': { check: (r) => expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/) },
  'npx periscope …': { as: () => 'npx --offline periscope --help', check: (r) => expect(r.stdout).toContain('Usage: periscope') },
  'npm link': {
    // Into a private prefix: the machine's global npm is not the test's to change.
    as: (_text, c) => `npm_config_prefix=${join(c.work, '.npm-global')} npm link --offline --no-audit --no-fund && ${join(c.work, '.npm-global', 'bin', 'periscope')} --version`,
    check: (r) => expect(r.stdout).toMatch(/^\d+\.\d+\.\d+$/m),
  },
  'npm run periscope -- probe https://localhost:18443/healthz --ca .periscope/demo/demo-cert.pem': { after: () => startedReady, check: (r) => expect(r.stdout).toMatch(/cert expires in \d+ days/) },
  'npm run periscope -- probe http://127.0.0.1:18080/healthz --json': { after: () => startedReady, check: (r) => expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{')))).toMatchObject({ success: true }) },
  'npm run periscope -- probe tcp://127.0.0.1:18080': { after: () => startedReady },
  "npm run periscope -- probe postgres://monitor@127.0.0.1:5432/app --password-from env:PGPASSWORD --query 'SELECT count(*) FROM pending_orders'": {
    env: (c) => ({ PGPASSWORD: c.pg.password }),
    check: (r) => expect(r.stdout).toContain('value 3'),
  },
  'npm run periscope -- probe dns://10.0.0.2/orders.internal --query-type A': { check: (r) => expect(r.stdout).toContain('answer: orders.internal. 0 IN A 10.1.2.3') },
  'npm run periscope -- probe grpc://orders.internal:50051/orders.v1.Orders': { check: (r) => expect(r.stdout).toContain('SERVING') },
  'npm run periscope -- probe --config targets/local.yml --target demo-https --debug': { after: () => startedReady, check: (r) => expect(r.stdout).toContain('--- log ---') },
  'periscope ui --vm-url https://vm.example.com --config targets/prod.yml --listen 127.0.0.1:8431': {
    long: {
      ready: /Periscope UI: http/,
      whileUp: async (c) => {
        const page = await fetch(`http://127.0.0.1:${c.ports.otherUi}/`);
        expect(page.status).toBe(200);
      },
    },
  },
  'periscope import --blackbox test/fixtures/import/compose/blackbox.yml --prometheus test/fixtures/import/compose/prometheus.yml --alertmanager test/fixtures/import/compose/alertmanager.yml --stage compose': {
    check: (r) => expect(r.stdout).toContain('check it with: periscope validate --stage compose targets/compose.yml'),
  },
  'periscope validate --stage compose targets/compose.yml': {
    after: () => ranByText.get('periscope import --blackbox test/fixtures/import/compose/blackbox.yml --prometheus test/fixtures/import/compose/prometheus.yml --alertmanager test/fixtures/import/compose/alertmanager.yml --stage compose') ?? Promise.resolve(),
    check: (r) => expect(r.stdout).toContain('deployable as stage compose'),
  },
  // The stage deploy.md walks through: its params block and the targets file of targets.md, as the guide says.
  'periscope validate --stage staging targets/staging.yml': {},
  'npx sls package --stage staging': { check: (r) => expect(r.stdout + r.stderr).toContain('Service packaged') },
  'npm run docs:tables': {
    check: async (_r, c) => {
      for (const guide of ['docs/cost.md', 'docs/performance.md']) expect(await readFile(join(c.work, guide), 'utf8'), `${guide} is not what npm run docs:tables writes`).toBe(await readFile(join(ROOT, guide), 'utf8'));
    },
  },
  'periscope status-page --config targets/local.yml --out /tmp/status --vm-url http://127.0.0.1:8428': {
    // targets/local.yml names the demo certificate npm start makes; the page is written into the copy.
    after: () => startedReady,
    as: (text, c) => text.replace('/tmp/status', join(c.work, 'status-preview')),
    check: async (_r, c) => {
      expect(await readFile(join(c.work, 'status-preview', 'index.html'), 'utf8')).toContain('<html');
      expect(JSON.parse(await readFile(join(c.work, 'status-preview', 'status.json'), 'utf8'))).toHaveProperty('services');
    },
  },
  'node --import tsx dashboards/build.ts': {
    check: async (_r, c) => expect(await readFile(join(c.work, 'dashboards/periscope.json'), 'utf8'), 'dashboards/periscope.json is not what build.ts writes').toBe(await readFile(join(ROOT, 'dashboards/periscope.json'), 'utf8')),
  },
};

const AWS = 'needs AWS credentials and an account (and a deployed stack); test/integration/deploy.test.ts packages the stages offline instead';
const NOT_RUNNABLE: Record<string, string> = {
  'npm run setup': 'installs Debian packages as root (apt) and runs npm ci from the registry: CI runs it on a fresh machine (.ci/run) before this suite',
  'npm ci': 'installs node_modules from the registry: CI runs it (.ci/run) before this suite',
  'npm run setup && npm test': 'npm test is the suite this test is part of; npm run setup installs packages (see above)',
  'npm test': 'the suite this test is part of',
  'npm run docs:screenshots': 'rewrites the tracked screenshots (a browser run over 26 hours of seeded history); test/browser/ui.test.ts takes the same pages into test-results/',
  'periscope status-page': 'named in prose; its full form with --config and --out is run',
  'npm run bench': 'the full benchmark takes minutes and measures the machine; CI runs npm run bench:smoke',
  'npm run bench:smoke': 'minutes of benchmark: CI runs it after npm test (.ci/run)',
  'node --import tsx bench/run.ts --only=replay': 'a benchmark part (tens of seconds, measures the machine)',
  'node --import tsx bench/run.ts --only=NAME': 'a benchmark part (the synopsis of the line above)',
  'node --import tsx bench/ui-pages.ts': 'a benchmark (seeds 1 000 targets × 30 days)',
  sls: "the name of osls' command; its commands are run or listed here",
  'sls package': 'named in prose; npx sls package --stage staging is run',
  'sls package --stage NAME': 'the form of npx sls package --stage staging, which is run',
  'sls deploy --stage X': AWS,
  'sls deploy': 'named in prose (who runs it needs these permissions); needs AWS, as below',
  'npx sls deploy --stage dev': AWS,
  'npx sls deploy --stage staging': AWS,
  'npx sls logs -f probe --stage staging --tail': AWS,
  'npx sls logs -f probe --stage dev --tail': AWS,
  'sls invoke -f probe --data …': AWS,
  'npx sls invoke -f probe --stage dev --data \'{"target":"https://orders.example.com/healthz","debug":true,"dry_run":true}\'': AWS,
  'npx sls invoke -f probe --stage dev --data \'{"group":"public-api","target":"orders-health","debug":true}\'': AWS,
  'npx sls invoke -f probe --stage dev --data \'{"group":"public-api"}\'': AWS,
  'npx sls invoke -f anomalyCheck --stage monitoring': AWS,
  'sls invoke local': 'reads the spool queue URL from the deployed stack: ' + AWS,
  'npx sls invoke local -f probe --stage dev -e LAMBDA_TASK_ROOT=$PWD -e VM_WRITE_PASSWORD_FROM=env:VM_PASSWORD --data \'{"target":"https://orders.example.com/healthz","dry_run":true}\'': 'reads the spool queue URL from the deployed stack: ' + AWS,
  'npx sls remove --stage dev': AWS,
  "aws ssm put-parameter --type SecureString --name /periscope/staging/vm-password --value '…'": AWS,
  "aws ssm put-parameter --type SecureString --name /periscope/staging/orders-db-password --value '…'": AWS,
  "aws ssm put-parameter --type SecureString --name /periscope/monitoring/slack-webhook --value 'https://hooks.slack.com/services/…'": AWS,
  "aws cloudwatch describe-alarms --alarm-name-prefix periscope-staging- --query 'MetricAlarms[].[AlarmName,StateValue]'": AWS,
  'aws sqs start-message-move-task --source-arn arn:aws:sqs:<region>:<account>:periscope-<stage>-spool-dead-letters': AWS,
  'aws ssm delete-parameters --names /periscope/dev/vm-password …': AWS,
  'aws ssm put-parameter': AWS,
};

const PERISCOPE_PREFIX = /^(npx periscope|npm run periscope --|periscope)(\s|$)/;

/** A synopsis or a mention: placeholders, optional parts, or (in prose) a command with no values. */
function isSynopsisOrMention(command: DocCommand): boolean {
  if (!PERISCOPE_PREFIX.test(command.text)) return false;
  if (/[[…]|\b[A-Z]{2,}\b|FROM\.\.TO/.test(command.text)) return true;
  const rest = command.text.replace(PERISCOPE_PREFIX, '').trim().split(' ').filter(Boolean);
  return !command.block && rest.every((token) => /^--?[a-z]/.test(token) || /^[a-z]+$/.test(token));
}

/** `periscope check --replay FROM..TO [--json]` → ['check'] and ['--replay', '--json']. */
function helpCheck(text: string): { subcommands: string[]; flags: string[] } {
  const tokens = text.replace(PERISCOPE_PREFIX, '').trim().split(' ').filter(Boolean);
  const subcommands: string[] = [];
  for (const token of tokens) {
    if (!/^[a-z][a-z-]*$/.test(token) || subcommands.length === (subcommands[0] === 'test' ? 2 : 1)) break;
    subcommands.push(token);
  }
  const flags = tokens.flatMap((t) => /^\[?(--?[a-zA-Z][\w-]*)/.exec(t)?.[1] ?? []);
  return { subcommands, flags };
}

/** Commands by text, with every place the docs show them. */
const commands = new Map<string, DocCommand[]>();
for (const file of DOC_FILES) {
  for (const command of docCommands(await readFile(join(ROOT, file), 'utf8'), file)) commands.set(command.text, [...(commands.get(command.text) ?? []), command]);
}

let ctx: Ctx;
let scratch: string;
const stops: Array<() => Promise<void>> = [];

/** Runs `command` with bash in the copy; `periscope` is bin/periscope.js of the copy. */
function sh(command: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<Run> {
  return new Promise((done) => {
    const child = spawn('bash', ['-c', command], { cwd: ctx.work, env: { ...ctx.env, ...env }, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A server command: started, `whileUp` once `ready` is printed, then Ctrl-C to its process group. */
async function runServer(command: string, spec: NonNullable<RunSpec['long']>, onOutput?: (all: string) => void): Promise<{ run: Promise<Run>; up: Promise<void>; stop: () => Promise<Run> }> {
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: ctx.work, env: ctx.env, detached: true });
  let stdout = '';
  let stderr = '';
  let ready: () => void = () => undefined;
  let failed: (err: Error) => void = () => undefined;
  const up = new Promise<void>((resolveUp, rejectUp) => ((ready = resolveUp), (failed = rejectUp)));
  const onData = () => {
    onOutput?.(stdout + stderr);
    if (spec.ready.test(stdout)) ready();
  };
  child.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), onData()));
  child.stderr.on('data', (c: Buffer) => ((stderr += c.toString()), onData()));
  const run = new Promise<Run>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  void run.then((r) => failed(new Error(`${command} exited (${r.code}) before it was ready:\n${r.stdout}\n${r.stderr}`)));
  up.catch(() => undefined); // reported where it is awaited; a server stopped before anyone waited is no error
  const stop = async () => {
    if (child.exitCode === null) process.kill(-(child.pid ?? 0), 'SIGINT');
    return run;
  };
  stops.push(async () => void (await stop()));
  return { run, up, stop };
}

let helpQueue: Promise<unknown> = Promise.resolve();

/**
 * `periscope <subcommands> --help` as the CLI prints it, from the CLI loaded in this process: a fresh instance of
 * cli/main.ts per page (it parses process.argv when loaded), one at a time, stdout captured. A Node start-up per
 * page would add a tenth to this test's time.
 */
function helpPage(subcommands: string[]): Promise<Run> {
  const page = helpQueue.then(async () => {
    const { argv, exitCode } = process;
    const write = process.stdout.write;
    let stdout = '';
    process.argv = [argv[0] ?? 'node', 'periscope', ...subcommands, '--help'];
    process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
    try {
      await import(/* @vite-ignore */ `${new URL('../../cli/main.ts', import.meta.url).href}?help=${encodeURIComponent(subcommands.join('-') || 'root')}`);
      return { code: Number(process.exitCode ?? 0), stdout, stderr: '' };
    } finally {
      process.stdout.write = write;
      process.argv = argv;
      process.exitCode = exitCode;
    }
  });
  helpQueue = page.catch(() => undefined);
  return page;
}

async function copyCheckout(work: string): Promise<void> {
  let tracked: string[] | undefined;
  try {
    tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    tracked = undefined;
  }
  if (!tracked) {
    const skip = new Set(['node_modules', '.git', '.periscope', '.serverless', '.esbuild', 'coverage']);
    await cp(ROOT, work, { recursive: true, filter: (source) => !skip.has(relative(ROOT, source).split(/[\\/]/)[0] ?? '') });
    return;
  }
  for (const file of tracked) {
    await mkdir(dirname(join(work, file)), { recursive: true });
    await cp(join(ROOT, file), join(work, file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err; // deleted here, not yet committed
    });
  }
}

async function writeStagingStage(work: string): Promise<void> {
  // deploy.md: "Add a stage to params: in serverless.yml" — its block, the placeholders given values.
  const deploy = await readFile(join(ROOT, 'docs/deploy.md'), 'utf8');
  const block = /```yaml\nparams:\n( {2}staging:\n[\s\S]*?)```/.exec(deploy)?.[1];
  if (!block) throw new Error('docs/deploy.md has no params block for staging');
  let n = 0;
  const params = block.replace(/(subnet|sg)-…/g, (_m, kind: string) => `${kind}-${String(++n).padStart(17, '0')}`);
  const serverless = await readFile(join(work, 'serverless.yml'), 'utf8');
  await writeFile(join(work, 'serverless.yml'), serverless.replace('\nparams:\n', `\nparams:\n${params}`));
  // "Write targets/staging.yml (see Targets files)": the example of targets.md.
  const targets = /```yaml\n(labels:[\s\S]*?)```/.exec(await readFile(join(ROOT, 'docs/targets.md'), 'utf8'))?.[1];
  if (!targets) throw new Error('docs/targets.md has no example targets file');
  await writeFile(join(work, 'targets/staging.yml'), targets);
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'periscope-docs-'));
  const work = join(scratch, 'checkout');
  // A clean checkout: the files git tracks, as they are here (so a targets/compose.yml left by someone's own
  // import does not count), no .periscope, no build output; node_modules linked. Without git, all but those.
  await copyCheckout(work);
  await symlink(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  const vmUrl = inject('vmUrl');
  const [ui, otherUi, http, https, closed] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  // targets/local.yml on this run's ports (as npm start's flags below): the demo, and the suite's VictoriaMetrics.
  const local = (await readFile(join(work, 'targets/local.yml'), 'utf8'))
    .replaceAll('127.0.0.1:18080', `127.0.0.1:${http}`)
    .replaceAll('localhost:18443', `localhost:${https}`)
    .replaceAll('127.0.0.1:8428', new URL(vmUrl).host)
    .replaceAll('127.0.0.1:18099', `127.0.0.1:${closed}`);
  await writeFile(join(work, 'targets/local.yml'), local);
  await writeStagingStage(work);
  // alerting.md's broken test file: the output the guide shows comes from this.
  await writeFile(join(work, 'broken.test.yml'), 'rule_files: [targets/rules/pizza.yml]\ntests:\n  - input_series: []\n  - input_series:\n      - series: up\n        values: 1 oops 3\n');
  const bin = join(scratch, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'periscope'), `#!/bin/sh\nexec node "${join(work, 'bin/periscope.js')}" "$@"\n`);
  await chmod(join(bin, 'periscope'), 0o755);
  // A person's shell: none of the npm_* settings the test runner was started with (npm_config_prefix among them),
  // and no AWS credentials (nothing here may reach an account; sls package does not need one).
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|AWS_)/i.test(name) && name !== 'VM_URL'));
  Object.assign(env, {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    npm_config_update_notifier: 'false',
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
    AWS_CONFIG_FILE: join(scratch, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const [dns, grpc, pg] = await Promise.all([
    startDnsmasq(['--address=/orders.internal/10.1.2.3']),
    startGrpcHealthServer({ statuses: { '': 'SERVING', 'orders.v1.Orders': 'SERVING' } }),
    startPostgres(),
  ]);
  stops.push(() => dns.stop(), () => grpc.close(), () => pg.stop());
  await pg.query('CREATE TABLE pending_orders (id int); INSERT INTO pending_orders VALUES (1), (2), (3)');
  let startOutput = '';
  ctx = {
    work,
    vmUrl,
    ports: { ui, otherUi, http, https, closed },
    dns,
    grpc,
    pg,
    startOutput: () => startOutput,
    seededRange: new Promise(() => undefined),
    env,
  };
  // Before npm start makes the demo certificate (docs/targets.md says validate reports it missing until then).
  ranByText.set('periscope validate targets/local.yml', sh('periscope validate targets/local.yml'));
  await ranByText.get('periscope validate targets/local.yml');
  const start = RUN[NPM_START] as RunSpec;
  const server = await runServer(await (start.as as NonNullable<RunSpec['as']>)(NPM_START, ctx), start.long as NonNullable<RunSpec['long']>, (all) => (startOutput = all));
  startedReady = server.up;
  ranByText.set(NPM_START, server.run);
  const seed = 'node --import tsx scripts/seed-pizza-month.ts http://127.0.0.1:8428';
  const seeded = sh(substitute(seed, ctx));
  ranByText.set(seed, seeded);
  ctx.seededRange = seeded.then((r) => /--replay (\S+)/.exec(r.stdout)?.[1] ?? 'no-range-printed');
  const importText = [...commands.keys()].find((t) => t.startsWith('periscope import --blackbox test/fixtures'));
  if (importText) ranByText.set(importText, sh(importText));
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the commands of the README and docs/', () => {
  it('are each run, checked against --help, or listed as not runnable here with a reason', () => {
    const unknown = [...commands.entries()].filter(([text, [first]]) => !(text in RUN) && !(text in NOT_RUNNABLE) && !(first && isSynopsisOrMention(first)));
    expect(unknown.map(([text, places]) => `${text}  (${places.map((p) => p.where).join(', ')})`), 'new commands in the docs: run them in test/integration/docs.test.ts RUN, or list them in NOT_RUNNABLE with why').toEqual([]);
    const stale = [...Object.keys(RUN), ...Object.keys(NOT_RUNNABLE)].filter((text) => !commands.has(text));
    expect(stale, 'entries of test/integration/docs.test.ts that no doc shows any more').toEqual([]);
  });

  const runnable = [...commands.keys()].filter((text) => text in RUN);
  it.concurrent.each(runnable)('runs: %s', async (text) => {
    let spec = RUN[text] as RunSpec | Same;
    if ('same' in spec) {
      // The same server as another doc line: it must have come up.
      await startedReady;
      return;
    }
    spec = spec as RunSpec;
    await spec.after?.(ctx);
    const command = spec.as ? await spec.as(substitute(text, ctx), ctx) : substitute(text, ctx);
    let run: Run;
    if (text === NPM_START) {
      await startedReady;
      await spec.long?.whileUp?.(ctx, ctx.startOutput());
      return;
    }
    if (spec.long) {
      const server = await runServer(command, spec.long);
      await server.up;
      await spec.long.whileUp?.(ctx, '');
      run = await server.stop();
      expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
      return;
    }
    run = await (ranByText.get(text) ?? sh(command, spec.env?.(ctx) ?? {}));
    if (!ranByText.has(text)) ranByText.set(text, Promise.resolve(run));
    expect(run.code, `${command}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(spec.exit ?? 0);
    await spec.check?.(run, ctx);
    // What the docs show it printing.
    const shown = (commands.get(text) ?? []).flatMap((c) => c.output ?? []).filter((line) => line.trim() !== '' && !line.includes('…'));
    for (const line of shown) {
      const expected = spec.shown ? await spec.shown(line, ctx) : line;
      if (typeof expected === 'string') expect(`${run.stdout}${run.stderr}`, `${text} prints what the docs show`).toContain(expected);
      else expect(`${run.stdout}${run.stderr}`, `${text} prints what the docs show`).toMatch(expected);
    }
  }, 240_000);

  const mentions = [...commands.entries()].filter(([text, [first]]) => !(text in RUN) && !(text in NOT_RUNNABLE) && first && isSynopsisOrMention(first)).map(([text]) => text);
  const helpRuns = new Map<string, Promise<Run>>();
  it.concurrent.each(mentions)('exists with the flags shown: %s', async (text) => {
    const { subcommands, flags } = helpCheck(text);
    const key = subcommands.join(' ');
    if (!helpRuns.has(key)) helpRuns.set(key, helpPage(subcommands));
    const help = await (helpRuns.get(key) as Promise<Run>);
    expect(help.code, `periscope ${key} --help: ${help.stderr}`).toBe(0);
    for (const flag of flags) expect(help.stdout, `periscope ${key} has no ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag}[\\s,<\\[]`, 'm'));
  });
});
