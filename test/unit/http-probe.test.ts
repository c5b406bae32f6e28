// The HTTP prober against real servers on 127.0.0.1: status codes, redirects, body/header/JSON checks,
// compression and size limits, auth secrets, request shape, phases and the blackbox metrics.
import type http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, httpModuleSchema } from '../../shared/config/index.js';
import { probeHttp } from '../../shared/probing/http/probe.js';
import type { ProbeResult } from '../../shared/probing/types.js';
import { readBody, startHttpServer, startTcpServer, type TestServer } from '../support/http-servers.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

const PASSWORD = 'correct-horse-battery-staple';
const TOKEN = 'tok-3f9a7c1e55d2';
const secrets = createSecretResolver({ env: { PROBE_PASSWORD: PASSWORD, PROBE_TOKEN: TOKEN } });

function probe(module: Record<string, unknown>, options: { timeoutMs?: number; debug?: boolean } = {}): Promise<ProbeResult> {
  return probeHttp('test', httpModuleSchema.parse(module), { timeoutMs: options.timeoutMs ?? 5000, secrets, debug: options.debug ?? false });
}

function sample(result: ProbeResult, name: string, labels?: Record<string, string>): number | undefined {
  return result.samples.find((s) => s.name === name && (!labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v)))?.value;
}

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const JSON_BODY = { status: 'ok', version: '1.4.2', checks: { db: { status: 'up', latency_ms: 12 } }, items: [{ id: 7, tags: ['a'] }, { id: 9 }] };
const TEXT = 'Hello World from the test server\n';
const BIG_TEXT = 'x'.repeat(10_000);

let server: TestServer;
let http10: TestServer;
const seen: Seen[] = [];
let endlessRequests = 0;

function lastSeen(path: string): Seen | undefined {
  return seen.filter((s) => s.url === path).pop();
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = req.url ?? '/';
  seen.push({ method: req.method ?? '', url, headers: req.headers, body });
  const path = url.split('?')[0] as string;
  const redirectChain = /^\/chain\/(\d+)$/.exec(path);
  if (redirectChain) {
    const left = Number(redirectChain[1]);
    res.writeHead(302, { location: left > 1 ? `/chain/${left - 1}` : '/ok' });
    res.end('moved');
    return;
  }
  switch (path) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(TEXT) });
      res.end(TEXT);
      return;
    case '/chunked':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one, ');
      res.end('part two');
      return;
    case '/missing':
      res.writeHead(404);
      res.end('not here');
      return;
    case '/endless-redirect':
      endlessRequests += 1;
      res.writeHead(302, { location: `/endless-redirect?n=${endlessRequests}` });
      res.end();
      return;
    case '/see-other':
      res.writeHead(303, { location: '/ok' });
      res.end();
      return;
    case '/temporary':
      res.writeHead(307, { location: '/echo' });
      res.end();
      return;
    case '/echo':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${req.method} ${body}`);
      return;
    case '/headers':
      res.setHeader('x-env', 'staging');
      res.setHeader('x-multi', ['alpha', 'beta']);
      res.writeHead(200);
      res.end('headers');
      return;
    case '/gzip': {
      const gz = zlib.gzipSync(BIG_TEXT);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length });
      res.end(gz);
      return;
    }
    case '/deflate':
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(zlib.deflateSync(TEXT));
      return;
    case '/brotli':
      res.writeHead(200, { 'content-encoding': 'br' });
      res.end(zlib.brotliCompressSync(TEXT));
      return;
    case '/big':
      res.writeHead(200, { 'content-length': BIG_TEXT.length });
      res.end(BIG_TEXT);
      return;
    case '/json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(JSON_BODY));
      return;
    case '/basic': {
      const expected = `Basic ${Buffer.from(`probe:${PASSWORD}`).toString('base64')}`;
      res.writeHead(req.headers.authorization === expected ? 200 : 401);
      // Echoes the credentials back: the prober must not let them into its result.
      res.end(`you sent ${req.headers.authorization ?? 'nothing'}`);
      return;
    }
    case '/bearer':
      res.writeHead(req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401);
      res.end(`you sent ${req.headers.authorization ?? 'nothing'}`);
      return;
    case '/redirect-elsewhere':
      res.writeHead(302, { location: `http://localhost:${server.port}/bearer` });
      res.end();
      return;
    case '/last-modified':
      res.writeHead(200, { 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
      res.end('old');
      return;
    case '/login':
      res.writeHead(302, { location: '/needs-cookie', 'set-cookie': 'session=abc123; Path=/; HttpOnly' });
      res.end();
      return;
    case '/needs-cookie':
      res.writeHead(req.headers.cookie?.includes('session=abc123') ? 200 : 403);
      res.end();
      return;
    default:
      res.writeHead(500);
      res.end('unexpected path');
  }
}

beforeAll(async () => {
  server = await startHttpServer((req, res) => void handle(req, res));
  // An HTTP/1.0 server, which node:http cannot be made to be.
  http10 = await startTcpServer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
});

afterAll(async () => {
  await server.close();
  await http10.close();
});

describe('status codes', () => {
  it('passes a 200 and writes the blackbox metrics', async () => {
    const result = await probe({ url: `${server.url}/ok` });
    expect(result.success).toBe(true);
    expect(result.reason).toBeNull();
    expect(result.instance).toBe(`${server.url}/ok`);
    expect(sample(result, 'probe_success')).toBe(1);
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    expect(sample(result, 'probe_http_version')).toBe(1.1);
    expect(sample(result, 'probe_http_ssl')).toBe(0);
    expect(sample(result, 'probe_http_redirects')).toBe(0);
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0);
    expect(sample(result, 'probe_http_content_length')).toBe(Buffer.byteLength(TEXT));
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(Buffer.byteLength(TEXT));
    expect(sample(result, 'probe_ip_protocol')).toBe(4);
    expect(sample(result, 'probe_http_last_modified_timestamp_seconds')).toBeUndefined();
    expect(sample(result, 'probe_failure_info', { reason: 'status_code' })).toBeUndefined();
    expect(result.http).toMatchObject({ status_code: 200, version: 'HTTP/1.1', ssl: false, redirects: 0 });
  });

  it('fails a 404 under the default 2xx rule', async () => {
    const result = await probe({ url: `${server.url}/missing` });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('status_code');
    expect(sample(result, 'probe_http_status_code')).toBe(404);
    expect(sample(result, 'probe_failure_info', { reason: 'status_code' })).toBe(1);
  });

  it('passes a 404 listed in valid_status_codes and fails a 200 that is not', async () => {
    expect((await probe({ url: `${server.url}/missing`, valid_status_codes: [404] })).success).toBe(true);
    const result = await probe({ url: `${server.url}/ok`, valid_status_codes: [404] });
    expect(result.reason).toBe('status_code');
  });
});

describe('redirects', () => {
  it('follows a chain and counts it', async () => {
    const result = await probe({ url: `${server.url}/chain/3` });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_redirects')).toBe(3);
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    expect(result.http?.final_url).toBe(`${server.url}/ok`);
  });

  it('reports an unfollowed redirect as the final response, counted as blackbox counts it', async () => {
    const result = await probe({ url: `${server.url}/chain/1`, follow_redirects: false });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('status_code');
    expect(sample(result, 'probe_http_status_code')).toBe(302);
    expect(sample(result, 'probe_http_redirects')).toBe(1);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(0);
  });

  it('accepts an unfollowed redirect when 3xx is valid (no_follow_redirects)', async () => {
    const result = await probe({ url: `${server.url}/chain/1`, no_follow_redirects: true, valid_status_codes: [302] });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_redirects')).toBe(1);
  });

  it('stops an endless chain after 10 redirects and fails', async () => {
    endlessRequests = 0;
    const result = await probe({ url: `${server.url}/endless-redirect` });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('status_code');
    // blackbox: the eleventh redirect is seen (and counted) but not followed.
    expect(sample(result, 'probe_http_redirects')).toBe(11);
    expect(endlessRequests).toBe(11);
    expect(sample(result, 'probe_http_status_code')).toBe(302);
  });

  it('turns a POST into a GET without body on 303 and keeps both on 307', async () => {
    const seeOther = await probe({ url: `${server.url}/see-other`, method: 'POST', body: 'payload-303' });
    expect(seeOther.success).toBe(true);
    expect(lastSeen('/ok')?.method).toBe('GET');
    expect(lastSeen('/ok')?.body).toBe('');

    const temporary = await probe({ url: `${server.url}/temporary`, method: 'POST', body: 'payload-307', fail_if_body_not_matches_regexp: ['^POST payload-307$'] });
    expect(temporary.success).toBe(true);
    expect(lastSeen('/echo')).toMatchObject({ method: 'POST', body: 'payload-307' });
  });

  it('carries a cookie set by a redirect to the next hop', async () => {
    const result = await probe({ url: `${server.url}/login` });
    expect(result.success).toBe(true);
    expect(lastSeen('/needs-cookie')?.headers.cookie).toBe('session=abc123');
  });

  it('sums phases over hops', async () => {
    const result = await probe({ url: `${server.url}/chain/2` });
    const connect = result.phases.find((p) => p.phase === 'connect')?.seconds ?? 0;
    expect(connect).toBeGreaterThan(0);
    expect(result.phases.reduce((sum, p) => sum + p.seconds, 0)).toBeLessThanOrEqual(result.duration_seconds);
  });
});

describe('body checks', () => {
  it('fails when fail_if_body_matches_regexp matches, with (?i) translated', async () => {
    const result = await probe({ url: `${server.url}/ok`, fail_if_body_matches_regexp: ['(?i)hello world'] });
    expect(result.reason).toBe('body_regex');
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(1);
    const passing = await probe({ url: `${server.url}/ok`, fail_if_body_matches_regexp: ['error|exception'] });
    expect(passing.success).toBe(true);
    expect(sample(passing, 'probe_failed_due_to_regex')).toBe(0);
  });

  it('needs every fail_if_body_not_matches_regexp to match', async () => {
    const both = await probe({ url: `${server.url}/ok`, fail_if_body_not_matches_regexp: ['(?i)^HELLO', 'test server'] });
    expect(both.success).toBe(true);
    const one = await probe({ url: `${server.url}/ok`, fail_if_body_not_matches_regexp: ['(?i)^HELLO', 'goodbye'] });
    expect(one.reason).toBe('body_regex');
    expect(one.message).toContain('goodbye');
    expect(sample(one, 'probe_failed_due_to_regex')).toBe(1);
  });

  it('checks the status code before the body', async () => {
    const result = await probe({ url: `${server.url}/missing`, fail_if_body_not_matches_regexp: ['never'] });
    expect(result.reason).toBe('status_code');
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0);
  });

  it('passes JSON subset and path assertions', async () => {
    const result = await probe({
      url: `${server.url}/json`,
      json_body: {
        subset: { status: 'ok', checks: { db: { status: 'up' } }, items: [{ id: 7 }] },
        paths: [
          { path: 'checks.db.status', equals: 'up' },
          { path: 'items[1].id', min: 1, max: 10 },
          { path: 'version', regexp: '^1\\.' },
          { path: 'items[0].tags', equals: ['a'] },
          { path: 'checks.cache', exists: false },
          { path: '$.items[0].id', exists: true },
        ],
      },
    });
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it.each([
    [{ subset: { checks: { db: { status: 'down' } } } }, 'checks.db.status'],
    [{ subset: { items: [{ id: 8 }] } }, 'items[0].id'],
    [{ paths: [{ path: 'checks.db.latency_ms', max: 5 }] }, 'above the maximum'],
    [{ paths: [{ path: 'checks.db.latency_ms', min: 20 }] }, 'below the minimum'],
    [{ paths: [{ path: 'status', equals: 'degraded' }] }, 'status'],
    [{ paths: [{ path: 'version', regexp: '^2\\.' }] }, 'version'],
    [{ paths: [{ path: 'items[5].id', exists: true }] }, 'not found'],
    [{ paths: [{ path: 'status', exists: false }] }, 'absent'],
  ])('fails json_body %j', async (jsonBody, expected) => {
    const result = await probe({ url: `${server.url}/json`, json_body: jsonBody });
    expect(result.reason).toBe('json_body');
    expect(result.message).toContain(expected);
  });

  it('fails json_body on a body that is not JSON', async () => {
    const result = await probe({ url: `${server.url}/ok`, json_body: { paths: [{ path: 'status', exists: true }] } });
    expect(result.reason).toBe('json_body');
    expect(result.message).toContain('not valid JSON');
  });
});

describe('header checks', () => {
  it('fails when fail_if_header_matches matches', async () => {
    const result = await probe({ url: `${server.url}/headers`, fail_if_header_matches: [{ header: 'X-Env', regexp: 'stag' }] });
    expect(result.reason).toBe('header_regex');
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(1);
    expect((await probe({ url: `${server.url}/headers`, fail_if_header_matches: [{ header: 'X-Env', regexp: '^prod' }] })).success).toBe(true);
  });

  it('passes fail_if_header_not_matches when any value of a repeated header matches', async () => {
    const any = await probe({ url: `${server.url}/headers`, fail_if_header_not_matches: [{ header: 'x-multi', regexp: '^beta$' }] });
    expect(any.success).toBe(true);
    const none = await probe({ url: `${server.url}/headers`, fail_if_header_not_matches: [{ header: 'x-multi', regexp: '^gamma$' }] });
    expect(none.reason).toBe('header_regex');
  });

  it('fails on a missing header unless allow_missing', async () => {
    const missing = await probe({ url: `${server.url}/headers`, fail_if_header_not_matches: [{ header: 'X-Absent', regexp: '.*' }] });
    expect(missing.reason).toBe('header_regex');
    expect(missing.message).toContain('missing');
    const allowed = await probe({
      url: `${server.url}/headers`,
      fail_if_header_not_matches: [{ header: 'X-Absent', regexp: 'x', allow_missing: true }],
      fail_if_header_matches: [{ header: 'X-Absent', regexp: '.*', allow_missing: true }],
    });
    expect(allowed.success).toBe(true);
  });
});

describe('compression and size', () => {
  it('decodes gzip and reports the uncompressed length', async () => {
    const result = await probe({ url: `${server.url}/gzip`, compression: 'gzip', fail_if_body_not_matches_regexp: ['\\Ax+\\z'] });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(BIG_TEXT.length);
    expect(sample(result, 'probe_http_content_length')).toBe(zlib.gzipSync(BIG_TEXT).length);
    expect(lastSeen('/gzip')?.headers['accept-encoding']).toBe('gzip');
  });

  it('decodes deflate and brotli', async () => {
    for (const [path, compression] of [['/deflate', 'deflate'], ['/brotli', 'br']] as const) {
      const result = await probe({ url: `${server.url}${path}`, compression, fail_if_body_not_matches_regexp: ['Hello World'] });
      expect(result.success).toBe(true);
      expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(Buffer.byteLength(TEXT));
    }
  });

  it('fails a body that does not decompress', async () => {
    const result = await probe({ url: `${server.url}/ok`, compression: 'gzip' });
    expect(result.reason).toBe('decompression');
  });

  it('fails a body over body_size_limit, after decompression', async () => {
    const plain = await probe({ url: `${server.url}/big`, body_size_limit: 1000 });
    expect(plain.reason).toBe('body_too_large');
    expect(sample(plain, 'probe_http_status_code')).toBe(200);
    expect(sample(plain, 'probe_http_uncompressed_body_length')).toBe(1000);
    const gzip = await probe({ url: `${server.url}/gzip`, compression: 'gzip', body_size_limit: '1KB' });
    expect(gzip.reason).toBe('body_too_large');
    const exact = await probe({ url: `${server.url}/big`, body_size_limit: BIG_TEXT.length });
    expect(exact.success).toBe(true);
  });
});

describe('request', () => {
  it('sends method, body and headers, with a Host override', async () => {
    const result = await probe({
      url: `${server.url}/echo?q=1`,
      method: 'PUT',
      body: '{"hello":"world"}',
      headers: { 'Content-Type': 'application/json', 'X-Probe': 'periscope', Host: 'api.example.test' },
    });
    expect(result.success).toBe(true);
    const request = lastSeen('/echo?q=1');
    expect(request).toMatchObject({ method: 'PUT', body: '{"hello":"world"}' });
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'x-probe': 'periscope', host: 'api.example.test' });
    expect(request?.headers['user-agent']).toMatch(/Periscope/);
  });

  it('sends basic auth from a secret reference and keeps the password out of the result', async () => {
    const result = await probe({ url: `${server.url}/basic`, basic_auth: { username: 'probe', password_from: 'env:PROBE_PASSWORD' } }, { debug: true });
    expect(result.success).toBe(true);
    const text = JSON.stringify(result);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`probe:${PASSWORD}`).toString('base64'));
    expect(result.debug?.request?.headers.authorization).toBe('<redacted>');
    expect(result.debug?.body_excerpt).toContain('you sent Basic <redacted>');
  });

  it('sends a bearer token from a secret reference and keeps it out of the result', async () => {
    const result = await probe({ url: `${server.url}/bearer`, bearer_token_from: 'env:PROBE_TOKEN' }, { debug: true });
    expect(result.success).toBe(true);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('does not send credentials to another host on redirect', async () => {
    // 127.0.0.1 redirects to localhost: a different host, so the bearer token stays behind.
    const result = await probe({ url: `${server.url}/redirect-elsewhere`, bearer_token_from: 'env:PROBE_TOKEN' });
    expect(result.reason).toBe('status_code');
    expect(sample(result, 'probe_http_status_code')).toBe(401);
    expect(lastSeen('/bearer')?.headers.authorization).toBeUndefined();
  });

  it('fails with reason secret, naming the reference, when a secret cannot be resolved', async () => {
    const before = seen.length;
    const result = await probe({ url: `${server.url}/basic`, basic_auth: { username: 'probe', password_from: 'env:NOT_SET_ANYWHERE' } });
    expect(result.reason).toBe('secret');
    expect(result.message).toContain('env:NOT_SET_ANYWHERE');
    expect(seen.length).toBe(before);
  });
});

describe('metrics', () => {
  it('reports every phase, non-negative, summing to no more than the duration', async () => {
    const result = await probe({ url: `${server.url}/ok` });
    expect(result.phases.map((p) => p.phase)).toEqual(['resolve', 'connect', 'tls', 'processing', 'transfer']);
    for (const phase of result.phases) {
      expect(phase.seconds).toBeGreaterThanOrEqual(0);
      expect(sample(result, 'probe_http_duration_seconds', { phase: phase.phase })).toBe(phase.seconds);
    }
    expect(result.phases.find((p) => p.phase === 'processing')?.seconds).toBeGreaterThan(0);
    expect(result.phases.find((p) => p.phase === 'tls')?.seconds).toBe(0);
    expect(result.phases.reduce((sum, p) => sum + p.seconds, 0)).toBeLessThanOrEqual(result.duration_seconds);
  });

  it('reports content length -1 for a chunked body, and the body length read', async () => {
    const result = await probe({ url: `${server.url}/chunked` });
    expect(sample(result, 'probe_http_content_length')).toBe(-1);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe('part one, part two'.length);
  });

  it('reports Last-Modified', async () => {
    const result = await probe({ url: `${server.url}/last-modified` });
    expect(sample(result, 'probe_http_last_modified_timestamp_seconds')).toBe(Date.UTC(2015, 9, 21, 7, 28, 0) / 1000);
  });

  it('reads the HTTP version from the status line', async () => {
    const result = await probe({ url: `${http10.url}/` });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_version')).toBe(1);
    const strict = await probe({ url: `${http10.url}/`, valid_http_versions: ['HTTP/1.1'] });
    expect(strict.reason).toBe('http_version');
    expect((await probe({ url: `${server.url}/ok`, valid_http_versions: ['HTTP/1.1'] })).success).toBe(true);
  });

  it('fails plain HTTP under fail_if_not_ssl', async () => {
    const result = await probe({ url: `${server.url}/ok`, fail_if_not_ssl: true });
    expect(result.reason).toBe('ssl_required');
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
  });

  it('collects a debug record: request, a response per hop, excerpt and log', async () => {
    const result = await probe({ url: `${server.url}/chain/1` }, { debug: true });
    expect(result.debug?.request).toMatchObject({ method: 'GET', url: `${server.url}/chain/1` });
    expect(result.debug?.responses?.map((r) => r.status)).toEqual([302, 200]);
    expect(result.debug?.body_excerpt).toBe(TEXT);
    expect(result.debug?.log.length).toBeGreaterThan(0);
    const quiet = await probe({ url: `${server.url}/ok` });
    expect(quiet.debug).toBeUndefined();
  });
});
