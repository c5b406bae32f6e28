// The HTTP/1.1 response parser against what real servers send, edge cases included, with blackbox_exporter
// (Go's net/http client) as the oracle: a raw TCP server writes each response byte for byte, both probe it,
// and success, status code, content length and body length must agree.
import net from 'node:net';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, loadTarget } from '../../shared/config/index.js';
import { Http1ResponseParser } from '../../shared/probing/http/http1-parser.js';
import { runProbe } from '../../shared/probing/index.js';
import { startBlackbox, type BlackboxHandle } from '../support/blackbox.js';

interface RawCase {
  title: string;
  /** The bytes the server writes after reading the request head. */
  response: string;
  /** How the server ends: close after writing (default), or leave the connection open. */
  then?: 'end' | 'hold';
  method?: 'GET' | 'HEAD';
  validStatusCodes?: number[];
}

const OK = 'HTTP/1.1 200 OK\r\n';

const CASES: RawCase[] = [
  { title: 'a 100 Continue before the response', response: `HTTP/1.1 100 Continue\r\n\r\n${OK}Content-Length: 2\r\n\r\nok` },
  { title: 'a 103 Early Hints with headers before the response', response: `HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n${OK}Content-Length: 2\r\n\r\nok` },
  { title: 'six interim responses (Go allows five)', response: `${'HTTP/1.1 100 Continue\r\n\r\n'.repeat(6)}${OK}Content-Length: 2\r\n\r\nok` },
  { title: 'chunked with trailers', response: `${OK}Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n2\r\nok\r\n3\r\n!!!\r\n0\r\nX-Checksum: abc\r\n\r\n` },
  { title: 'chunk extensions', response: `${OK}Transfer-Encoding: chunked\r\n\r\n2;name=value\r\nok\r\n1;a;b="c"\r\n!\r\n0;last\r\n\r\n` },
  { title: 'upper-case hex chunk sizes', response: `${OK}Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n` },
  { title: 'two equal Content-Length headers', response: `${OK}Content-Length: 2\r\nContent-Length: 2\r\n\r\nok` },
  { title: 'two conflicting Content-Length headers', response: `${OK}Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!` },
  { title: 'a Content-Length list in one header', response: `${OK}Content-Length: 2, 2\r\n\r\nok` },
  { title: 'a negative Content-Length', response: `${OK}Content-Length: -1\r\n\r\nok` },
  { title: 'chunked and Content-Length together (chunked wins)', response: `${OK}Transfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n2\r\nok\r\n0\r\n\r\n` },
  { title: 'obsolete line folding in a header', response: `${OK}X-Long: first\r\n  second\r\nContent-Length: 2\r\n\r\nok` },
  { title: 'a header line without a colon', response: `${OK}garbage\r\nContent-Length: 2\r\n\r\nok` },
  { title: 'a body after a HEAD response', method: 'HEAD', response: `${OK}Content-Length: 5\r\n\r\nhello` },
  { title: 'a body after 204 No Content', response: 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello' },
  { title: 'a body after 304 Not Modified', validStatusCodes: [304], response: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello' },
  { title: 'the connection closed mid-chunk', response: `${OK}Transfer-Encoding: chunked\r\n\r\n5\r\nhel` },
  { title: 'the connection closed before the last chunk', response: `${OK}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n` },
  { title: 'the connection closed before Content-Length bytes', response: `${OK}Content-Length: 10\r\n\r\nhello` },
  { title: 'a body delimited by closing the connection', response: `${OK}\r\nhello, until the end` },
  { title: 'an HTTP/1.0 response', response: 'HTTP/1.0 200 OK\r\n\r\nold school' },
  { title: 'a status line without a reason phrase', response: 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok' },
  { title: 'bare LF line endings', response: 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok' },
  { title: 'an invalid chunk size', response: `${OK}Transfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n` },
  { title: 'a lower-case protocol name', response: 'http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
  { title: 'a two-digit status code', response: 'HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok' },
  { title: 'an empty response and a close', response: '' },
  { title: 'a Content-Length of 0 with a held connection', response: `${OK}Content-Length: 0\r\n\r\n`, then: 'hold' },
];

const COMPARED = ['probe_success', 'probe_http_status_code', 'probe_http_content_length', 'probe_http_uncompressed_body_length', 'probe_http_version'] as const;

let server: net.Server;
let port: number;
let blackbox: BlackboxHandle;
const held = new Set<net.Socket>();

function moduleFor(c: RawCase): Record<string, unknown> {
  return { preferred_ip_protocol: 'ip4', method: c.method ?? 'GET', ...(c.validStatusCodes ? { valid_status_codes: c.validStatusCodes } : {}) };
}

beforeAll(async () => {
  server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (data: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const index = Number(/\?case=(\d+)/.exec(head)?.[1]);
      const c = CASES[index];
      if (!c) return socket.destroy();
      socket.write(Buffer.from(c.response, 'latin1'));
      if (c.then === 'hold') held.add(socket);
      else socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  const modules = Object.fromEntries(CASES.map((c, i) => [`case_${i}`, { prober: 'http', timeout: '2s', http: moduleFor(c) }]));
  blackbox = await startBlackbox(stringify({ modules }));
});

afterAll(async () => {
  await blackbox?.stop();
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

describe('HTTP/1.1 responses as Go net/http reads them', () => {
  it.each(CASES.map((c, i) => [c.title, i] as const))('%s', async (_title, index) => {
    const c = CASES[index] as RawCase;
    const url = `http://127.0.0.1:${port}/?case=${index}`;
    const target = await loadTarget({ name: `case_${index}`, timeout: '2s', http: { url, ...moduleFor(c) } }, 'test');
    const [theirs, mine] = await Promise.all([blackbox.probe(`case_${index}`, url), runProbe(target, { timeoutMs: 2000, secrets: createSecretResolver() })]);
    const got = Object.fromEntries(COMPARED.map((name) => [name, mine.samples.find((s) => s.name === name)?.value]));
    const want = Object.fromEntries(COMPARED.map((name) => [name, theirs.get(name)?.[0]?.value]));
    expect(got).toEqual(want);
    if (!mine.success) expect(mine.message).toBeTruthy();
  });
});

describe('the parser is incremental', () => {
  type Outcome = { status?: number; body: string; complete: boolean; error?: string };
  function parse(bytes: Buffer, method: string, pieceSize: number, peerCloses: boolean): Outcome {
    const outcome: Outcome = { body: '', complete: false };
    const parser = new Http1ResponseParser(method, {
      onHead: (head) => {
        outcome.status = head.status;
        return true;
      },
      onBody: (chunk) => (outcome.body += chunk.toString('latin1')),
      onComplete: () => (outcome.complete = true),
    });
    try {
      for (let at = 0; at < bytes.length; at += pieceSize) parser.push(bytes.subarray(at, at + pieceSize));
      if (peerCloses) parser.end();
    } catch (err) {
      outcome.error = (err as Error).message;
    }
    return outcome;
  }

  it.each(CASES.map((c, i) => [c.title, i] as const))('gives the same result for %s one byte at a time', (_title, index) => {
    const c = CASES[index] as RawCase;
    const bytes = Buffer.from(c.response, 'latin1');
    const method = c.method ?? 'GET';
    const whole = parse(bytes, method, bytes.length || 1, c.then !== 'hold');
    expect(parse(bytes, method, 1, c.then !== 'hold')).toEqual(whole);
    expect(parse(bytes, method, 7, c.then !== 'hold')).toEqual(whole);
  });
});
