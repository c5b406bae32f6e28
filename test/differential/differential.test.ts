// The same scenarios through prometheus-blackbox-exporter and through Periscope, with the same module
// blocks (pasted unchanged from blackbox.yml into the targets): the metrics dashboards and alert rules
// rely on must agree.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTarget } from '../../shared/config/index.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { startBlackbox, type BlackboxHandle, type Exposition } from '../support/blackbox.js';
import { TestCa, selfSigned } from '../support/certs.js';
import { startHttpServer, startHttpsServer, type TestServer } from '../support/http-servers.js';
import { freePort } from '../support/ports.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

type Module = { prober: 'http' | 'tcp'; timeout: string; http?: Record<string, unknown>; tcp?: Record<string, unknown> };

const COMPARED = [
  'probe_success',
  'probe_http_status_code',
  'probe_http_redirects',
  'probe_http_ssl',
  'probe_failed_due_to_regex',
  'probe_ssl_earliest_cert_expiry',
] as const;

let dir: string;
let http: TestServer;
let https: TestServer;
let httpsSelfSigned: TestServer;
let httpsExpired: TestServer;
let tlsTcp: net.Server;
let tlsTcpPort: number;
let closedPort: number;
let blackbox: BlackboxHandle;
let caFile: string;
const modules: Record<string, Module> = {};

function handler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const hops = Number(url.searchParams.get('hops') ?? 0);
  if (url.pathname === '/redirect') {
    res.writeHead(302, { location: hops > 1 ? `/redirect?hops=${hops - 1}` : '/ok' }).end();
  } else if (url.pathname === '/loop') {
    res.writeHead(302, { location: '/loop' }).end();
  } else if (url.pathname === '/missing') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  } else {
    res.writeHead(200, { 'content-type': 'application/json', 'x-build': 'v1.2.3' }).end('{"status":"OK","orders":42}');
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-diff-'));
  const ca = await TestCa.create();
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const leaf = await ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const expired = await ca.issue({ notBefore: new Date(Date.now() - 20 * 86_400_000), notAfter: new Date(Date.now() - 2 * 86_400_000) });
  const own = await selfSigned();
  http = await startHttpServer(handler);
  https = await startHttpsServer(handler, leaf);
  httpsSelfSigned = await startHttpsServer(handler, own);
  httpsExpired = await startHttpsServer(handler, expired);
  tlsTcp = (await import('node:tls')).createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => s.end('hello\n'));
  await new Promise<void>((r) => tlsTcp.listen(0, '127.0.0.1', r));
  tlsTcpPort = (tlsTcp.address() as net.AddressInfo).port;
  closedPort = await freePort();

  const h = (extra: Record<string, unknown> = {}): Module => ({ prober: 'http', timeout: '3s', http: { preferred_ip_protocol: 'ip4', ...extra } });
  Object.assign(modules, {
    http_2xx: h(),
    http_404_ok: h({ valid_status_codes: [404] }),
    http_no_redirects: h({ follow_redirects: false }),
    http_body_match: h({ fail_if_body_not_matches_regexp: ['(?i)"status":\\s*"ok"'] }),
    http_body_forbidden: h({ fail_if_body_matches_regexp: ['orders'] }),
    http_header_match: h({ fail_if_header_not_matches: [{ header: 'X-Build', regexp: '^v1\\.' }] }),
    http_header_missing: h({ fail_if_header_not_matches: [{ header: 'X-Missing', regexp: '.*' }] }),
    http_header_allow_missing: h({ fail_if_header_matches: [{ header: 'X-Missing', regexp: '.*', allow_missing: true }] }),
    http_need_ssl: h({ fail_if_not_ssl: true }),
    http_forbid_ssl: h({ fail_if_ssl: true, tls_config: { ca_file: caFile } }),
    http_ca: h({ tls_config: { ca_file: caFile } }),
    http_insecure: h({ tls_config: { insecure_skip_verify: true } }),
    http_ca_wrong_name: h({ tls_config: { ca_file: caFile, server_name: 'other.example' } }),
    tcp_connect: { prober: 'tcp', timeout: '3s', tcp: { preferred_ip_protocol: 'ip4' } },
    tcp_tls: { prober: 'tcp', timeout: '3s', tcp: { preferred_ip_protocol: 'ip4', tls: true, tls_config: { ca_file: caFile } } },
    tcp_tls_untrusted: { prober: 'tcp', timeout: '3s', tcp: { preferred_ip_protocol: 'ip4', tls: true } },
  });
  blackbox = await startBlackbox(stringify({ modules }));
});

afterAll(async () => {
  await blackbox?.stop();
  await Promise.all([http, https, httpsSelfSigned, httpsExpired].map((s) => s?.close()));
  await new Promise((r) => tlsTcp?.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function periscope(moduleName: string, target: string): Promise<ProbeResult> {
  const module = modules[moduleName] as Module;
  const block = module.prober === 'http' ? { http: { url: target, ...module.http } } : { tcp: { address: target, ...module.tcp } };
  const spec = parseTarget({ name: moduleName, timeout: module.timeout, ...block }, `module ${moduleName}`);
  return runProbe(spec, { timeoutMs: 3000, secrets: createSecretResolver() });
}

function single(exposition: Map<string, Array<{ value: number }>> | Exposition, name: string): number | undefined {
  return exposition.get(name)?.[0]?.value;
}

function ours(result: ProbeResult, name: string): number | undefined {
  return result.samples.find((s) => s.name === name)?.value;
}

const scenarios: Array<[string, string, () => string]> = [
  ['200 with default 2xx', 'http_2xx', () => `${http.url}/ok`],
  ['404 with default 2xx', 'http_2xx', () => `${http.url}/missing`],
  ['404 accepted by valid_status_codes', 'http_404_ok', () => `${http.url}/missing`],
  ['three redirects followed', 'http_2xx', () => `${http.url}/redirect?hops=3`],
  ['a redirect not followed', 'http_no_redirects', () => `${http.url}/redirect?hops=1`],
  ['an endless redirect chain', 'http_2xx', () => `${http.url}/loop`],
  ['body matches the required regex', 'http_body_match', () => `${http.url}/ok`],
  ['body fails the required regex', 'http_body_match', () => `${http.url}/missing`],
  ['body matches a forbidden regex', 'http_body_forbidden', () => `${http.url}/ok`],
  ['header matches', 'http_header_match', () => `${http.url}/ok`],
  ['required header missing', 'http_header_missing', () => `${http.url}/ok`],
  ['forbidden header missing, allow_missing', 'http_header_allow_missing', () => `${http.url}/ok`],
  ['fail_if_not_ssl on plain HTTP', 'http_need_ssl', () => `${http.url}/ok`],
  ['fail_if_ssl on HTTPS', 'http_forbid_ssl', () => `${https.url.replace('127.0.0.1', 'localhost')}/ok`],
  ['HTTPS with the CA', 'http_ca', () => `${https.url.replace('127.0.0.1', 'localhost')}/ok`],
  ['HTTPS redirected with the CA', 'http_ca', () => `${https.url}/redirect?hops=2`],
  ['HTTPS self-signed, insecure_skip_verify', 'http_insecure', () => `${httpsSelfSigned.url}/ok`],
  ['HTTPS self-signed, verified', 'http_2xx', () => `${httpsSelfSigned.url}/ok`],
  ['HTTPS expired certificate', 'http_ca', () => `${httpsExpired.url}/ok`],
  ['HTTPS host name mismatch', 'http_ca_wrong_name', () => `${https.url}/ok`],
  ['refused port over HTTP', 'http_2xx', () => `http://127.0.0.1:${closedPort}/`],
  ['TCP connect', 'tcp_connect', () => `127.0.0.1:${http.port}`],
  ['TCP refused', 'tcp_connect', () => `127.0.0.1:${closedPort}`],
  ['TCP with TLS and the CA', 'tcp_tls', () => `localhost:${tlsTcpPort}`],
  ['TCP with TLS, untrusted', 'tcp_tls_untrusted', () => `localhost:${tlsTcpPort}`],
];

describe('Periscope and blackbox_exporter agree', () => {
  it.each(scenarios)('%s (%s)', async (_title, moduleName, target) => {
    const [theirs, mine] = await Promise.all([blackbox.probe(moduleName, target()), periscope(moduleName, target())]);
    for (const name of COMPARED) {
      const expected = single(theirs, name);
      const actual = ours(mine, name);
      if (name === 'probe_ssl_earliest_cert_expiry' && expected === undefined && actual !== undefined) {
        // blackbox drops the certificate metrics when verification fails; reporting them is our addition.
        expect(mine.reason).toBe('tls_verify');
        continue;
      }
      expect({ name, value: actual }).toEqual({ name, value: expected });
    }
    expect(mine.success).toBe(single(theirs, 'probe_success') === 1);
    if (!mine.success) expect(mine.reason).not.toBeNull();
  });

  it('reports certificate expiry when verification fails, where blackbox reports none', async () => {
    const theirs = await blackbox.probe('http_ca', `${httpsExpired.url}/ok`);
    const mine = await periscope('http_ca', `${httpsExpired.url}/ok`);
    expect(single(theirs, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
    expect(mine.reason).toBe('tls_verify');
    expect(ours(mine, 'probe_ssl_earliest_cert_expiry')).toBeLessThan(Date.now() / 1000);
  });
});
