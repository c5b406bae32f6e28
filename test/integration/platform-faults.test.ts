// The platform-fault suite: the Lambda handlers exactly as `sls package` builds them (the monitoring stage's
// zips, unzipped with no node_modules above them), run under the Node.js 22 and 24 binaries Lambda's
// nodejs22.x/nodejs24.x runtimes use (devDependencies node22/node24), against a loopback AWS stand-in that
// checks every SigV4 signature and denies, hangs or answers 503 on demand for SQS, SSM, SNS, S3 and DynamoDB,
// and a VictoriaMetrics stand-in answering 401, 408, 429, 500, 503 or never (the real VictoriaMetrics of the
// test run for the rest and for the recovery checks). For every fault and handler:
//   - no sample or alert is lost: written, spooled (and replayed by the next run), or sent by the next evaluation;
//   - no failure is silent: a log line naming it, and the alarmed metric in the EMF line (or a failed invocation,
//     which Lambda's Errors metric and the stage's Errors alarms count);
//   - no invocation runs past its timeout.
// Each case has its own stand-ins and stage label, so the cases run in parallel (hanging ones first: they wait).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mapLimit } from '../../shared/async/map-limit.js';
import { FAULT_STAND_IN_CREDENTIALS, startAwsFaultStandIn, type AwsFault, type AwsFaultStandIn } from '../support/aws-fault-stand-in.js';
import { packagedStage } from '../support/packaged-stages.js';
import { VmClient } from '../support/victoria-metrics.js';

const FUNCTIONS = {
  probe: 'functions/probe.cjs',
  anomalyCheck: 'functions/anomaly-check.cjs',
  statusPage: 'functions/status-page.cjs',
  notifySlack: 'functions/notify-slack.cjs',
} as const;
type FunctionName = keyof typeof FUNCTIONS;

/**
 * The timeouts of serverless.yml, except the probe's: 30 s here (its deadlines scale with the invocation; the
 * test machine runs a dozen of these at once on two cores, where a cold start alone can take seconds).
 */
const TIMEOUT_MS: Record<FunctionName, number> = { probe: 30_000, anomalyCheck: 50_000, statusPage: 60_000, notifySlack: 15_000 };

const RUNTIMES = { 'nodejs22.x': resolve('node_modules/node22/bin/node'), 'nodejs24.x': resolve('node_modules/node24/bin/node') } as const;
type Runtime = keyof typeof RUNTIMES;
const runtimes = (Object.keys(RUNTIMES) as Runtime[]).filter((r) => existsSync(RUNTIMES[r]));

const vm = new VmClient(inject('vmUrl'));
let scratch: string;
const roots = {} as Record<FunctionName, string>;
let target: { url: string; close(): Promise<void> };
let vmStandIn: Awaited<ReturnType<typeof startVmStandIn>>;

/** The entries of a zip archive (stored or deflated, as serverless-esbuild writes them). */
function unzip(zip: Buffer): Map<string, Buffer> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (!name.endsWith('/')) files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + skip;
  }
  return files;
}

/** An HTTP server on 127.0.0.1 whose answer the request path chooses: /<mode>/… with mode 401, 408, 429, 500, 503 or hang. */
async function startVmStandIn() {
  const sockets = new Set<Socket>();
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    paths.push(req.url ?? '/');
    const mode = (req.url ?? '/').split('/')[1] ?? '';
    if (mode === 'hang') return;
    res.writeHead(Number(mode) || 500, { 'content-type': 'text/plain' }).end(mode === '401' ? 'Unauthorized' : `stand-in answer ${mode}`);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Requests whose path starts with `prefix`. */
    requests: (prefix: string) => paths.filter((p) => p.startsWith(prefix)).length,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

interface Invocation {
  result?: Record<string, unknown>;
  error?: string;
  /** The process ended without an answer (a crash, an unhandled rejection): what Lambda reports as Runtime.ExitError. */
  crashed: boolean;
  /** The handler's time, from its call to its answer: what Lambda's timeout counts (not the cold start). */
  logs: Array<Record<string, unknown>>;
  text: string;
  durationMs: number;
}

/** Loads the bundled handler in a fresh process of the runtime's Node, with Lambda's working directory and environment. */
async function invoke(runtime: Runtime, name: FunctionName, event: unknown, env: Record<string, string>, timeoutMs = TIMEOUT_MS[name]): Promise<Invocation> {
  const runner = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(roots[name], FUNCTIONS[name])).href)});
    const end = Date.now() + ${timeoutMs};
    const context = { awsRequestId: 'fault-test', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:periscope-faults-${name}', getRemainingTimeInMillis: () => end - Date.now() };
    const started = Date.now();
    try {
      const result = await handler(JSON.parse(process.env.TEST_EVENT), context);
      process.stdout.write('TOOK ' + (Date.now() - started) + '\\nRESULT ' + JSON.stringify(result ?? null) + '\\n', () => process.exit(0));
    } catch (err) {
      process.stdout.write('TOOK ' + (Date.now() - started) + '\\nERROR ' + JSON.stringify(String(err?.message ?? err)) + '\\n', () => process.exit(0));
    }`;
  const started = Date.now();
  const child = spawn(RUNTIMES[runtime], ['--input-type=module', '-e', runner], {
    cwd: roots[name],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: '--enable-source-maps',
      LAMBDA_TASK_ROOT: roots[name],
      AWS_REGION: 'eu-central-1',
      ...FAULT_STAND_IN_CREDENTIALS,
      AWS_EC2_METADATA_DISABLED: 'true',
      TEST_EVENT: JSON.stringify(event),
      ...env,
    },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  // Lambda stops the invocation at its timeout; so does this, and the test then fails on the duration.
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 15_000);
  await new Promise((done) => {
    child.on('close', done);
    child.on('error', (err) => {
      text += `spawn failed: ${err.message}`;
      done(undefined);
    });
  });
  clearTimeout(killer);
  const lines = text.split('\n');
  const took = lines.find((l) => l.startsWith('TOOK '));
  const durationMs = took ? Number(took.slice(5)) : Date.now() - started;
  const logs = lines.flatMap((l) => {
    try {
      const parsed = JSON.parse(l) as unknown;
      return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  const answer = lines.find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
  if (!answer) return { crashed: true, logs, text, durationMs };
  return answer.startsWith('RESULT ')
    ? { result: JSON.parse(answer.slice(7)) as Record<string, unknown>, crashed: false, logs, text, durationMs }
    : { error: JSON.parse(answer.slice(6)) as string, crashed: false, logs, text, durationMs };
}

/** The run's summary as its log line says it (also when the invocation then fails). */
const runSummary = (inv: Invocation) => inv.logs.find((l) => l.message === 'run finished');
const emf = (inv: Invocation) => inv.logs.filter((l) => l._aws !== undefined);
const errorLogs = (inv: Invocation) => inv.logs.filter((l) => l.level === 'error').map((l) => String(l.message));
/** A CloudWatch metric (one with dimensions) in the invocation's EMF lines: its summed value. */
function alarmedMetric(inv: Invocation, metric: string): number | undefined {
  const lines = emf(inv).filter((l) => JSON.stringify(l._aws).includes(`"Name":"${metric}"`));
  return lines.length === 0 ? undefined : lines.reduce((n, l) => n + Number(l[metric]), 0);
}

function within(inv: Invocation, name: FunctionName, timeoutMs = TIMEOUT_MS[name]) {
  expect(inv.crashed, `the process ended without an answer:\n${inv.text}`).toBe(false);
  expect(inv.durationMs, `ran ${inv.durationMs} ms of a ${timeoutMs} ms invocation:\n${inv.text}`).toBeLessThan(timeoutMs);
}

/** Spooled SQS messages: the samples they carry (gzip exposition, base64). */
function spooledLines(aws: AwsFaultStandIn, queueUrl: string): string[] {
  return aws.queue(queueUrl).flatMap((m) => gunzipSync(Buffer.from(m.Body, 'base64')).toString('utf8').split('\n').filter(Boolean));
}

const PROBE_TARGETS = (url: string) => `groups:\n  - name: faults\n    targets:\n      - { name: web, http: { url: "${url}/ok" } }\n      - { name: web2, http: { url: "${url}/ok2" } }\n`;

/** A rule group of its own per case (state and claims are per group): an alert that fires at once, every 2 s slot. */
const ALERT_TARGETS = (group: string) =>
  `groups:\n  - name: web\n    targets:\n      - { name: web, http: { url: "http://127.0.0.1:9/" } }\nrules:\n  - name: ${group}\n    interval: 2s\n    rules:\n      - alert: FaultSuiteAlert\n        expr: vector(1)\n        labels: { severity: critical, suite: ${group} }\n        annotations: { summary: "always firing" }\n`;

const STATUS_TARGETS = `groups:\n  - name: public-web\n    public: true\n    targets:\n      - { name: web, http: { url: "http://127.0.0.1:9/" } }\n`;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'periscope-faults-'));
  const out = await packagedStage('monitoring');
  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    const root = join(scratch, name);
    const zipName = `${name}.zip`;
    for (const [path, data] of unzip(await readFile(join(out, zipName)))) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), data);
    }
    roots[name] = root;
  }
  const web = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers: a manual probe's own timeout against the invocation's
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  const sockets = new Set<Socket>();
  web.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => web.listen(0, '127.0.0.1', done));
  target = {
    url: `http://127.0.0.1:${(web.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        web.close(() => done());
      }),
  };
  vmStandIn = await startVmStandIn();
  await writeFile(join(roots.probe, 'targets/faults.yml'), PROBE_TARGETS(target.url));
  await writeFile(join(roots.statusPage, 'targets/faults.yml'), STATUS_TARGETS);
}, 600_000);

afterAll(async () => {
  await Promise.all([target?.close(), vmStandIn?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const FAULTS: AwsFault[] = ['hang', 'deny', '5xx'];
const VM_FAULTS = ['hang', '401', '408', '429', '500', '503'] as const;

interface Case {
  name: string;
  /** Runs the case and makes its assertions; returns nothing. */
  run(runtime: Runtime): Promise<void>;
  /** Hanging cases first: they spend their time waiting. */
  slow?: boolean;
}

let caseNumber = 0;
/** A stand-in of its own and a stage label of its own for one case. */
async function caseContext(runtime: Runtime) {
  const id = `f${process.pid}x${caseNumber++}${runtime === 'nodejs22.x' ? 'a' : 'b'}`;
  const aws = await startAwsFaultStandIn();
  const stage = `faults-${id}`;
  aws.parameters.set(`/periscope/${stage}/vm-password`, 'fault-suite-password');
  return { id, aws, stage, spoolUrl: `${aws.url}/123456789012/periscope-${stage}-spool`, deadLettersUrl: `${aws.url}/123456789012/periscope-${stage}-spool-dead-letters` };
}

function probeEnv(c: Awaited<ReturnType<typeof caseContext>>, vmUrl: string, fallbackDir: string): Record<string, string> {
  return {
    STAGE: c.stage,
    TARGETS_FILE: 'targets/faults.yml',
    VM_WRITE_URL: vmUrl,
    VM_WRITE_USERNAME: 'periscope',
    VM_WRITE_PASSWORD_FROM: `ssm:/periscope/${c.stage}/vm-password`,
    SPOOL_QUEUE_URL: c.spoolUrl,
    SPOOL_DEAD_LETTER_QUEUE_URL: c.deadLettersUrl,
    FALLBACK_SPOOL_DIR: fallbackDir,
    AWS_ENDPOINT_URL: c.aws.url,
  };
}

/** Samples of one case's runs in the real VictoriaMetrics: the timestamps of probe_success per target. */
async function writtenRuns(stage: string, runs: number): Promise<number[]> {
  const series = await vm.exportSeriesUntil(`probe_success{stage="${stage}"}`, (s) => s.length === 2 && s.every((x) => x.values.length >= runs), 15_000);
  return series.map((s) => s.values.length);
}

const cases: Case[] = [];

// ── probe: SQS failing while VictoriaMetrics works ─────────────────────────────────────────────────────────
for (const fault of FAULTS) {
  cases.push({
    name: `probe, SQS ${fault}: the run's samples are written, the spool failure is logged and counted, and the invocation fails for the errors alarm`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('sqs', fault);
        const inv = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, vm.url, join(scratch, `${c.id}-fallback`)));
        within(inv, 'probe');
        expect(inv.error, inv.text).toMatch(/^the spool failed \d+ time\(s\) in this run of group faults .* none lost$/);
        const summary = runSummary(inv);
        expect(summary, inv.text).toMatchObject({ group: 'faults', targets: 2, succeeded: 2, lost: 0, spooled: 0, spool_depth: null });
        expect(Number(summary?.samples_written)).toBeGreaterThan(0);
        expect(errorLogs(inv)).toContain('spool operation failed');
        expect(alarmedMetric(inv, 'SpoolFailures')).toBeGreaterThan(0);
        expect(alarmedMetric(inv, 'Runs')).toBe(1);
        expect(await writtenRuns(c.stage, 1)).toEqual([1, 1]);
        expect(c.aws.badSignatures).toBe(0);
      } finally {
        await c.aws.close();
      }
    },
  });
}

// ── probe: SSM failing (the VictoriaMetrics password): nothing was measured, the invocation fails loudly ───
for (const fault of FAULTS) {
  cases.push({
    name: `probe, SSM ${fault}: the invocation fails, naming the secret, before its timeout`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('ssm', fault);
        const inv = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, vm.url, join(scratch, `${c.id}-fallback`)));
        within(inv, 'probe');
        expect(inv.error, inv.text).toContain(`secret ssm:/periscope/${c.stage}/vm-password`);
        expect(c.aws.calls.filter((call) => call.service === 'ssm').length).toBeGreaterThan(0);
      } finally {
        await c.aws.close();
      }
    },
  });
}

// ── probe: VictoriaMetrics failing: spooled to SQS, replayed by the next run with the original timestamps ──
for (const mode of VM_FAULTS) {
  cases.push({
    name: `probe, VictoriaMetrics ${mode === 'hang' ? 'hanging' : `answering ${mode}`}: every sample spooled, and replayed when it is back`,
    slow: mode === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        const fallback = join(scratch, `${c.id}-fallback`);
        const down = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, `${vmStandIn.url}/${mode}/${c.id}`, fallback));
        within(down, 'probe');
        expect(down.result, down.text).toMatchObject({ group: 'faults', samples_written: 0, lost: 0, rejected: 0, spool_failures: 0 });
        const spooled = Number(down.result?.spooled);
        expect(spooled).toBeGreaterThan(0);
        // What the spool-not-draining alarm watches: the queue holds every sample of the run.
        expect(spooledLines(c.aws, c.spoolUrl)).toHaveLength(spooled);
        expect(down.logs.some((l) => l.message === 'batch not written; spooled for the next run')).toBe(true);
        // The circuit: a dead VictoriaMetrics is given a few seconds of retries (an answer no retry changes soon,
        // 401, none), not the run: before it, a 50 s run made 23 attempts over 46 s.
        const attempts = vmStandIn.requests(`/${mode}/${c.id}/`);
        expect(attempts).toBeGreaterThanOrEqual(1);
        expect(attempts).toBeLessThanOrEqual(mode === '401' || mode === 'hang' ? 1 : 15);

        const back = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, vm.url, fallback));
        within(back, 'probe');
        expect(back.result, back.text).toMatchObject({ replayed: spooled, spool_depth: 0, lost: 0 });
        expect(c.aws.queue(c.spoolUrl)).toHaveLength(0);
        expect(await writtenRuns(c.stage, 2)).toEqual([2, 2]);
      } finally {
        await c.aws.close();
      }
    },
  });
}

// ── probe: VictoriaMetrics and SQS failing: the container's /tmp keeps the batch; with /tmp failing too, the
//    invocation fails (samples lost, loudly) ──────────────────────────────────────────────────────────────
cases.push({
  name: 'probe, VictoriaMetrics 503 and SQS denied: kept in /tmp and replayed by the next run; SpoolFailures counted, the invocation fails',
  async run(runtime) {
    const c = await caseContext(runtime);
    try {
      const fallback = join(scratch, `${c.id}-fallback`);
      c.aws.fault('sqs', 'deny');
      const down = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, `${vmStandIn.url}/503`, fallback));
      within(down, 'probe');
      expect(down.error, down.text).toMatch(/the spool failed .* 1 batches kept in \/tmp, none lost$/);
      expect(runSummary(down), down.text).toMatchObject({ samples_written: 0, lost: 0, spooled_to_fallback: 1 });
      expect(alarmedMetric(down, 'SpoolFailures')).toBeGreaterThan(0);
      expect(errorLogs(down)).toContain('batch kept in the fallback spool: the spool failed');
      expect((await readdir(fallback)).filter((f) => f.endsWith('.prom.gz'))).toHaveLength(1);

      c.aws.fault('sqs', undefined);
      const back = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, vm.url, fallback));
      within(back, 'probe');
      expect(back.result, back.text).toMatchObject({ replayed: runSummary(down)?.spooled ?? Number.NaN, lost: 0, spool_failures: 0 });
      expect((await readdir(fallback)).filter((f) => f.endsWith('.prom.gz'))).toHaveLength(0);
      expect(await writtenRuns(c.stage, 2)).toEqual([2, 2]);
    } finally {
      await c.aws.close();
    }
  },
});
cases.push({
  name: 'probe, VictoriaMetrics 503, SQS hanging and /tmp unwritable: the invocation fails before its timeout, SpoolFailures counted',
  slow: true,
  async run(runtime) {
    const c = await caseContext(runtime);
    try {
      c.aws.fault('sqs', 'hang');
      // A fallback directory under a file: every write there fails (ENOTDIR), as on a full or broken disk.
      const file = join(scratch, `${c.id}-a-file`);
      await writeFile(file, '');
      const inv = await invoke(runtime, 'probe', { group: 'faults' }, probeEnv(c, `${vmStandIn.url}/503`, join(file, 'spool')));
      within(inv, 'probe');
      expect(inv.error, inv.text).toMatch(/samples of group faults lost: VictoriaMetrics and the spool both failed/);
      expect(errorLogs(inv)).toContain('samples lost: VictoriaMetrics and the spool both failed');
      expect(alarmedMetric(inv, 'SpoolFailures')).toBeGreaterThan(0);
      expect(alarmedMetric(inv, 'Runs')).toBe(1);
    } finally {
      await c.aws.close();
    }
  },
});

// ── probe: a manual invoke with a timeout longer than the invocation ────────────────────────────────────────
cases.push({
  name: 'probe, manual invoke with "timeout": "30s" against a target that never answers: clamped to the invocation, samples written',
  async run(runtime) {
    const c = await caseContext(runtime);
    try {
      const event = { target: { name: 'slow', timeout: '30s', http: { url: `${target.url}/slow` } } };
      // 20 s, less than the target's 30 s: unclamped, the probe alone would outlive the invocation.
      const inv = await invoke(runtime, 'probe', event, probeEnv(c, vm.url, join(scratch, `${c.id}-fallback`)), 20_000);
      within(inv, 'probe', 20_000);
      expect(inv.result, inv.text).toMatchObject({ success: false, written: { spooled: 0 } });
      expect(Number((inv.result?.written as { samples: number }).samples)).toBeGreaterThan(0);
    } finally {
      await c.aws.close();
    }
  },
});

// ── anomaly check ───────────────────────────────────────────────────────────────────────────────────────────
function anomalyEnv(c: Awaited<ReturnType<typeof caseContext>>, file: string): Record<string, string> {
  return {
    STAGE: c.stage,
    TARGETS_FILE: file,
    SCHEDULE_RATE_MS: '60000',
    VM_QUERY_URL: vm.url,
    VM_QUERY_PASSWORD_FROM: `ssm:/periscope/${c.stage}/vm-password`,
    VM_QUERY_USERNAME: 'periscope',
    VM_WRITE_URL: vm.url,
    ALERTS_TOPIC_ARN: `arn:aws:sns:eu-central-1:123456789012:periscope-${c.stage}-alerts`,
    CLAIMS_TABLE: `periscope-${c.stage}-alert-claims`,
    AWS_ENDPOINT_URL: c.aws.url,
    AWS_MAX_ATTEMPTS: '3',
  };
}

async function alertFile(c: { id: string }): Promise<string> {
  const file = `targets/faults-${c.id}.yml`;
  await writeFile(join(roots.anomalyCheck, file), ALERT_TARGETS(`faults-${c.id}`));
  return file;
}

const firingSent = (aws: AwsFaultStandIn) => aws.published.filter((m) => m.Subject.startsWith('[FIRING') && m.Subject.includes('FaultSuiteAlert'));

/** Until the next 2 s slot of the rule group has begun. */
const nextSlot = () => new Promise((done) => setTimeout(done, 2_100 - (Date.now() % 2_000)));

for (const fault of FAULTS) {
  cases.push({
    name: `anomaly check, SNS ${fault}: the failure is logged and counted, and the alert is sent by the next evaluation`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        const env = anomalyEnv(c, await alertFile(c));
        c.aws.fault('sns', fault);
        const failing = await invoke(runtime, 'anomalyCheck', {}, env);
        within(failing, 'anomalyCheck');
        expect(failing.result, failing.text).toMatchObject({ failed: [], groups: [expect.objectContaining({ firing: 1, sent: 0, send_failures: 1 })] });
        expect(errorLogs(failing)).toContain('notification not sent; will retry next evaluation');
        expect(alarmedMetric(failing, 'NotificationFailures')).toBe(1);
        expect(firingSent(c.aws)).toHaveLength(0);

        c.aws.fault('sns', undefined);
        await nextSlot();
        const next = await invoke(runtime, 'anomalyCheck', {}, env);
        within(next, 'anomalyCheck');
        expect(next.result, next.text).toMatchObject({ groups: [expect.objectContaining({ firing: 1, sent: 1, send_failures: 0 })] });
        // A failure count is a CloudWatch metric only in runs that had failures (billed only then).
        expect(alarmedMetric(next, 'NotificationFailures')).toBeUndefined();
        expect(next.logs.find((l) => l.message === 'self-metrics')).toMatchObject({ NotificationFailures: 0, NotificationsSent: 1 });
        expect(firingSent(c.aws)).toHaveLength(1);
      } finally {
        await c.aws.close();
      }
    },
  });
  cases.push({
    name: `anomaly check, DynamoDB ${fault}: the alert is sent without a claim, the failure logged and counted`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('dynamodb', fault);
        const inv = await invoke(runtime, 'anomalyCheck', {}, anomalyEnv(c, await alertFile(c)));
        within(inv, 'anomalyCheck');
        expect(inv.result, inv.text).toMatchObject({ failed: [], groups: [expect.objectContaining({ firing: 1, sent: 1 })] });
        expect(errorLogs(inv)).toContain('slot claim store unavailable; sending without a claim');
        // Two claims could not be made: the previous slot's (not committed: the overlap guard takes it before
        // sending, see alert-adjacent-slots.test.ts) and this slot's.
        expect(alarmedMetric(inv, 'ClaimFailures')).toBe(2);
        expect(firingSent(c.aws)).toHaveLength(1);
      } finally {
        await c.aws.close();
      }
    },
  });
  cases.push({
    name: `anomaly check, SSM ${fault}: the invocation fails, naming the secret, before its timeout`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('ssm', fault);
        const inv = await invoke(runtime, 'anomalyCheck', {}, anomalyEnv(c, await alertFile(c)));
        within(inv, 'anomalyCheck');
        expect(inv.error, inv.text).toContain(`secret ssm:/periscope/${c.stage}/vm-password`);
      } finally {
        await c.aws.close();
      }
    },
  });
}

// ── status page ─────────────────────────────────────────────────────────────────────────────────────────────
function statusEnv(c: Awaited<ReturnType<typeof caseContext>>): Record<string, string> {
  return {
    STAGE: c.stage,
    TARGETS_FILE: 'targets/faults.yml',
    VM_QUERY_URL: vm.url,
    VM_QUERY_USERNAME: 'periscope',
    VM_QUERY_PASSWORD_FROM: `ssm:/periscope/${c.stage}/vm-password`,
    STATUS_PAGE_BUCKET: 'status.example.com',
    AWS_ENDPOINT_URL: c.aws.url,
  };
}

for (const fault of FAULTS) {
  cases.push({
    name: `status page, S3 ${fault}: not published, said in a log line and StatusPagePublished 0, the invocation fails before its timeout; published when S3 is back`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('s3', fault);
        const inv = await invoke(runtime, 'statusPage', {}, statusEnv(c));
        within(inv, 'statusPage');
        expect(inv.error, inv.text).toContain('status page not published');
        expect(errorLogs(inv)).toContain('status page not published; the public page keeps its previous content');
        expect(alarmedMetric(inv, 'StatusPagePublished')).toBe(0);

        c.aws.fault('s3', undefined);
        const back = await invoke(runtime, 'statusPage', {}, statusEnv(c));
        within(back, 'statusPage');
        expect(back.result, back.text).toMatchObject({ keys: ['index.html', 'status.json'] });
        expect(alarmedMetric(back, 'StatusPagePublished')).toBe(1);
        expect(c.aws.objects.get('status.example.com/index.html')?.body.toString()).toContain('<html');
      } finally {
        await c.aws.close();
      }
    },
  });
  cases.push({
    name: `status page, SSM ${fault}: the invocation fails, naming the secret, before its timeout`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('ssm', fault);
        const inv = await invoke(runtime, 'statusPage', {}, statusEnv(c));
        within(inv, 'statusPage');
        expect(inv.error, inv.text).toContain(`secret ssm:/periscope/${c.stage}/vm-password`);
      } finally {
        await c.aws.close();
      }
    },
  });
  cases.push({
    name: `notify-slack, SSM ${fault}: the invocation fails (Lambda retries it, then keeps it in the dead-letter queue) before its timeout`,
    slow: fault === 'hang',
    async run(runtime) {
      const c = await caseContext(runtime);
      try {
        c.aws.fault('ssm', fault);
        const event = { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', Subject: '[FIRING] X', Message: 'plain text', TopicArn: 'arn:aws:sns:eu-central-1:123456789012:alerts' } }] };
        const inv = await invoke(runtime, 'notifySlack', event, { STAGE: c.stage, SLACK_WEBHOOK_FROM: `ssm:/periscope/${c.stage}/slack-webhook`, AWS_ENDPOINT_URL: c.aws.url });
        within(inv, 'notifySlack');
        expect(inv.error, inv.text).toContain('Slack webhook secret not available');
      } finally {
        await c.aws.close();
      }
    },
  });
}

/** Results of every case, run once for both runtimes in parallel (the tests below only report them). */
let outcomes: Promise<Map<string, unknown>> | undefined;
function runAll(): Promise<Map<string, unknown>> {
  outcomes ??= (async () => {
    const jobs = runtimes.flatMap((runtime) => cases.map((c) => ({ runtime, c })));
    jobs.sort((a, b) => Number(Boolean(b.c.slow)) - Number(Boolean(a.c.slow)));
    const results = new Map<string, unknown>();
    await mapLimit(jobs, 10, async ({ runtime, c }) => {
      try {
        await c.run(runtime);
        results.set(`${runtime} ${c.name}`, undefined);
      } catch (err) {
        results.set(`${runtime} ${c.name}`, err);
      }
    });
    return results;
  })();
  return outcomes;
}

describe.skipIf(runtimes.length === 0)('packaged handlers under platform faults', () => {
  it('runs the handlers under the Lambda runtimes\' Node.js versions', async () => {
    const versions = await Promise.all(
      runtimes.map(
        (r) =>
          new Promise<string>((done) => {
            const child = spawn(RUNTIMES[r], ['--version']);
            let out = '';
            child.stdout.on('data', (c: Buffer) => (out += c.toString()));
            child.on('close', () => done(out.trim()));
          }),
      ),
    );
    expect(versions.map((v) => v.split('.')[0])).toEqual(runtimes.map((r) => `v${r.slice(6, 8)}`));
  });

  for (const runtime of runtimes) {
    describe(runtime, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const outcome = (await runAll()).get(`${runtime} ${c.name}`);
          if (outcome !== undefined) throw outcome;
        }, 300_000);
      }
    });
  }
});
