// An incremental HTTP/1.1 response parser with the leniencies and the strictness of Go's net/http client
// (what blackbox_exporter uses), so a server's quirks pass or fail a probe as they do there: interim 1xx
// responses skipped (at most five), bare LF line endings and obsolete header folding accepted, equal duplicate
// Content-Length headers merged and conflicting ones refused, trailers and chunk extensions read and ignored,
// no body after HEAD, 1xx, 204 and 304. Pure: bytes in, callbacks out; the socket belongs to the caller.
import { ProbeFailure } from '../failure.js';
import type { ResponseHeaders } from './checks.js';

// Go's client accepts large header blocks (big cookies, CSP); Node's 16 KiB default would fail them.
const MAX_HEADER_BYTES = 1024 * 1024;
// net/http's transport gives up after this many 1xx responses before the final one.
const MAX_INTERIM_RESPONSES = 5;
const LF = 0x0a;

export interface ParsedHead {
  status: number;
  version: string;
  headers: ResponseHeaders;
}

export interface ResponseCallbacks {
  /** The final response head. Return false when the body is not wanted: parsing stops there. */
  onHead(head: ParsedHead): boolean;
  onBody(chunk: Buffer): void;
  /** The response is complete (framing satisfied, or — when `closeDelimited` — the peer closed). */
  onComplete(): void;
}

type Framing = { kind: 'none' } | { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' };

export function protocolError(message: string): ProbeFailure {
  return new ProbeFailure('network', `invalid HTTP response: ${message}`);
}

/** Index just past the blank line that ends a head ("\n\n", "\r\n\r\n" or a mix), or -1. */
function headEnd(buffer: Buffer): number {
  let from = 0;
  for (;;) {
    const lf = buffer.indexOf(LF, from);
    if (lf < 0) return -1;
    const next = buffer[lf + 1];
    if (next === LF) return lf + 2;
    if (next === 0x0d && buffer[lf + 2] === LF) return lf + 3;
    if (next === undefined || (next === 0x0d && buffer[lf + 2] === undefined)) return -1;
    from = lf + 1;
  }
}

/** Lines of a head block, each without its "\r\n" or "\n". */
function headLines(block: string): string[] {
  return block.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export function parseHead(block: string): ParsedHead {
  const lines = headLines(block);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const statusLine = /^(HTTP\/\d\.\d) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw protocolError(`status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: ResponseHeaders = {};
  let last: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Obsolete line folding (RFC 7230 3.2.4): Go's textproto joins the continuation with one space.
      if (last === undefined) throw protocolError(`header continuation without a header ${JSON.stringify(line.slice(0, 80))}`);
      const value = headers[last] as string | string[];
      const folded = line.trim();
      if (Array.isArray(value)) value[value.length - 1] = `${value[value.length - 1] as string} ${folded}`.trim();
      else headers[last] = `${value} ${folded}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw protocolError(`header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
    last = name;
  }
  mergeContentLength(headers);
  return { status: Number(statusLine[2]), version: statusLine[1] as string, headers };
}

/** Go's fixLength hardening: equal duplicates become one header; differing ones are refused. */
function mergeContentLength(headers: ResponseHeaders): void {
  const lengths = headers['content-length'];
  if (!Array.isArray(lengths)) return;
  const first = (lengths[0] as string).trim();
  if (lengths.some((value) => value.trim() !== first)) {
    throw protocolError(`conflicting Content-Length headers ${JSON.stringify(lengths)}`);
  }
  headers['content-length'] = first;
}

function framingOf(method: string, status: number, headers: ResponseHeaders): Framing {
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: 'none' };
  const encoding = headers['transfer-encoding'];
  const encodings = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).toLowerCase();
  if (/(^|,)\s*chunked\s*$/.test(encodings)) return { kind: 'chunked' };
  const length = headers['content-length'] as string | undefined;
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw protocolError(`content-length ${JSON.stringify(length)}`);
    return { kind: 'length', remaining: Number(length) };
  }
  return { kind: 'close' };
}

export class Http1ResponseParser {
  private pending: Buffer = Buffer.alloc(0);
  private framing: Framing | undefined;
  private interim = 0;
  private chunkRemaining = -1; // chunked: bytes left in the current chunk; -1 while reading a size line
  private inTrailers = false;
  private done = false;

  constructor(
    private readonly method: string,
    private readonly callbacks: ResponseCallbacks,
  ) {}

  /** True when the body runs until the peer closes the connection. */
  get closeDelimited(): boolean {
    return this.framing?.kind === 'close';
  }

  /** True once the head has been read. */
  get headRead(): boolean {
    return this.framing !== undefined;
  }

  /** Feeds received bytes. Throws ProbeFailure on a malformed response. */
  push(data: Buffer): void {
    if (this.done) return;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (!this.done && this.step());
  }

  /** The peer closed the connection: completes a close-delimited body, otherwise throws. */
  end(): void {
    if (this.done) return;
    if (this.framing?.kind === 'close') return this.complete();
    throw Object.assign(new Error(this.framing ? 'connection closed before the body ended' : 'connection closed before a response'), { code: 'ECONNRESET' });
  }

  private complete(): void {
    this.done = true;
    this.callbacks.onComplete();
  }

  private deliver(chunk: Buffer): void {
    if (chunk.length > 0) this.callbacks.onBody(chunk);
  }

  /** Parses what it can; returns false when more bytes are needed (or parsing is over). */
  private step(): boolean {
    if (!this.framing) return this.readHead();
    const framing = this.framing;
    if (framing.kind === 'close') {
      this.deliver(this.pending);
      this.pending = Buffer.alloc(0);
      return false;
    }
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, this.pending.length);
      this.deliver(this.pending.subarray(0, take));
      framing.remaining -= take;
      this.pending = this.pending.subarray(take);
      if (framing.remaining === 0) this.complete();
      return false;
    }
    return this.readChunked();
  }

  private readHead(): boolean {
    const end = headEnd(this.pending);
    if (end < 0) {
      if (this.pending.length > MAX_HEADER_BYTES) throw protocolError('header block larger than 1 MiB');
      return false;
    }
    const head = parseHead(this.pending.toString('latin1', 0, end));
    this.pending = this.pending.subarray(end);
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      if (++this.interim > MAX_INTERIM_RESPONSES) throw protocolError(`more than ${MAX_INTERIM_RESPONSES} interim 1xx responses`);
      return true;
    }
    this.framing = framingOf(this.method, head.status, head.headers);
    if (!this.callbacks.onHead(head)) {
      // Body not wanted (a redirect to follow): the transfer ends with the head.
      this.complete();
      return false;
    }
    if (this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.remaining === 0)) {
      this.complete();
      return false;
    }
    return this.pending.length > 0;
  }

  private readChunked(): boolean {
    if (this.chunkRemaining < 0) {
      const eol = this.pending.indexOf(LF);
      if (eol < 0) return false;
      let line = this.pending.toString('latin1', 0, eol);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.pending = this.pending.subarray(eol + 1);
      if (this.inTrailers) {
        // Trailer fields are read and ignored; the blank line ends the response.
        if (line === '') this.complete();
        return !this.done && this.pending.length > 0;
      }
      const sizeText = (line.split(';')[0] as string).trim();
      if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw protocolError(`chunk size ${JSON.stringify(line.slice(0, 40))}`);
      const size = parseInt(sizeText, 16);
      if (size === 0) this.inTrailers = true;
      else this.chunkRemaining = size;
      return this.pending.length > 0;
    }
    if (this.chunkRemaining > 0) {
      const take = Math.min(this.chunkRemaining, this.pending.length);
      this.deliver(this.pending.subarray(0, take));
      this.chunkRemaining -= take;
      this.pending = this.pending.subarray(take);
      if (this.chunkRemaining > 0) return false;
    }
    if (this.pending.length < 2) return false;
    // Go's chunked reader insists on CRLF after the chunk data.
    if (this.pending[0] !== 0x0d || this.pending[1] !== LF) throw protocolError('chunk data not followed by CRLF');
    this.pending = this.pending.subarray(2);
    this.chunkRemaining = -1;
    return this.pending.length > 0;
  }
}
