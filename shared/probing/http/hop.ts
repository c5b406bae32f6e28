// One hop on the connection we opened ourselves: HTTP/1.1 written straight onto the socket with a small
// response parser, or HTTP/2 through node:http2 when TLS negotiated "h2" (enable_http2). blackbox's
// transport opens one connection per request (keep-alives off), so none of a pooling client's machinery
// is needed: doing without it halves the CPU a probe costs and keeps every HTTP client library out of the
// Lambda bundle. Every timestamp is taken in the socket's or stream's own callbacks.
import type http2 from 'node:http2';
import type { Socket } from 'node:net';
import { monotonicSeconds } from '../clock.js';
import { ProbeFailure } from '../failure.js';
import type { BodyReader } from './body.js';
import type { ResponseHeaders } from './checks.js';
import { emptyHeaders, Http1ResponseParser } from './http1-parser.js';
import { type ConnectTarget, HopConnection, type HopTrace } from './connect.js';
import type { HopRequest, OnHead, ResponseHead } from './exchange.js';

// Connection-specific headers are forbidden in HTTP/2 (RFC 9113 8.2.2).
const H2_FORBIDDEN = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
// One error object for every normal close: creating an Error (and its stack) per probe costs CPU.
const CLOSED = new Error('hop closed');

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

/** node:http2's own errors (a reset stream, a GOAWAY, a protocol error) get the http2 reason; socket errors keep theirs. */
function http2Failure(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_HTTP2_')) return new ProbeFailure('http2', `HTTP/2: ${(err as Error).message}`);
  return err;
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
        // Whatever an exchange throws while starting (node:http2 refuses some headers synchronously) ends
        // this hop as a failure; nothing may escape as an unhandled rejection, which ends the process.
        try {
          if (this.connection.alpn === 'h2') this.exchangeHttp2(socket, onHead, settle);
          else this.exchange(socket, onHead, settle);
        } catch (err) {
          settle(err);
        }
      }, settle);
    });
  }

  private exchange(socket: Socket, onHead: OnHead, settle: (err?: unknown) => void): void {
    const trace = this.trace;
    let reader: BodyReader | undefined;
    let finished = false;

    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      settle(err);
    };
    const parser = new Http1ResponseParser(this.request.method, {
      onHead: (parsed) => {
        this.head = { status: parsed.status, headers: parsed.headers, version: parsed.version, tls: this.connection.tls !== undefined };
        reader = onHead(this.head);
        this.reader = reader;
        if (!reader) return false; // not wanted (a redirect to follow): the transfer ends with the head
        reader.onFail = (failure) => fail(failure);
        reader.onDrain = () => socket.resume();
        return true;
      },
      onBody: (chunk) => {
        if (reader && !reader.write(chunk)) socket.pause();
      },
      onComplete: () => {
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
      },
    });

    socket.on('data', (data: Buffer) => {
      trace.firstByte ??= monotonicSeconds();
      try {
        parser.push(data);
      } catch (err) {
        fail(err);
      }
    });
    socket.on('end', () => {
      try {
        parser.end();
      } catch (err) {
        fail(err);
      }
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
    // node:http2 is taken on the first HTTP/2 hop, not imported: loading it costs a cold start ~6 ms, and
    // only enable_http2 targets use it.
    const session = process.getBuiltinModule('node:http2').connect(url.origin, { createConnection: () => socket, settings: { enablePush: false } });
    this.session = session;
    session.on('error', (err) => fail(http2Failure(err)));
    const outgoing: http2.OutgoingHttpHeaders = { ':method': method, ':path': `${url.pathname || '/'}${url.search}`, ':authority': headers.host ?? url.host };
    for (const name in headers) {
      if (!H2_FORBIDDEN.has(name)) outgoing[name] = headers[name];
    }
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(outgoing, { endStream: body === undefined });
    } catch (err) {
      // A header HTTP/2 forbids (TE other than "trailers", a name that is no token) that validation could not
      // see: a variable's value, or a module that was never validated.
      return fail(new ProbeFailure('http2', `request cannot be sent over HTTP/2: ${(err as Error).message}`));
    }
    stream.on('error', (err) => fail(http2Failure(err)));
    stream.on('response', (incoming) => {
      trace.firstByte ??= monotonicSeconds();
      const status = Number(incoming[':status']);
      const responseHeaders: ResponseHeaders = emptyHeaders();
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
