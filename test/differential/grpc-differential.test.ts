// gRPC health checks: the same modules through prometheus-blackbox-exporter and through Periscope, against the
// same health servers (written with @grpc/grpc-js) on loopback, plaintext and TLS. The module blocks are
// blackbox's, pasted unchanged (plus `address`, which blackbox takes as the target).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTarget } from '../../shared/config/index.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';
import { startBlackbox, type BlackboxHandle, type Exposition } from '../support/blackbox.js';
import { selfSigned, TestCa } from '../support/certs.js';
import { startGrpcHealthServer, type GrpcServerHandle } from '../support/grpc-servers.js';
import { freePort } from '../support/ports.js';

const SERVING_STATUSES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

let dir: string;
let plain: GrpcServerHandle;
let secure: GrpcServerHandle;
let selfSignedServer: GrpcServerHandle;
let noHealth: GrpcServerHandle;
let authed: GrpcServerHandle;
let silent: Server;
let silentPort: number;
const silentSockets = new Set<import('node:net').Socket>();
let closedPort: number;
let blackbox: BlackboxHandle;
let caFile: string;
const modules: Record<string, { prober: 'grpc'; timeout: string; grpc: Record<string, unknown> }> = {};

// parseTarget compiles the modules' RE2 patterns synchronously: the engine must be loaded first.
beforeAll(() => loadRegexEngine());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-grpc-diff-'));
  const ca = await TestCa.create();
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const leaf = await ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const statuses = { '': 'SERVING', orders: 'SERVING', billing: 'NOT_SERVING', legacy: 'UNKNOWN', watched: 'SERVICE_UNKNOWN' } as const;
  const errors = {
    locked: { code: grpc.status.PERMISSION_DENIED, details: 'not for you' },
    broken: { code: grpc.status.INTERNAL, details: 'database: connection pool exhausted' },
    busy: { code: grpc.status.RESOURCE_EXHAUSTED, details: 'try later' },
  };
  plain = await startGrpcHealthServer({ statuses, errors });
  secure = await startGrpcHealthServer({ statuses, errors, tls: leaf });
  selfSignedServer = await startGrpcHealthServer({ statuses, tls: await selfSigned({ dnsNames: ['localhost'] }) });
  noHealth = await startGrpcHealthServer({ withoutHealth: true });
  authed = await startGrpcHealthServer({ statuses, requireMetadata: { authorization: 'Bearer grpc-probe-secret-7', 'x-team': 'orders' } });
  // Accepts connections and says nothing: the probe's deadline must end it.
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
  closedPort = await freePort();

  const g = (keys: Record<string, unknown> = {}) => ({ prober: 'grpc' as const, timeout: '3s', grpc: { preferred_ip_protocol: 'ip4', ...keys } });
  Object.assign(modules, {
    grpc_plain: g(),
    grpc_orders: g({ service: 'orders' }),
    grpc_billing: g({ service: 'billing' }),
    grpc_legacy: g({ service: 'legacy' }),
    grpc_watched: g({ service: 'watched' }),
    grpc_unknown_service: g({ service: 'nope' }),
    grpc_locked: g({ service: 'locked' }),
    grpc_broken: g({ service: 'broken' }),
    grpc_busy: g({ service: 'busy' }),
    grpc_tls: g({ tls: true, tls_config: { ca_file: caFile } }),
    grpc_tls_billing: g({ service: 'billing', tls: true, tls_config: { ca_file: caFile } }),
    grpc_tls_untrusted: g({ tls: true }),
    grpc_tls_insecure: g({ tls: true, tls_config: { insecure_skip_verify: true } }),
    grpc_tls_wrong_name: g({ tls: true, tls_config: { ca_file: caFile, server_name: 'other.example' } }),
  });
  blackbox = await startBlackbox(stringify({ modules }));
}, 60_000);

afterAll(async () => {
  await blackbox?.stop();
  await Promise.all([plain, secure, selfSignedServer, noHealth, authed].map((s) => s?.close()));
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function periscope(moduleName: string, address: string, extra: Record<string, unknown> = {}, debug = false): Promise<ProbeResult> {
  const module = modules[moduleName];
  if (!module) throw new Error(`no module ${moduleName}`);
  const spec = parseTarget({ name: moduleName, timeout: module.timeout, grpc: { address, ...module.grpc, ...extra } }, `module ${moduleName}`);
  return runProbe(spec, { timeoutMs: 3000, debug, secrets: createSecretResolver({ env: { GRPC_TOKEN: 'Bearer grpc-probe-secret-7' } }) });
}

const single = (exposition: Exposition, name: string, labels: Record<string, string> = {}) =>
  exposition.get(name)?.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
const ours = (result: ProbeResult, name: string, labels: Record<string, string> = {}) =>
  result.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

type Scenario = [title: string, module: string, address: () => string];
const scenarios: Scenario[] = [
  ['whole server SERVING', 'grpc_plain', () => plain.address],
  ['service SERVING', 'grpc_orders', () => plain.address],
  ['service NOT_SERVING', 'grpc_billing', () => plain.address],
  ['service UNKNOWN', 'grpc_legacy', () => plain.address],
  ['service SERVICE_UNKNOWN', 'grpc_watched', () => plain.address],
  ['unknown service: NOT_FOUND', 'grpc_unknown_service', () => plain.address],
  ['PERMISSION_DENIED', 'grpc_locked', () => plain.address],
  ['INTERNAL with a message', 'grpc_broken', () => plain.address],
  ['RESOURCE_EXHAUSTED', 'grpc_busy', () => plain.address],
  ['no health service: UNIMPLEMENTED', 'grpc_plain', () => noHealth.address],
  ['connection refused: UNAVAILABLE', 'grpc_plain', () => `127.0.0.1:${closedPort}`],
  ['TLS with the CA', 'grpc_tls', () => `localhost:${secure.port}`],
  ['TLS, NOT_SERVING', 'grpc_tls_billing', () => `localhost:${secure.port}`],
  ['TLS, untrusted certificate', 'grpc_tls_untrusted', () => `localhost:${secure.port}`],
  ['TLS, self-signed, insecure_skip_verify', 'grpc_tls_insecure', () => `localhost:${selfSignedServer.port}`],
  ['TLS, self-signed, verified', 'grpc_tls_untrusted', () => `localhost:${selfSignedServer.port}`],
  ['TLS, server name mismatch', 'grpc_tls_wrong_name', () => `localhost:${secure.port}`],
  ['plaintext client, TLS server', 'grpc_plain', () => secure.address],
  ['TLS client, plaintext server', 'grpc_tls_insecure', () => plain.address],
];

describe('gRPC: Periscope and blackbox_exporter agree', () => {
  it.each(scenarios)('%s (%s)', async (_title, moduleName, address) => {
    const [theirs, mine] = await Promise.all([blackbox.probe(moduleName, address(), { scrapeTimeoutSeconds: 5 }), periscope(moduleName, address())]);
    expect({ success: ours(mine, 'probe_success'), status: ours(mine, 'probe_grpc_status_code'), ssl: ours(mine, 'probe_grpc_ssl') }).toEqual({
      success: single(theirs, 'probe_success'),
      status: single(theirs, 'probe_grpc_status_code'),
      ssl: single(theirs, 'probe_grpc_ssl'),
    });
    for (const status of SERVING_STATUSES) {
      const labels = { serving_status: status };
      expect({ status, value: ours(mine, 'probe_grpc_healthcheck_response', labels) }).toEqual({ status, value: single(theirs, 'probe_grpc_healthcheck_response', labels) });
    }
    if (single(theirs, 'probe_grpc_ssl') === 1) {
      expect(ours(mine, 'probe_ssl_earliest_cert_expiry')).toBe(single(theirs, 'probe_ssl_earliest_cert_expiry'));
      expect(mine.samples.find((s) => s.name === 'probe_tls_version_info')?.labels.version).toBe(theirs.get('probe_tls_version_info')?.[0]?.labels.version);
    }
    expect(mine.success).toBe(single(theirs, 'probe_success') === 1);
    if (!mine.success) expect(mine.reason).not.toBeNull();
  });

  it('covers at least 15 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
  });
});

describe('gRPC prober details', () => {
  it('reports NOT_SERVING as its own reason, naming the service', async () => {
    const result = await periscope('grpc_billing', plain.address);
    expect(result).toMatchObject({ success: false, reason: 'not_serving', grpc: { status_code: 0, serving_status: 'NOT_SERVING' } });
    expect(result.message).toContain('"billing"');
  });

  it('carries the status message of a failed call', async () => {
    const result = await periscope('grpc_broken', plain.address);
    expect(result).toMatchObject({ reason: 'grpc_status', grpc: { status_code: 13, status_message: 'database: connection pool exhausted' } });
  });

  it('sends metadata, secret values by reference, and never shows the secret in --debug', async () => {
    const withoutAuth = await periscope('grpc_plain', authed.address);
    expect(withoutAuth).toMatchObject({ success: false, grpc: { status_code: 16 } });
    const result = await periscope('grpc_plain', authed.address, { metadata: { 'x-team': ['orders'] }, metadata_from: { authorization: 'env:GRPC_TOKEN' } }, true);
    expect(result.success).toBe(true);
    expect(authed.calls.at(-1)?.metadata).toMatchObject({ authorization: 'Bearer grpc-probe-secret-7', 'x-team': 'orders' });
    const shown = JSON.stringify(result);
    expect(shown).not.toContain('grpc-probe-secret-7');
    expect(result.debug?.log.join('\n')).toContain('> authorization: <redacted>');
    expect(result.debug?.log.join('\n')).toContain('> x-team: orders');
  });

  it('ends a call the server never answers at the probe timeout, as DEADLINE_EXCEEDED', async () => {
    const spec = parseTarget({ name: 'silent', timeout: '500ms', grpc: { address: `127.0.0.1:${silentPort}` } }, 'test');
    const result = await runProbe(spec, { timeoutMs: 500, secrets: createSecretResolver() });
    expect(result).toMatchObject({ success: false, reason: 'timeout', grpc: { status_code: 4 } });
    expect(result.duration_seconds).toBeLessThan(2);
  });

  it('writes no certificate samples for a plaintext connection', async () => {
    const result = await periscope('grpc_plain', plain.address);
    expect(result.samples.some((s) => s.name.startsWith('probe_ssl_'))).toBe(false);
  });
});
