// One group of targets, half of them hostile (floods, decompression bombs, 40 000 duplicate headers, endless
// gRPC streams, PostgreSQL rows without end, a DNS answer that does not decode, HTTP/2 resets), probed in a
// process of its own as the probe Lambda would. Acceptance (issue 21): every probe ends within its timeout
// + 1 s, the probing process's peak RSS stays at or below 256 MiB (measured: getrusage's maxRSS), the
// healthy targets' results are unaffected, and each hostile target fails with a named reason.
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../support/certs.js';
import { startScriptedDns } from '../support/dns-servers.js';
import { startGrpcHealthServer } from '../support/grpc-servers.js';
import { startHttp2Server, startTcpServer } from '../support/http-servers.js';
import {
  BROTLI_BOMB,
  DEFLATE_BOMB,
  drip,
  flood,
  garbageDnsTcpServer,
  GZIP_MEMBER,
  hostilePostgresServer,
  rawGrpcServer,
  rawHttpServer,
  SERVING_MESSAGE,
  tcpFloodServer,
  type Closable,
} from '../support/hostile-servers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
// Long enough for a limit to be reached on a loaded 2-core machine while three floods run for the whole
// timeout; the healthy slow target takes 1.2 s of it.
const TIMEOUT_S = 4;
const MAX_RSS_MIB = 256;

interface ChildResult {
  target: string;
  success: boolean;
  reason: string | null;
  message?: string;
  duration_seconds: number;
  timeout_seconds: number;
}
interface ChildOutput {
  wallMs: number;
  maxRssKb: number;
  lag: { max_ms: number; p99_ms: number };
  results: ChildResult[];
}

const OK_BODY = '{"status":"ok"}';
const ok = (socket: net.Socket): void => {
  socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK_BODY.length}\r\n\r\n${OK_BODY}`);
};
const head = (headers: string) => `HTTP/1.1 200 OK\r\n${headers}\r\n`;

/** The raw HTTP/1.1 server's behaviours, by path. */
function answerHttp(path: string, socket: net.Socket): void {
  const big = Buffer.alloc(64 * 1024, 0x61);
  switch (path.split('?')[0]) {
    case '/ok':
      return ok(socket);
    case '/slow-ok':
      setTimeout(() => ok(socket), 1200);
      return;
    case '/odd-names':
      socket.end(head(`__proto__: x\r\nconstructor: y\r\ntoString: z\r\nX-Dup: 1\r\nX-Dup: 2\r\nContent-Length: ${OK_BODY.length}\r\n`) + OK_BODY);
      return;
    case '/dup-headers':
      socket.end(head(`${'X-Dup: 1\r\n'.repeat(40_000)}Content-Length: 2\r\n`) + 'ok');
      return;
    case '/huge-head': {
      socket.write('HTTP/1.1 200 OK\r\nX-Big: ');
      flood(socket, () => big);
      return;
    }
    case '/drip-head':
      socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      drip(socket, 'a', 5);
      return;
    case '/endless-body':
      socket.write(head('Content-Type: text/plain\r\n'));
      flood(socket, () => big);
      return;
    case '/endless-chunked': {
      socket.write(head('Transfer-Encoding: chunked\r\n'));
      const chunk = Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n')]);
      flood(socket, () => chunk);
      return;
    }
    case '/chunk-line':
      socket.write(head('Transfer-Encoding: chunked\r\n'));
      flood(socket, () => 'f'.repeat(1024));
      return;
    case '/gzip-bomb':
      socket.write(head('Content-Encoding: gzip\r\n'));
      flood(socket, () => GZIP_MEMBER);
      return;
    case '/deflate-bomb':
      socket.write(head(`Content-Encoding: deflate\r\nContent-Length: ${DEFLATE_BOMB.length}\r\n`));
      socket.end(DEFLATE_BOMB);
      return;
    case '/br-bomb':
      socket.write(head(`Content-Encoding: br\r\nContent-Length: ${BROTLI_BOMB.length}\r\n`));
      socket.end(BROTLI_BOMB);
      return;
    case '/trickle-body':
      socket.write(head('Content-Length: 1000000\r\n'));
      drip(socket, 'x', 10);
      return;
    default:
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  }
}

type Expectation = { success: true } | { success: false; reason: string; message?: RegExp };

/** Where the servers listen, once started. */
interface Ports {
  raw: number;
  h2: number;
  grpcOk: string;
  grpcHuge: number;
  grpcEndless: number;
  dnsOk: string;
  dnsGarbage: number;
  tcpOk: number;
  tcpNoNewline: number;
  tcpNoise: number;
  pgEndless: number;
  pgHugeRow: number;
}

interface Case {
  name: string;
  module: (p: Ports) => Record<string, unknown>;
  expect: Expectation;
  /** Headers added after validation (a module the schema never saw). */
  unvalidatedHeaders?: Record<string, string>;
}

const url = (p: Ports, path: string) => `http://127.0.0.1:${p.raw}${path}`;
const bodyCheck = { fail_if_body_not_matches_regexp: ['"status":\\s*"ok"'] };
const insecure = { tls_config: { insecure_skip_verify: true } };
const fails = (reason: string, message?: RegExp): Expectation => ({ success: false, reason, ...(message ? { message } : {}) });

const CASES: Case[] = [
  // Healthy targets, among them one that takes 1.2 s of its 2 s (the false timeouts).
  ...[1, 2, 3, 4, 5, 6].map((i): Case => ({ name: `healthy-http-${i}`, module: (p) => ({ http: { url: url(p, `/ok?i=${i}`), ...bodyCheck } }), expect: { success: true } })),
  { name: 'healthy-http-slow', module: (p) => ({ http: { url: url(p, '/slow-ok'), ...bodyCheck } }), expect: { success: true } },
  {
    name: 'healthy-http-odd-header-names',
    module: (p) => ({ http: { url: url(p, '/odd-names'), fail_if_header_not_matches: [{ header: 'X-Dup', regexp: '^2$' }, { header: 'constructor', regexp: '^y$' }] } }),
    expect: { success: true },
  },
  { name: 'healthy-h2', module: (p) => ({ http: { url: `https://127.0.0.1:${p.h2}/ok`, enable_http2: true, valid_http_versions: ['HTTP/2.0'], ...insecure } }), expect: { success: true } },
  { name: 'healthy-grpc', module: (p) => ({ grpc: { address: p.grpcOk } }), expect: { success: true } },
  { name: 'healthy-dns', module: (p) => ({ dns: { server: p.dnsOk, query_name: 'example.internal', query_type: 'A' } }), expect: { success: true } },
  { name: 'healthy-tcp', module: (p) => ({ tcp: { address: `127.0.0.1:${p.tcpOk}`, query_response: [{ expect: '^220' }] } }), expect: { success: true } },
  // Hostile ones.
  { name: 'dup-headers-40000', module: (p) => ({ http: { url: url(p, '/dup-headers') } }), expect: fails('headers_too_large', /more than 1000 header lines/) },
  { name: 'huge-head', module: (p) => ({ http: { url: url(p, '/huge-head') } }), expect: fails('headers_too_large', /header block larger than/) },
  { name: 'drip-head', module: (p) => ({ http: { url: url(p, '/drip-head') } }), expect: fails('timeout') },
  { name: 'endless-body-with-check', module: (p) => ({ http: { url: url(p, '/endless-body'), ...bodyCheck } }), expect: fails('body_too_large', /the most a body check reads/) },
  { name: 'endless-chunked-no-check', module: (p) => ({ http: { url: url(p, '/endless-chunked') } }), expect: fails('timeout') },
  { name: 'endless-chunk-size-line', module: (p) => ({ http: { url: url(p, '/chunk-line') } }), expect: fails('network', /chunk size line longer than 4096 bytes/) },
  { name: 'gzip-bomb', module: (p) => ({ http: { url: url(p, '/gzip-bomb'), compression: 'gzip', ...bodyCheck } }), expect: fails('body_too_large', /after decompression/) },
  { name: 'deflate-bomb', module: (p) => ({ http: { url: url(p, '/deflate-bomb'), compression: 'deflate', ...bodyCheck } }), expect: fails('body_too_large') },
  { name: 'br-bomb', module: (p) => ({ http: { url: url(p, '/br-bomb'), compression: 'br', json_body: { paths: [{ path: 'status', equals: 'ok' }] } } }), expect: fails('body_too_large') },
  { name: 'gzip-bomb-with-limit', module: (p) => ({ http: { url: url(p, '/gzip-bomb'), compression: 'gzip', body_size_limit: '1MB' } }), expect: fails('body_too_large', /body_size_limit/) },
  { name: 'trickle-body', module: (p) => ({ http: { url: url(p, '/trickle-body'), ...bodyCheck } }), expect: fails('timeout') },
  { name: 'steps-extract-endless', module: (p) => ({ steps: [{ name: 'endless', url: url(p, '/endless-body'), extract: { token: { regexp: 'token=(\\w+)' } } }] }), expect: fails('body_too_large') },
  { name: 'h2-reset', module: (p) => ({ http: { url: `https://127.0.0.1:${p.h2}/rst`, enable_http2: true, ...insecure } }), expect: fails('http2', /HTTP\/2/) },
  {
    name: 'h2-te-gzip-unvalidated',
    module: (p) => ({ http: { url: `https://127.0.0.1:${p.h2}/ok`, enable_http2: true, ...insecure } }),
    expect: fails('http2', /cannot be sent over HTTP\/2/),
    unvalidatedHeaders: { te: 'gzip' },
  },
  { name: 'grpc-huge-message', module: (p) => ({ grpc: { address: `127.0.0.1:${p.grpcHuge}` } }), expect: fails('response_too_large', /RESOURCE_EXHAUSTED/) },
  { name: 'grpc-endless-messages', module: (p) => ({ grpc: { address: `127.0.0.1:${p.grpcEndless}` } }), expect: fails('grpc_status', /cardinality violation/) },
  { name: 'dns-tcp-garbage', module: (p) => ({ dns: { server: `127.0.0.1:${p.dnsGarbage}`, query_name: 'example.internal', transport_protocol: 'tcp' } }), expect: fails('dns_query', /could not be decoded/) },
  { name: 'tcp-flood-no-newline', module: (p) => ({ tcp: { address: `127.0.0.1:${p.tcpNoNewline}`, query_response: [{ expect: '^220' }] } }), expect: fails('expect', /longer than 65536 bytes/) },
  { name: 'tcp-flood-lines', module: (p) => ({ tcp: { address: `127.0.0.1:${p.tcpNoise}`, query_response: [{ expect: '^220' }] } }), expect: fails('timeout') },
  { name: 'postgres-endless-rows', module: (p) => ({ postgres: { host: '127.0.0.1', port: p.pgEndless, sslmode: 'disable' } }), expect: fails('response_too_large') },
  { name: 'postgres-huge-row', module: (p) => ({ postgres: { host: '127.0.0.1', port: p.pgHugeRow, sslmode: 'disable' } }), expect: fails('response_too_large') },
];

const servers: Closable[] = [];
let dir: string;
let output: ChildOutput;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-hostile-'));
  const raw = await rawHttpServer(answerHttp);
  const cert = await selfSigned({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const h2 = await startHttp2Server((req, res) => {
    if (req.url === '/rst') req.stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    else res.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
  }, cert);
  const grpcOk = await startGrpcHealthServer({ statuses: { '': 'SERVING' } });
  const grpcHuge = await rawGrpcServer((stream) => {
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(0x40000000, 1);
    stream.write(frame);
    const zeros = Buffer.alloc(64 * 1024);
    flood(stream, () => zeros);
  });
  const manyMessages = Buffer.concat(Array.from({ length: 1000 }, () => SERVING_MESSAGE));
  const grpcEndless = await rawGrpcServer((stream) => flood(stream, () => manyMessages));
  const dnsOk = await startScriptedDns((question) => ({ answers: [{ type: 'A', name: question.name, ttl: 60, data: '10.1.2.3' }] }));
  const dnsGarbage = await garbageDnsTcpServer();
  const tcpOk = await startTcpServer((socket) => socket.end('220 ready\r\n'));
  const tcpNoNewline = await tcpFloodServer(() => 'x'.repeat(64 * 1024));
  const tcpNoise = await tcpFloodServer(() => 'noise\n'.repeat(10_000));
  const pgEndless = await hostilePostgresServer('endless');
  const pgHugeRow = await hostilePostgresServer('huge-row');
  servers.push(raw, h2, grpcOk, grpcHuge, grpcEndless, dnsOk, dnsGarbage, tcpOk, tcpNoNewline, tcpNoise, pgEndless, pgHugeRow);
  const ports: Ports = {
    raw: raw.port,
    h2: h2.port,
    grpcOk: grpcOk.address,
    grpcHuge: grpcHuge.port,
    grpcEndless: grpcEndless.port,
    dnsOk: dnsOk.address,
    dnsGarbage: dnsGarbage.port,
    tcpOk: tcpOk.port,
    tcpNoNewline: tcpNoNewline.port,
    tcpNoise: tcpNoise.port,
    pgEndless: pgEndless.port,
    pgHugeRow: pgHugeRow.port,
  };

  const file = join(dir, 'hostile.yml');
  // HOSTILE_BASELINE=1 probes only the healthy targets: the peak RSS of a group without hostile ones, by hand.
  const probed = process.env.HOSTILE_BASELINE ? CASES.filter((c) => c.expect.success) : CASES;
  await writeFile(file, stringify({ groups: [{ name: 'hostile', timeout: `${TIMEOUT_S}s`, targets: probed.map((c) => ({ name: c.name, ...c.module(ports) })) }] }));
  const unvalidated = Object.fromEntries(CASES.filter((c) => c.unvalidatedHeaders).map((c) => [c.name, c.unvalidatedHeaders]));
  output = await new Promise<ChildOutput>((done, fail) =>
    execFile(
      process.execPath,
      [...(process.env.HOSTILE_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', join(ROOT, 'test/support/probe-group-child.ts'), file, JSON.stringify(unvalidated)],
      { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`the probing process failed (${error.message}):\n${stderr.slice(-4000)}`));
        else done(JSON.parse(stdout) as ChildOutput);
      },
    ),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a group with hostile targets, probed in its own process', () => {
  it('keeps the probing process at or below 256 MiB peak RSS', () => {
    const mib = output.maxRssKb / 1024;
    // Printed so a run shows the figure, not only that it passed.
    process.stdout.write(`hostile group: peak RSS ${mib.toFixed(0)} MiB, ${output.results.length} targets in ${(output.wallMs / 1000).toFixed(2)} s, event-loop lag max ${output.lag.max_ms.toFixed(0)} ms\n`);
    for (const r of output.results) process.stdout.write(`  ${r.target.padEnd(32)} ${(r.reason ?? 'ok').padEnd(20)} ${r.duration_seconds.toFixed(3)} s\n`);
    expect(mib).toBeLessThanOrEqual(MAX_RSS_MIB);
  });

  it('ends every probe within its timeout + 1 s, and the whole group too', () => {
    for (const result of output.results) expect(result.duration_seconds, result.target).toBeLessThanOrEqual(TIMEOUT_S + 1);
    expect(output.wallMs).toBeLessThanOrEqual((TIMEOUT_S + 1) * 1000 + 2000);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const result = output.results.find((r) => r.target === name);
    if (process.env.HOSTILE_BASELINE && !c.expect.success) return;
    expect(result, name).toBeDefined();
    if (c.expect.success) {
      expect(result?.success, `${result?.reason}: ${result?.message}`).toBe(true);
      return;
    }
    expect({ success: result?.success, reason: result?.reason }, result?.message).toEqual({ success: false, reason: c.expect.reason });
    if (c.expect.message) expect(result?.message).toMatch(c.expect.message);
  });
});
