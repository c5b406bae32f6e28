// The HTTP prober over TLS, with certificates made in the test: a private CA, an expired leaf, a leaf for
// another name, client certificates, and the certificate metrics written even when verification fails.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, httpModuleSchema } from '../../shared/config/index.js';
import { probeHttp } from '../../shared/probing/http/probe.js';
import type { ProbeResult } from '../../shared/probing/types.js';
import { type IssuedCert, TestCa } from '../support/certs.js';
import { startHttp2Server, startHttpServer, startHttpsServer, type TestServer } from '../support/http-servers.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

const DAY_MS = 86_400_000;

let ca: TestCa;
let clientCa: TestCa;
let leaf: IssuedCert;
let expiredLeaf: IssuedCert;
let otherLeaf: IssuedCert;
let clientCert: IssuedCert;
let valid: TestServer;
let expired: TestServer;
let otherName: TestServer;
let mutual: TestServer;
let plain: TestServer;
let h2: TestServer;
let secrets: ReturnType<typeof createSecretResolver>;

function probe(module: Record<string, unknown>, debug = false): Promise<ProbeResult> {
  return probeHttp('test', httpModuleSchema.parse(module), { timeoutMs: 5000, secrets, debug });
}

function sample(result: ProbeResult, name: string, labels?: Record<string, string>): number | undefined {
  return result.samples.find((s) => s.name === name && (!labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v)))?.value;
}

const hello: http.RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello over tls');
};

beforeAll(async () => {
  ca = await TestCa.create();
  clientCa = await TestCa.create('Periscope Client CA');
  leaf = await ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  expiredLeaf = await ca.issue({ notBefore: new Date(Date.now() - 30 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
  otherLeaf = await ca.issue({ commonName: 'other.example', dnsNames: ['other.example'], ipAddresses: [] });
  clientCert = await clientCa.issue({ commonName: 'probe-client' });
  secrets = createSecretResolver({ env: { CLIENT_KEY: clientCert.keyPem } });
  valid = await startHttpsServer(hello, leaf);
  expired = await startHttpsServer(hello, expiredLeaf);
  otherName = await startHttpsServer(hello, otherLeaf);
  mutual = await startHttpsServer(
    (req, res) => {
      const socket = req.socket as import('node:tls').TLSSocket;
      res.writeHead(socket.authorized ? 200 : 403);
      res.end(socket.authorized ? 'welcome' : 'who are you');
    },
    { ...leaf, requestCert: true, clientCaPem: clientCa.certPem },
  );
  h2 = await startHttp2Server((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`spoken: HTTP/${req.httpVersion}`);
  }, leaf);
  plain = await startHttpServer((req, res) => {
    if (req.url === '/to-tls') {
      res.writeHead(301, { location: `${valid.url.replace('127.0.0.1', 'localhost')}/` });
      res.end();
      return;
    }
    res.end('plain');
  });
});

afterAll(async () => {
  await Promise.all([valid, expired, otherName, mutual, plain, h2].map((s) => s?.close()));
});

describe('verification', () => {
  it('fails a private CA by default but still reports the certificate expiry', async () => {
    const result = await probe({ url: `${valid.url}/` });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('tls_verify');
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
    expect(sample(result, 'probe_http_status_code')).toBe(0);
    expect(result.tls?.verified).toBe(false);
    expect(result.tls?.leaf.subject_alternative).toBe('localhost');
  });

  it('passes with the CA in tls_config', async () => {
    const result = await probe({ url: `${valid.url}/`, tls_config: { ca: ca.certPem }, fail_if_body_not_matches_regexp: ['over tls'] });
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_ssl')).toBe(1);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
    expect(sample(result, 'probe_tls_version_info', { version: 'TLS 1.3' })).toBe(1);
    expect(result.phases.find((p) => p.phase === 'tls')?.seconds).toBeGreaterThan(0);
    expect(result.tls?.verified).toBe(true);
  });

  it('passes with insecure_skip_verify', async () => {
    const result = await probe({ url: `${valid.url}/`, tls_config: { insecure_skip_verify: true } });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
  });

  it('verifies by host name as well as by IP address', async () => {
    const result = await probe({ url: `${valid.url.replace('127.0.0.1', 'localhost')}/`, tls_config: { ca: ca.certPem } });
    expect(result.success).toBe(true);
  });

  it('fails an expired certificate and reports an expiry in the past', async () => {
    const result = await probe({ url: `${expired.url}/`, tls_config: { ca: ca.certPem } });
    expect(result.reason).toBe('tls_verify');
    expect(result.message).toMatch(/expired/);
    const expiry = sample(result, 'probe_ssl_earliest_cert_expiry') ?? Number.NaN;
    expect(expiry).toBe(Math.floor(expiredLeaf.notAfter.getTime() / 1000));
    expect(expiry * 1000).toBeLessThan(Date.now());
  });

  it.each(['127.0.0.1', 'localhost'])('fails a certificate for another name at %s', async (host) => {
    const result = await probe({ url: `${otherName.url.replace('127.0.0.1', host)}/`, tls_config: { ca: ca.certPem } });
    expect(result.reason).toBe('tls_verify');
    expect(result.tls?.leaf.subject_alternative).toBe('other.example');
  });

  it('verifies against tls_config.server_name or a Host header instead of the URL host', async () => {
    const serverName = await probe({ url: `${otherName.url}/`, tls_config: { ca: ca.certPem, server_name: 'other.example' } });
    expect(serverName.success).toBe(true);
    const hostHeader = await probe({ url: `${otherName.url}/`, tls_config: { ca: ca.certPem }, headers: { Host: 'other.example' } });
    expect(hostHeader.success).toBe(true);
  });

  it('reports a server that does not speak TLS as a handshake failure', async () => {
    const result = await probe({ url: `${plain.url.replace('http:', 'https:')}/` });
    expect(result.reason).toBe('tls_handshake');
  });
});

describe('client certificates', () => {
  it('presents a client certificate with the key from a secret reference', async () => {
    const result = await probe(
      { url: `${mutual.url}/`, tls_config: { ca: ca.certPem, cert: clientCert.certPem, key_from: 'env:CLIENT_KEY' } },
      true,
    );
    expect(result.success).toBe(true);
    expect(JSON.stringify(result)).not.toContain(clientCert.keyPem.split('\n')[1]);
  });

  it('is refused by the server without one', async () => {
    const result = await probe({ url: `${mutual.url}/`, tls_config: { ca: ca.certPem } });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('status_code');
    expect(sample(result, 'probe_http_status_code')).toBe(403);
  });
});

describe('ssl requirements', () => {
  it('fails https under fail_if_ssl and passes it under fail_if_not_ssl', async () => {
    const forbidden = await probe({ url: `${valid.url}/`, tls_config: { ca: ca.certPem }, fail_if_ssl: true });
    expect(forbidden.reason).toBe('ssl_forbidden');
    const required = await probe({ url: `${valid.url}/`, tls_config: { ca: ca.certPem }, fail_if_not_ssl: true });
    expect(required.success).toBe(true);
  });

  it('judges the final hop of a redirect from http to https', async () => {
    const result = await probe({ url: `${plain.url}/to-tls`, tls_config: { ca: ca.certPem }, fail_if_not_ssl: true });
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_redirects')).toBe(1);
    expect(sample(result, 'probe_http_ssl')).toBe(1);
  });
});

describe('HTTP/2', () => {
  it('negotiates HTTP/2 only when enable_http2 is set', async () => {
    const base = { url: `${h2.url}/`, tls_config: { ca: ca.certPem } };
    const two = await probe({ ...base, enable_http2: true, fail_if_body_not_matches_regexp: ['HTTP/2.0'], valid_http_versions: ['HTTP/2.0'] });
    expect(two.message).toBeUndefined();
    expect(sample(two, 'probe_http_version')).toBe(2);
    const one = await probe({ ...base, fail_if_body_not_matches_regexp: ['HTTP/1.1'] });
    expect(one.success).toBe(true);
    expect(sample(one, 'probe_http_version')).toBe(1.1);
    expect(await h2.allClosed()).toBe(true);
  });
});
