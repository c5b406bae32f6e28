// The deployable bundles: built by `sls package` exactly as for a deploy, unzipped to a directory with no
// node_modules above it, and each handler loaded in a fresh Node process (as Lambda does) and invoked with
// a sample event. A dependency left out of a bundle, a targets or rule file missing from a package, or a
// bundle that does not load fails here, before a deploy. VictoriaMetrics, Slack and the AWS APIs are
// stand-ins on 127.0.0.1; the probed targets (HTTP, DNS, gRPC, PostgreSQL) are real servers there.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedStage } from '../support/packaged-stages.js';
import { parseTargetsFile, withRegexEngine } from '../../shared/config/index.js';
import { makeTargetsSnapshot } from '../../shared/config/make-targets-snapshot.js';
import { snapshotFor } from '../../shared/config/targets-snapshot.js';
import type { Notification } from '../../shared/notify/types.js';
import { startScriptedDns, type ScriptedDnsHandle } from '../support/dns-servers.js';
import { startGrpcHealthServer, type GrpcServerHandle } from '../support/grpc-servers.js';
import { startPostgres, type PostgresRig } from '../support/postgres.js';
const FUNCTIONS = { probe: 'functions/probe.cjs', anomalyCheck: 'functions/anomaly-check.cjs', notifySlack: 'functions/notify-slack.cjs' } as const;
type FunctionName = keyof typeof FUNCTIONS;

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `answer`. */
async function recordingServer(answer: (req: Recorded) => { status: number; body?: string; type?: string }) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      const { status, body, type } = answer(recorded);
      res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(body ?? '');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** The entries of a zip archive (stored or deflated, as serverless-esbuild writes them). */
function unzip(zip: Buffer): Map<string, Buffer> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad zip central directory');
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

let scratch: string;
const roots = {} as Record<FunctionName, string>;
const contents = {} as Record<FunctionName, string[]>;
let vm: Awaited<ReturnType<typeof recordingServer>>;
let aws: Awaited<ReturnType<typeof recordingServer>>;
let slack: Awaited<ReturnType<typeof recordingServer>>;
let target: Awaited<ReturnType<typeof recordingServer>>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'periscope-bundles-'));
  // What CI and a deploy run; the monitoring stage has all three functions.
  // The packaging the other suites share (test/support/packaged-stages.ts).
  const out = await packagedStage('monitoring');

  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    const root = join(scratch, name);
    const files = unzip(await readFile(join(out, `${name}.zip`)));
    for (const [path, data] of files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), data);
    }
    roots[name] = root;
    contents[name] = [...files.keys()].sort();
  }

  vm = await recordingServer((req) =>
    req.url.startsWith('/api/v1/query')
      ? { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }) }
      : req.url.startsWith('/api/v1/export')
        ? { status: 200, body: '' }
        : { status: 204 },
  );
  // Every AWS API call of the bundles lands here (AWS_ENDPOINT_URL) and is refused: nothing leaves the machine.
  aws = await recordingServer(() => ({ status: 400, body: JSON.stringify({ __type: 'AccessDeniedException', message: 'stand-in' }) }));
  slack = await recordingServer(() => ({ status: 200, body: 'ok', type: 'text/plain' }));
  target = await recordingServer(() => ({ status: 200, body: '{"status":"ok"}' }));
}, 500_000);

afterAll(async () => {
  await Promise.all([vm, aws, slack, target].map((s) => s?.close()));
  await rm(scratch, { recursive: true, force: true });
});

interface Invocation {
  result?: unknown;
  error?: string;
  logs: string;
  /** The package's files the process had loaded when the handler returned (paths in the package). */
  loaded: string[];
  /** Whether Node had loaded its fetch implementation (undici): ~55 ms of CPU on a cold start. */
  fetchLoaded: boolean;
}

/** Loads the bundled handler in a fresh Node process, with Lambda's working directory and environment. */
async function invoke(name: FunctionName, event: unknown, env: Record<string, string>): Promise<Invocation> {
  const runner = `
    import { createRequire } from 'node:module';
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(roots[name], FUNCTIONS[name])).href)});
    const end = Date.now() + 20000;
    const context = { awsRequestId: 'test', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:periscope-monitoring-${name}', getRemainingTimeInMillis: () => end - Date.now() };
    try {
      const result = await handler(JSON.parse(process.env.TEST_EVENT), context);
      console.log('RESULT ' + JSON.stringify(result ?? null));
    } catch (err) {
      console.log('ERROR ' + JSON.stringify(String(err?.message ?? err)));
    }
    // CommonJS files, also those loaded with import(), are in the one module cache.
    console.log('LOADED ' + JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));
    console.log('FETCH ' + JSON.stringify(process.moduleLoadList.some((m) => m.includes('undici'))));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', runner], {
    cwd: roots[name],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: '--enable-source-maps',
      LAMBDA_TASK_ROOT: roots[name],
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
      AWS_SECRET_ACCESS_KEY: 'stand-in',
      AWS_ENDPOINT_URL: aws.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      TEST_EVENT: JSON.stringify(event),
      ...env,
    },
  });
  let logs = '';
  child.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  await new Promise((done) => child.on('close', done));
  const lines = logs.split('\n');
  const line = lines.find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
  if (!line) throw new Error(`${name} did not answer:\n${logs}`);
  const cached = JSON.parse(lines.find((l) => l.startsWith('LOADED '))?.slice(7) ?? '[]') as string[];
  const loaded = cached.filter((path) => path.startsWith(`${roots[name]}/`)).map((path) => path.slice(roots[name].length + 1)).sort();
  const fetchLoaded = lines.find((l) => l.startsWith('FETCH ')) !== 'FETCH false';
  return line.startsWith('RESULT ') ? { result: JSON.parse(line.slice(7)), logs, loaded, fetchLoaded } : { error: JSON.parse(line.slice(6)) as string, logs, loaded, fetchLoaded };
}

describe('packages', () => {
  it('hold one bundle with its source map per function, its lazily loaded libraries beside it, the targets files, and no node_modules', () => {
    const withMaps = (files: string[]) => files.flatMap((f) => [f, `${f}.map`]).sort();
    // pg, dns-packet, protobuf's wire codec and re2js are built into files of their own, loaded by the first
    // target (or rule, or template) that needs them (deploy/esbuild-plugins.js); each function has those its code imports.
    expect(contents.probe.filter((f) => f.startsWith('functions/'))).toEqual(
      [...withMaps(['functions/probe.cjs', ...['dns-packet', 'pg', 'protobuf-wire', 're2js', 'yaml'].map((lib) => `functions/probe.lazy/${lib}.cjs`)]), 'functions/probe.targets.json'].sort(),
    );
    expect(contents.anomalyCheck.filter((f) => f.startsWith('functions/'))).toEqual(withMaps(['functions/anomaly-check.cjs', ...['lezer-promql', 're2js', 'yaml'].map((lib) => `functions/anomaly-check.lazy/${lib}.cjs`)]));
    expect(contents.notifySlack).toEqual(withMaps(['functions/notify-slack.cjs']));
    expect(contents.probe).toContain('targets/monitoring.yml');
    expect(contents.anomalyCheck).toEqual(expect.arrayContaining(['targets/monitoring.yml', 'targets/rules/probes.yml']));
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) expect(contents[name].filter((f) => f.includes('node_modules')), name).toEqual([]);
  });

  it('load the lazy files with require(), not import() (which would first scan each file for its export names)', async () => {
    const probe = await readFile(join(roots.probe, FUNCTIONS.probe), 'utf8');
    expect(probe.match(/\bimport\("[^"]*"\)/g)).toBeNull();
    expect(probe.match(/require\("\.\/probe\.lazy\/[a-z0-9-]+\.cjs"\)/g)?.sort()).toEqual(
      ['dns-packet', 'pg', 'protobuf-wire', 're2js', 'yaml'].map((lib) => `require("./probe.lazy/${lib}.cjs")`),
    );
  });

  it("leave discovery's SDK clients out of the probe bundle: required only when a group discovers (Lambda's runtime has them)", async () => {
    const probe = await readFile(join(roots.probe, FUNCTIONS.probe), 'utf8');
    const named = ['client-servicediscovery', 'client-ecs', 'client-elastic-load-balancing-v2'].map((client) => probe.includes(`"@aws-sdk/${client}"`));
    expect(named).toEqual([true, true, true]);
    // The SDK's own command classes would be in the bundle (names kept) if the clients were bundled.
    expect(probe.match(/class \w*(DiscoverInstancesCommand|DescribeTargetHealthCommand|ListServicesCommand)\b/g)).toBeNull();
  });

  it("give the probe its targets file validated at package time, as a snapshot made from exactly the packaged file", async () => {
    const text = await readFile(join(roots.probe, 'targets/monitoring.yml'), 'utf8');
    const snapshot = await readFile(join(roots.probe, 'functions/probe.targets.json'), 'utf8');
    const parsed = await withRegexEngine(() => parseTargetsFile(text, 'targets/monitoring.yml'));
    // The monitoring file has a body regex: the snapshot says so, and the probe loads the RE2 engine with it.
    expect(snapshotFor(snapshot, text)).toEqual({ format: 1, sha256: expect.any(String), regexes: true, targets: JSON.parse(JSON.stringify(parsed)) });
    expect(snapshotFor(snapshot, `${text}\n# edited after packaging\n`)).toBeUndefined();
  });

  it('are loaded where no node_modules can stand in for a missing dependency', () => {
    for (let dir = dirname(roots.probe); dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
  });
});

describe('probe bundle', () => {
  const env = () => ({
    STAGE: 'monitoring',
    TARGETS_FILE: 'targets/monitoring.yml',
    TARGETS_SNAPSHOT: 'functions/probe.targets.json',
    VM_WRITE_URL: vm.url,
    VM_WRITE_USERNAME: 'periscope',
    VM_WRITE_PASSWORD_FROM: 'env:VM_PASSWORD',
    VM_PASSWORD: 'bundle-test-password',
    SPOOL_QUEUE_URL: `${aws.url}/123456789012/periscope-monitoring-spool`,
  });

  /**
   * The probers' libraries (functions/probe.lazy/*.cjs) a process loaded. Not the YAML parser (a manual probe's
   * target is validated with the schema, which loads it) nor re2js (targets/monitoring.yml has a regex).
   */
  const lazyLoaded = (loaded: string[]) =>
    loaded.filter((f) => f.startsWith('functions/probe.lazy/') && !/\/(yaml|re2js)\.cjs$/.test(f)).map((f) => f.slice('functions/probe.lazy/'.length));

  it('runs a scheduled group of HTTP targets from the targets snapshot, loading nothing but the bundle', async () => {
    const healthz = `      - { name: healthz, http: { url: "${target.url}/healthz", valid_status_codes: [200] } }\n`;
    const mismatch = `      - { name: mismatch, http: { url: "${target.url}/healthz", fail_if_body_not_matches_regexp: ["^nothing"] } }\n`;
    const files = { ...env(), TARGETS_FILE: 'targets/loopback.yml', TARGETS_SNAPSHOT: 'functions/loopback.targets.json' };
    const run = async (text: string, snapshotOf = text) => {
      await writeFile(join(roots.probe, 'targets/loopback.yml'), text);
      await writeFile(join(roots.probe, 'functions/loopback.targets.json'), await makeTargetsSnapshot(snapshotOf, 'targets/loopback.yml'));
      const before = target.requests.length;
      const invocation = await invoke('probe', { group: 'web', dry_run: true }, files);
      return { ...invocation, requests: target.requests.length - before };
    };
    const group = (targets: string) => `groups:\n  - name: web\n    targets:\n${targets}`;

    const httpOnly = await run(group(healthz));
    expect(httpOnly.result, httpOnly.logs).toMatchObject({ group: 'web', targets: 1, succeeded: 1, failed: 0 });
    expect(httpOnly.requests).toBe(1);
    expect(httpOnly.loaded).toEqual(['functions/probe.cjs']);

    // A regex in the file: the snapshot says so and the RE2 engine is loaded with it, so the check runs.
    const withRegex = await run(group(healthz + mismatch));
    expect(withRegex.result, withRegex.logs).toMatchObject({ group: 'web', targets: 2, succeeded: 1, failed: 1 });
    expect(withRegex.logs).toMatch(/"message":"probe failed".*"target":"mismatch".*"reason":"body_regex"/);
    expect(withRegex.loaded).toEqual(['functions/probe.cjs', 'functions/probe.lazy/re2js.cjs']);

    // The file no longer matches its snapshot: parsed and validated in the Lambda (the YAML parser loaded), same result.
    const stale = await run(group(healthz + mismatch), group(healthz));
    expect(stale.result, stale.logs).toMatchObject({ group: 'web', targets: 2, succeeded: 1, failed: 1 });
    expect(stale.logs).toMatch(/"message":"probe failed".*"target":"mismatch".*"reason":"body_regex"/);
    expect(stale.loaded).toEqual(['functions/probe.cjs', 'functions/probe.lazy/re2js.cjs', 'functions/probe.lazy/yaml.cjs']);
  });

  it('probes a target and writes its samples to VictoriaMetrics, loading none of the other probers\' libraries', async () => {
    const before = target.requests.length;
    const { result, logs, loaded, fetchLoaded } = await invoke('probe', { target: `${target.url}/healthz` }, env());
    expect(loaded).toContain('functions/probe.cjs');
    // The write (and the SQS calls) go through node:http: Node's fetch is never loaded.
    expect(fetchLoaded).toBe(false);
    expect(lazyLoaded(loaded)).toEqual([]);
    expect(result, logs).toMatchObject({ success: true, module: 'http', instance: `${target.url}/healthz`, written: { samples: expect.any(Number) } });
    expect(target.requests.length).toBeGreaterThan(before);
    const write = vm.requests.find((r) => r.url.startsWith('/api/v1/import/prometheus'));
    expect(write, logs).toBeDefined();
    expect(write?.headers.authorization).toBe(`Basic ${Buffer.from('periscope:bundle-test-password').toString('base64')}`);
    const text = gunzipSync(write?.body ?? Buffer.alloc(0)).toString();
    expect(text).toMatch(/^probe_success\{[^}]*stage="monitoring"[^}]*\} 1 \d+$/m);
    expect(logs).not.toContain('bundle-test-password');
  });

  it("a discovery group loads its SDK client only then, from the runtime's (NODE_PATH), and fails loudly when AWS refuses", async () => {
    await writeFile(
      join(roots.probe, 'targets/discovery.yml'),
      'groups:\n  - name: cloud-map\n    discovery:\n      cloud_map: { namespace: orders.local, service: api }\n      target: { name: "{{instance_id}}", http: { url: "http://{{address}}:{{port}}/" } }\n',
    );
    const calls = aws.requests.length;
    // Lambda's Node.js runtime puts its AWS SDK on NODE_PATH (/var/runtime/node_modules); here the checkout's stands in.
    const { error, logs } = await invoke('probe', { group: 'cloud-map', dry_run: true }, { ...env(), TARGETS_FILE: 'targets/discovery.yml', NODE_PATH: join(process.cwd(), 'node_modules') });
    expect(error, logs).toBe('group cloud-map: discovery failed and no earlier list is known: stand-in');
    expect(aws.requests.slice(calls).map((r) => r.headers['x-amz-target'])).toContain('Route53AutoNaming_v20170314.DiscoverInstances');
    expect(logs).toContain('discovery failed and no targets are known: nothing to probe');
  });

  it('carries no AWS SDK: SQS and SSM are signed JSON calls, self-metrics EMF lines', async () => {
    const map = JSON.parse(await readFile(join(roots.probe, 'functions/probe.cjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.filter((s) => /node_modules\/(@aws-sdk|@smithy)\//.test(s))).toEqual([]);
    expect(map.sources.some((s) => s.includes('node_modules/aws4/'))).toBe(true);
  });

  it('loads the RE2 engine shipped beside it for a target with regexes', async () => {
    const event = { target: { name: 'regex', http: { url: `${target.url}/healthz`, fail_if_body_not_matches_regexp: ['(?i)"STATUS":"OK"'] } }, dry_run: true };
    const { result, logs, loaded } = await invoke('probe', event, env());
    expect(result, logs).toMatchObject({ success: true, module: 'http' });
    expect(loaded).toContain('functions/probe.lazy/re2js.cjs');
    const failing = { ...event, target: { ...event.target, http: { ...event.target.http, fail_if_body_not_matches_regexp: ['\\p{Greek}'] } } };
    expect((await invoke('probe', failing, env())).result).toMatchObject({ success: false, reason: 'body_regex' });
  });

  describe('other probers, each loading its library from beside the bundle on first use', () => {
    let dns: ScriptedDnsHandle;
    let grpcServer: GrpcServerHandle;
    let postgres: PostgresRig;

    beforeAll(async () => {
      [dns, grpcServer, postgres] = await Promise.all([
        startScriptedDns((question) => (question.name === 'api.periscope.test' ? { answers: [{ name: question.name, type: 'A', ttl: 30, data: '10.20.30.40' }] } : { rcode: 'NXDOMAIN' })),
        startGrpcHealthServer({ statuses: { '': 'SERVING', billing: 'NOT_SERVING' } }),
        startPostgres(),
      ]);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([dns?.close(), grpcServer?.close(), postgres?.stop()]);
    });

    it('DNS: dns-packet', async () => {
      const { result, logs, loaded } = await invoke('probe', { target: `dns://${dns.address}/api.periscope.test?type=A`, dry_run: true }, env());
      expect(result, logs).toMatchObject({ module: 'dns', success: true, dns: { answer_rrs: 1 } });
      expect(dns.queries).toContain('udp A api.periscope.test');
      expect(lazyLoaded(loaded)).toEqual(['dns-packet.cjs']);
      const missing = await invoke('probe', { target: `dns://${dns.address}/missing.periscope.test?type=A`, dry_run: true }, env());
      expect(missing.result, missing.logs).toMatchObject({ module: 'dns', success: false });
    });

    it("gRPC: protobuf's wire codec", async () => {
      const { result, logs, loaded } = await invoke('probe', { target: `grpc://${grpcServer.address}`, dry_run: true }, env());
      expect(result, logs).toMatchObject({ module: 'grpc', success: true });
      expect(lazyLoaded(loaded)).toEqual(['protobuf-wire.cjs']);
      const notServing = await invoke('probe', { target: `grpc://${grpcServer.address}/billing`, dry_run: true }, env());
      expect(notServing.result, notServing.logs).toMatchObject({ module: 'grpc', success: false });
      expect(grpcServer.calls.map((c) => c.service)).toEqual(['', 'billing']);
    });

    it('PostgreSQL: pg', async () => {
      const target = { name: 'db', postgres: { host: '127.0.0.1', port: postgres.port, user: postgres.user, database: postgres.database, password_from: 'env:PG_PASSWORD', query: 'SELECT 40 + 2' } };
      const { result, logs, loaded } = await invoke('probe', { target, dry_run: true }, { ...env(), PG_PASSWORD: postgres.password });
      expect(result, logs).toMatchObject({ module: 'postgres', success: true, postgres: { value: '42' } });
      expect(lazyLoaded(loaded)).toEqual(['pg.cjs']);
      expect(logs).not.toContain(postgres.password);
      const refused = await invoke('probe', { target, dry_run: true }, { ...env(), PG_PASSWORD: 'wrong-password' });
      expect(refused.result, refused.logs).toMatchObject({ module: 'postgres', success: false });
    });
  });

  it('answers a bad event with the problems and writes nothing', async () => {
    const writes = vm.requests.length;
    const { result } = await invoke('probe', { target: 'not a url', dry_run: 'yes' }, env());
    expect(result).toMatchObject({ error: 'bad_event', problems: expect.arrayContaining([expect.objectContaining({ path: 'dry_run' })]) });
    expect(vm.requests.length).toBe(writes);
  });
});

describe('anomaly-check bundle', () => {
  it('loads the rules from the packaged targets file and evaluates them against VictoriaMetrics', async () => {
    const { result, logs } = await invoke('anomalyCheck', {}, {
      STAGE: 'monitoring',
      TARGETS_FILE: 'targets/monitoring.yml',
      SCHEDULE_RATE_MS: '60000',
      VM_QUERY_URL: vm.url,
      VM_WRITE_URL: vm.url,
      ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:periscope-monitoring-alerts',
      CLAIMS_TABLE: 'periscope-monitoring-alert-claims',
    });
    expect(result, logs).toMatchObject({ failed: [], groups: [expect.objectContaining({ group: 'periscope-probes', firing: 0 })] });
    const queries = vm.requests.filter((r) => r.url.startsWith('/api/v1/query')).map((r) => new URL(r.url, vm.url).searchParams.get('query') ?? '');
    expect(queries.some((q) => q.includes('probe_ssl_earliest_cert_expiry'))).toBe(true);
    // Its self-metrics are a log line (EMF fields), not a CloudWatch API call.
    expect(logs).toMatch(/^\{"level":"info","message":"self-metrics".*"RuleGroupsEvaluated":1/m);
    expect(aws.requests.some((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body.toString('latin1')}`.includes('PutMetricData'))).toBe(false);
  });

  it('fails the invocation when its configuration is missing', async () => {
    const { error } = await invoke('anomalyCheck', {}, { STAGE: 'monitoring', TARGETS_FILE: 'targets/monitoring.yml' });
    expect(error).toMatch(/ALERTS_TOPIC_ARN|VM_QUERY_URL/);
  });
});

describe('notify-slack bundle', () => {
  const notification: Notification = {
    status: 'firing',
    alertname: 'EndpointDown',
    group: 'periscope-probes',
    severity: 'critical',
    stage: 'prod',
    region: 'eu-central-1',
    reminder: false,
    expr: 'probe_success == 0',
    evaluated_at: '2026-11-22T04:00:00.000Z',
    alerts: [
      {
        labels: { alertname: 'EndpointDown', severity: 'critical', target: 'orders-health' },
        annotations: { summary: 'orders-health is down' },
        value: 1,
        started_at: '2026-11-22T03:55:00.000Z',
        duration_seconds: 300,
        fingerprint: 'abc123',
      },
    ],
  };
  const snsEvent = (message: string) => ({
    Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', Subject: '[FIRING] EndpointDown', Message: message, TopicArn: 'arn:aws:sns:eu-central-1:123456789012:periscope-monitoring-alerts' } }],
  });

  it('posts a notification from the alerts topic to the Slack webhook', async () => {
    const { result, error, logs } = await invoke('notifySlack', snsEvent(JSON.stringify(notification)), {
      STAGE: 'monitoring',
      SLACK_WEBHOOK_FROM: 'env:SLACK_WEBHOOK_URL',
      SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/secret`,
    });
    expect(error, logs).toBeUndefined();
    expect(result === null || typeof result === 'object').toBe(true);
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]?.body.toString()).toContain('orders-health');
  });

  it('fails the invocation (for the retry and the dead-letter queue) when the webhook secret is missing', async () => {
    const posts = slack.requests.length;
    const { error } = await invoke('notifySlack', snsEvent('plain text'), { STAGE: 'monitoring', SLACK_WEBHOOK_FROM: 'env:NOT_SET' });
    expect(error).toContain('Slack webhook secret not available');
    expect(slack.requests.length).toBe(posts);
  });
});
