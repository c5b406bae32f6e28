// One hop on the connection we opened ourselves: HTTP/1.1 written straight onto the socket with a small
// response parser, or HTTP/2 through node:http2 when TLS negotiated "h2" (enable_http2). blackbox's
// transport opens one connection per request (keep-alives off), so none of a pooling client's machinery
// is needed: doing without it halves the CPU a probe costs and keeps every HTTP client library out of the
// Lambda bundle. Every timestamp is taken in the socket's or stream's own callbacks.
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import { monotonicSeconds } from '../clock.js';
import { ProbeFailure } from '../failure.js';
import type { BodyReader } from './body.js';
import type { ResponseHeaders } from './checks.js';
import { type ConnectTarget, HopConnection, type HopTrace } from './connect.js';
import type { HopRequest, OnHead, ResponseHead } from './exchange.js';

// Go's client accepts large header blocks (big cookies, CSP); Node's 16 KiB default would fail them.
const MAX_HEADER_BYTES = 1024 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
// Connection-specific headers are forbidden in HTTP/2 (RFC 9113 8.2.2).
const H2_FORBIDDEN = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
// One error object for every normal close: creating an Error (and its stack) per probe costs CPU.
const CLOSED = new Error('hop closed');

type Framing = { kind: 'none' } | { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' };

function protocolError(message: string): ProbeFailure {
  return new ProbeFailure('network', `invalid HTTP response: ${message}`);
}

export function serializeRequest(request: HopRequest): string {
  const { url, method, headers, body } = request;
  let text = `${method} ${url.pathname || '/'}${url.search} HTTP/1.1\r\n`;
  if (headers.host === undefined) text += `host: ${url.host}\r\n`;
  for (const name in headers) {
    const value = headers[name] as string;
    // A header value with CR or LF would split the request: refuse rather than send it.
    if (/[\r\n]/.test(value) || /[\r\n:]/.test(name)) throw new ProbeFailure('network', `header ${JSON.stringify(name)} contains a line break`);
    text += `${name}: ${value}\r\n`;
  }
  text += 'connection: close\r\n';
  if (body !== undefined) text += `content-length: ${Buffer.byteLength(body)}\r\n`;
  else if (method === 'POST' || method === 'PUT' || method === 'PATCH') text += 'content-length: 0\r\n';
  return `${text}\r\n${body ?? ''}`;
}

function parseHead(block: string): { status: number; version: string; headers: ResponseHeaders } {
  const lines = block.split('\r\n');
  const statusLine = /^(HTTP\/\d\.\d) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw protocolError(`status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: ResponseHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw protocolError(`header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return { status: Number(statusLine[2]), version: statusLine[1] as string, headers };
}

function single(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function framingOf(method: string, status: number, headers: ResponseHeaders): Framing {
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: 'none' };
  const encoding = headers['transfer-encoding'];
  const encodings = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).toLowerCase();
  if (/(^|,)\s*chunked\s*$/.test(encodings)) return { kind: 'chunked' };
  const length = single(headers, 'content-length');
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw protocolError(`content-length ${JSON.stringify(length)}`);
    return { kind: 'length', remaining: Number(length) };
  }
  return { kind: 'close' };
}

export class Hop {
  readonly connection: HopConnection;
  head: ResponseHead | undefined;
  private socket: Socket | undefined;
  private session: http2.ClientHttp2Session | undefined;
  private reader: BodyReader | undefined;

  constructor(
    readonly request: HopRequest,
    target: ConnectTarget,
  ) {
    this.connection = new HopConnection(target);
  }

  get trace(): HopTrace {
    return this.connection.trace;
  }

  run(onHead: OnHead): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        this.close();
        if (err === undefined) resolve();
        else reject(err);
      };
      this.connection.open().then((socket) => {
        this.connection.handOver();
        this.socket = socket;
        if (this.connection.alpn === 'h2') this.exchangeHttp2(socket, onHead, settle);
        else this.exchange(socket, onHead, settle);
      }, settle);
    });
  }

  private exchange(socket: Socket, onHead: OnHead, settle: (err?: unknown) => void): void {
    const trace = this.trace;
    const method = this.request.method;
    let pending: Buffer = Buffer.alloc(0);
    let framing: Framing | undefined;
    let chunkRemaining = -1; // chunked: bytes left in the current chunk; -1 while reading a size line
    let inTrailers = false;
    let reader: BodyReader | undefined;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      socket.removeAllListeners('data');
      if (!reader) {
        trace.end = monotonicSeconds();
        return settle();
      }
      reader.end().then(() => {
        trace.end = monotonicSeconds();
        settle();
      }, settle);
    };
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      settle(err);
    };
    const deliver = (chunk: Buffer): void => {
      if (chunk.length === 0 || !reader) return;
      if (!reader.write(chunk)) socket.pause();
    };

    // Returns false when more bytes are needed.
    const step = (): boolean => {
      if (!framing) {
        const end = pending.indexOf(HEADER_END);
        if (end < 0) {
          if (pending.length > MAX_HEADER_BYTES) throw protocolError('header block larger than 1 MiB');
          return false;
        }
        const parsed = parseHead(pending.toString('latin1', 0, end));
        pending = pending.subarray(end + 4);
        if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) return true; // interim response
        this.head = { status: parsed.status, headers: parsed.headers, version: parsed.version, tls: this.connection.tls !== undefined };
        framing = framingOf(method, parsed.status, parsed.headers);
        reader = onHead(this.head);
        this.reader = reader;
        if (reader) {
          reader.onFail = (failure) => fail(failure);
          reader.onDrain = () => socket.resume();
        } else {
          // Body not wanted (a redirect to follow): the transfer ends with the head.
          finish();
          return false;
        }
        if (framing.kind === 'none' || (framing.kind === 'length' && framing.remaining === 0)) {
          finish();
          return false;
        }
        return pending.length > 0;
      }
      if (framing.kind === 'close') {
        deliver(pending);
        pending = Buffer.alloc(0);
        return false;
      }
      if (framing.kind === 'length') {
        const take = Math.min(framing.remaining, pending.length);
        deliver(pending.subarray(0, take));
        framing.remaining -= take;
        pending = pending.subarray(take);
        if (framing.remaining === 0) finish();
        return false;
      }
      // chunked
      if (chunkRemaining < 0) {
        const eol = pending.indexOf(CRLF);
        if (eol < 0) return false;
        const line = pending.toString('latin1', 0, eol);
        pending = pending.subarray(eol + 2);
        if (inTrailers) {
          if (line === '') finish();
          return !finished && pending.length > 0;
        }
        const size = parseInt(line.split(';')[0] as string, 16);
        if (!Number.isFinite(size) || size < 0) throw protocolError(`chunk size ${JSON.stringify(line.slice(0, 40))}`);
        if (size === 0) inTrailers = true;
        else chunkRemaining = size;
        return pending.length > 0;
      }
      if (chunkRemaining > 0) {
        const take = Math.min(chunkRemaining, pending.length);
        deliver(pending.subarray(0, take));
        chunkRemaining -= take;
        pending = pending.subarray(take);
        if (chunkRemaining > 0) return false;
      }
      if (pending.length < 2) return false;
      pending = pending.subarray(2); // the CRLF after the chunk data
      chunkRemaining = -1;
      return pending.length > 0;
    };

    socket.on('data', (data: Buffer) => {
      trace.firstByte ??= monotonicSeconds();
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      try {
        while (!finished && step());
      } catch (err) {
        fail(err);
      }
    });
    socket.on('end', () => {
      if (framing?.kind === 'close') return finish();
      fail(Object.assign(new Error(framing ? 'connection closed before the body ended' : 'connection closed before a response'), { code: 'ECONNRESET' }));
    });
    socket.on('error', (err) => fail(err));
    socket.on('close', () => fail(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' })));
    try {
      socket.write(serializeRequest(this.request));
    } catch (err) {
      fail(err);
    }
  }

  private exchangeHttp2(socket: Socket, onHead: OnHead, settle: (err?: unknown) => void): void {
    const trace = this.trace;
    const { url, method, headers, body } = this.request;
    let finished = false;
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      settle(err);
    };
    const session = http2.connect(url.origin, { createConnection: () => socket });
    this.session = session;
    session.on('error', fail);
    const outgoing: http2.OutgoingHttpHeaders = { ':method': method, ':path': `${url.pathname || '/'}${url.search}`, ':authority': headers.host ?? url.host };
    for (const name in headers) {
      if (!H2_FORBIDDEN.has(name)) outgoing[name] = headers[name];
    }
    const stream = session.request(outgoing, { endStream: body === undefined });
    stream.on('error', fail);
    stream.on('response', (incoming) => {
      trace.firstByte ??= monotonicSeconds();
      const status = Number(incoming[':status']);
      const responseHeaders: ResponseHeaders = {};
      for (const name in incoming) {
        const value = incoming[name];
        if (!name.startsWith(':') && value !== undefined) responseHeaders[name] = typeof value === 'number' ? String(value) : value;
      }
      this.head = { status, headers: responseHeaders, version: 'HTTP/2.0', tls: true };
      let reader: BodyReader | undefined;
      try {
        reader = onHead(this.head);
      } catch (err) {
        return fail(err);
      }
      this.reader = reader;
      if (!reader) {
        finished = true;
        trace.end = monotonicSeconds();
        return settle();
      }
      reader.onFail = (failure) => fail(failure);
      reader.onDrain = () => stream.resume();
      stream.on('data', (chunk: Buffer) => {
        if (!reader.write(chunk)) stream.pause();
      });
      stream.on('end', () => {
        if (finished) return;
        finished = true;
        reader.end().then(() => {
          trace.end = monotonicSeconds();
          settle();
        }, settle);
      });
    });
    if (body !== undefined) stream.end(body);
  }

  close(reason?: Error): void {
    this.connection.abort(reason ?? CLOSED);
    this.reader?.destroy();
    this.session?.destroy();
    this.socket?.destroy();
  }
}
