// The HTTP prober when the peer misbehaves: servers that never answer, trickle, send endless bodies or
// reset, refused ports, names that do not resolve, and the run deadline. Each probe must end with the
// right reason and leave no connection open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, httpModuleSchema } from '../../shared/config/index.js';
import { probeHttp } from '../../shared/probing/http/probe.js';
import type { ProbeResult } from '../../shared/probing/types.js';
import { startHttpServer, startTcpServer, type TestServer } from '../support/http-servers.js';
import { freePort } from '../support/ports.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

const secrets = createSecretResolver({ env: {} });
const TIMEOUT_MS = 600;
const TICK_MS = 200;

function probe(module: Record<string, unknown>, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProbeResult> {
  return probeHttp('test', httpModuleSchema.parse(module), { timeoutMs: options.timeoutMs ?? TIMEOUT_MS, secrets, signal: options.signal });
}

function sample(result: ProbeResult, name: string): number | undefined {
  return result.samples.find((s) => s.name === name)?.value;
}

const servers: TestServer[] = [];
const timers = new Set<NodeJS.Timeout>();
let silent: TestServer;
let tricklingHead: TestServer;
let tricklingBody: TestServer;
let endless: TestServer;
let resetting: TestServer;
let closing: TestServer;
let truncating: TestServer;
let closeDelimited: TestServer;

/** Writes `chunk` every `ms` until the socket closes. */
function every(socket: import('node:net').Socket, ms: number, chunk: () => string | Buffer): void {
  const timer = setInterval(() => {
    if (socket.destroyed) {
      clearInterval(timer);
      timers.delete(timer);
      return;
    }
    socket.write(chunk());
  }, ms);
  timers.add(timer);
  socket.on('close', () => {
    clearInterval(timer);
    timers.delete(timer);
  });
}

beforeAll(async () => {
  silent = await startTcpServer(() => {});
  tricklingHead = await startTcpServer((socket) => {
    const head = 'HTTP/1.1 200 OK\r\nX-Slow: yes\r\n';
    let i = 0;
    every(socket, TICK_MS, () => head[i++ % head.length] as string);
  });
  tricklingBody = await startTcpServer((socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
      every(socket, TICK_MS, () => 'x');
    });
  });
  endless = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  resetting = await startTcpServer((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });
  closing = await startTcpServer((socket) => socket.end());
  truncating = await startTcpServer((socket) => {
    socket.once('data', (request: Buffer) => {
      const chunked = request.toString('latin1').startsWith('GET /chunked');
      socket.write(`HTTP/1.1 200 OK\r\n${chunked ? 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n' : 'Content-Length: 100\r\n\r\nhello'}`);
      setTimeout(() => socket.end(), 20);
    });
  });
  closeDelimited = await startTcpServer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body ends with the connection'));
  });
  servers.push(silent, tricklingHead, tricklingBody, endless, resetting, closing, truncating, closeDelimited);
});

afterAll(async () => {
  for (const timer of timers) clearInterval(timer);
  await Promise.all(servers.map((s) => s.close()));
});

describe('timeouts', () => {
  it('times out on a server that accepts and never answers, and closes the connection', async () => {
    const result = await probe({ url: `${silent.url}/` });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('timeout');
    expect(result.duration_seconds).toBeGreaterThanOrEqual(TIMEOUT_MS / 1000 - 0.01);
    expect(sample(result, 'probe_http_status_code')).toBe(0);
    expect(silent.accepted).toBeGreaterThan(0);
    expect(await silent.allClosed()).toBe(true);
  });

  it('times out on a TLS handshake that never completes, and closes the connection', async () => {
    const result = await probe({ url: `${silent.url.replace('http:', 'https:')}/` });
    expect(result.reason).toBe('timeout');
    expect(result.phases.find((p) => p.phase === 'connect')?.seconds).toBeGreaterThan(0);
    expect(await silent.allClosed()).toBe(true);
  });

  it('times out on a status line trickled a byte at a time', async () => {
    const result = await probe({ url: `${tricklingHead.url}/` });
    expect(result.reason).toBe('timeout');
    expect(await tricklingHead.allClosed()).toBe(true);
  });

  it('times out on a body trickled a byte at a time, having counted what arrived', async () => {
    const result = await probe({ url: `${tricklingBody.url}/` });
    expect(result.reason).toBe('timeout');
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    expect(sample(result, 'probe_http_content_length')).toBe(1_000_000);
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBeGreaterThan(0);
    expect(result.phases.find((p) => p.phase === 'transfer')?.seconds).toBeGreaterThan(0);
    expect(await tricklingBody.allClosed()).toBe(true);
  });

  it('times out on an endless body without a size limit', async () => {
    const result = await probe({ url: `${endless.url}/` });
    expect(result.reason).toBe('timeout');
    expect(sample(result, 'probe_http_status_code')).toBe(200);
    expect(await endless.allClosed()).toBe(true);
  });

  it('stops an endless body at body_size_limit', async () => {
    const result = await probe({ url: `${endless.url}/`, body_size_limit: '256KB' }, { timeoutMs: 5000 });
    expect(result.reason).toBe('body_too_large');
    expect(sample(result, 'probe_http_uncompressed_body_length')).toBe(256 * 1024);
    expect(await endless.allClosed()).toBe(true);
  });

  it('ends with reason deadline when the run deadline fires', async () => {
    const controller = new AbortController();
    const pending = probe({ url: `${silent.url}/` }, { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const result = await pending;
    expect(result.reason).toBe('deadline');
    expect(await silent.allClosed()).toBe(true);
  });

  it('does not start when the run deadline has already passed', async () => {
    const before = silent.accepted;
    const result = await probe({ url: `${silent.url}/` }, { signal: AbortSignal.abort() });
    expect(result.reason).toBe('deadline');
    expect(silent.accepted).toBe(before);
  });
});

describe('connection failures', () => {
  it('reports a reset', async () => {
    const result = await probe({ url: `${resetting.url}/` });
    expect(result.reason).toBe('reset');
  });

  it('reports a connection closed before any response as reset', async () => {
    const result = await probe({ url: `${closing.url}/` });
    expect(result.reason).toBe('reset');
  });

  it.each(['/length', '/chunked'])('fails a body cut short by the connection closing (%s)', async (path) => {
    const result = await probe({ url: `${truncating.url}${path}` });
    expect(result.reason).toBe('reset');
    expect(sample(result, 'probe_http_status_code')).toBe(200);
  });

  it('passes a body delimited by the connection closing', async () => {
    const result = await probe({ url: `${closeDelimited.url}/`, fail_if_body_not_matches_regexp: ['ends with the connection$'] });
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_http_content_length')).toBe(-1);
  });

  it('reports a refused port', async () => {
    const port = await freePort();
    const result = await probe({ url: `http://127.0.0.1:${port}/` });
    expect(result.reason).toBe('refused');
    expect(sample(result, 'probe_http_status_code')).toBe(0);
    expect(sample(result, 'probe_http_content_length')).toBe(0);
    expect(result.phases).toHaveLength(5);
  });

  it('reports a name that does not resolve', async () => {
    const result = await probe({ url: 'http://nonexistent.invalid/' }, { timeoutMs: 5000 });
    expect(result.reason).toBe('dns');
    expect(result.message).toContain('nonexistent.invalid');
    expect(sample(result, 'probe_http_status_code')).toBe(0);
  });

  it('never rejects, reporting a probe failure instead', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'));
    servers.push(server);
    await server.close();
    await expect(probe({ url: `${server.url}/` })).resolves.toMatchObject({ success: false, reason: 'refused' });
  });
});
