// The DNS, gRPC and multi-step probers where users reach them: `periscope probe dns://…|grpc://…`, a named
// target of a targets file, `periscope validate`, and the probe Lambda's manual invocation.
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startScriptedDns, type ScriptedDnsHandle } from '../support/dns-servers.js';
import { startGrpcHealthServer, type GrpcServerHandle } from '../support/grpc-servers.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';

const sqs = mockClient(SQSClient);
const cloudwatch = mockClient(CloudWatchClient);
let dns: ScriptedDnsHandle;
let grpcServer: GrpcServerHandle;
let web: TestServer;
let dir: string;
let targetsFile: string;

function periscope(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/periscope.js', ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dns = await startScriptedDns((question) =>
    question.name === 'api.periscope.test'
      ? { answers: [{ name: question.name, type: 'A', ttl: 30, data: '10.20.30.40' }] }
      : question.name === 'zone.periscope.test' && question.type === 'SOA'
        ? { answers: [{ name: question.name, type: 'SOA', ttl: 30, data: { mname: 'ns1.periscope.test', rname: 'hostmaster.periscope.test', serial: 42, refresh: 1, retry: 1, expire: 1, minimum: 1 } }] }
        : { rcode: 'NXDOMAIN' },
  );
  grpcServer = await startGrpcHealthServer({ statuses: { '': 'SERVING', billing: 'NOT_SERVING' } });
  web = await startHttpServer((req, res) => {
    if (req.url === '/login') res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"abcdefgh-token"}');
    else res.writeHead(req.headers.authorization === 'Bearer abcdefgh-token' ? 200 : 401).end('ok');
  });
  dir = await mkdtemp(join(tmpdir(), 'periscope-entry-'));
  targetsFile = join(dir, 'targets.yml');
  await writeFile(
    targetsFile,
    `groups:
  - name: infra
    targets:
      - name: zone-serial
        dns: { server: "${dns.address}", query_name: zone.periscope.test, query_type: SOA }
      - name: billing-health
        grpc: { address: "${grpcServer.address}", service: billing }
      - name: api-flow
        steps:
          - { name: login, url: "${web.url}/login", extract: { token: { json: token } } }
          - { name: call, url: "${web.url}/orders", headers: { Authorization: "Bearer \${token}" } }
`,
  );
});

afterAll(async () => {
  await dns?.close();
  await grpcServer?.close();
  await web?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('periscope probe', () => {
  it('probes a DNS server from a dns:// URL, listing the answer records without --debug', async () => {
    const run = await periscope(['probe', `dns://${dns.address}/api.periscope.test?type=A`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(new RegExp(`^OK {2}dns ${dns.address} `));
    expect(run.stdout).toContain('NOERROR · 1 answer, 0 authority, 0 additional · udp');
    expect(run.stdout).toMatch(/^ {2}answer: api\.periscope\.test\. 30 IN A 10\.20\.30\.40$/m);
  });

  it('exits 1 for NXDOMAIN, with the reason', async () => {
    const run = await periscope(['probe', `dns://${dns.address}/missing.periscope.test`, '--query-type', 'AAAA']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('reason=dns_rcode');
    expect(run.stdout).toContain('rcode NXDOMAIN is not one of the valid rcodes (NOERROR)');
  });

  it('probes a gRPC health service from a grpc:// URL', { timeout: 60_000 }, async () => {
    const ok = await periscope(['probe', `grpc://${grpcServer.address}`, '--debug']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('gRPC status OK (0) · SERVING');
    expect(ok.stdout).toContain('> POST /grpc.health.v1.Health/Check service=""');
    const notServing = await periscope(['probe', `grpc://${grpcServer.address}/billing`]);
    expect(notServing.code).toBe(1);
    expect(notServing.stdout).toContain('reason=not_serving');
  });

  // Each runs the CLI as a child process (tsx compiling on start): give them room on a loaded machine.
  it('runs a DNS target of a targets file by name', { timeout: 60_000 }, async () => {
    const zone = await periscope(['probe', '--config', targetsFile, '--target', 'zone-serial', '--json']);
    expect(zone.code).toBe(0);
    const result = JSON.parse(zone.stdout) as { dns: { serial: number }; samples: Array<{ name: string; value: number }> };
    expect(result.dns.serial).toBe(42);
    expect(result.samples.find((s) => s.name === 'probe_dns_serial')?.value).toBe(42);
  });

  it('runs a gRPC target of a targets file by name', { timeout: 60_000 }, async () => {
    const billing = await periscope(['probe', '--config', targetsFile, '--target', 'billing-health']);
    expect(billing.code).toBe(1);
    expect(billing.stdout).toContain('NOT_SERVING');
  });

  it('runs a multi-step target of a targets file by name', { timeout: 60_000 }, async () => {
    const flow = await periscope(['probe', '--config', targetsFile, '--target', 'api-flow']);
    expect(flow.stdout).toContain('login 200 → call 200');
    expect(flow.code).toBe(0);
  });

  it('rejects flags that do not apply to the module', async () => {
    const run = await periscope(['probe', `dns://${dns.address}/api.periscope.test`, '--service', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--service: does not apply to a dns target');
  });
});

describe('periscope validate', () => {
  it('names the file and field of unknown keys and bad types in dns, grpc and steps blocks', async () => {
    const bad = join(dir, 'bad.yml');
    await writeFile(
      bad,
      `groups:
  - name: infra
    targets:
      - name: d
        dns: { server: "127.0.0.1", query_name: x.test, query_type: AAAAA, recursion: true }
      - name: g
        grpc: { address: "127.0.0.1:50051", tls: "sure", metadata: { grpc-timeout: ["1s"] } }
      - name: s
        steps: [{ name: a, url: "http://127.0.0.1:1/\${missing}" }]
      - name: t
        dns: { server: "127.0.0.1", query_name: x.test, valid_rcodes: [NOPE] }
      - name: u
        dns: { server: "127.0.0.1", query_name: x.test, transport_protocol: udp, dns_over_tls: true }
`,
    );
    const run = await periscope(['validate', bad]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    const prefix = `${bad}: groups[0].targets`;
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${prefix}[0].dns.query_type: "AAAAA" is not a DNS query type`),
        expect.stringContaining(`${prefix}[0].dns.recursion: unknown field "recursion"`),
        expect.stringContaining(`${prefix}[1].grpc.tls: `),
        `${prefix}[1].grpc.metadata.grpc-timeout: "grpc-timeout" is reserved by the gRPC protocol`,
        `${prefix}[2].steps[0].url: uses \${missing}, which no earlier step extracts and variables_from does not define`,
        `${prefix}[4].dns.transport_protocol: DNS over TLS needs transport_protocol tcp`,
        expect.stringContaining(`${prefix}[3].dns.valid_rcodes[0]: "NOPE" is not a DNS rcode`),
      ]),
    );
  });
});

describe('probe Lambda, manual invocation', () => {
  beforeEach(() => {
    sqs.reset();
    cloudwatch.reset();
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    cloudwatch.on(PutMetricDataCommand).resolves({});
  });

  async function handler(): Promise<(event: unknown, context: Context) => Promise<Record<string, unknown>>> {
    vi.resetModules();
    const env = { STAGE: 'test', AWS_REGION: 'eu-central-1', TARGETS_FILE: targetsFile, VM_WRITE_URL: 'http://127.0.0.1:9', SPOOL_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/210987654321/periscope-test-spool' };
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    return ((await import('../../functions/probe.js')) as unknown as { handler: (event: unknown, context: Context) => Promise<Record<string, unknown>> }).handler;
  }
  const context = () => ({ invokedFunctionArn: 'arn:aws:lambda:eu-central-1:210987654321:function:periscope-test-probe', getRemainingTimeInMillis: () => 20_000 }) as Context;

  it('probes dns:// and grpc:// URLs and an inline multi-step target', async () => {
    const probe = await handler();
    expect(await probe({ target: `dns://${dns.address}/api.periscope.test?type=A`, dry_run: true }, context())).toMatchObject({ module: 'dns', success: true, dns: { answer_rrs: 1 } });
    expect(await probe({ target: `grpc://${grpcServer.address}`, dry_run: true }, context())).toMatchObject({ module: 'grpc', success: true, grpc: { serving_status: 'SERVING' } });
    expect(await probe({ group: 'infra', target: 'api-flow', dry_run: true, debug: true }, context())).toMatchObject({ module: 'steps', success: true });
    const inline = await probe({ target: { name: 'inline', steps: [{ name: 'only', url: `${web.url}/login` }] }, dry_run: true }, context());
    expect(inline).toMatchObject({ module: 'steps', success: true, steps: [{ name: 'only', status_code: 200 }] });
  });
});
