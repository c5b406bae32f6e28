// An incremental HTTP/1.1 response parser with the leniencies and the strictness of Go's net/http client
// (what blackbox_exporter uses), so a server's quirks pass or fail a probe as they do there: interim 1xx
// responses skipped (at most five), bare LF line endings and obsolete header folding accepted, equal duplicate
// Content-Length headers merged and conflicting ones refused, trailers and chunk extensions read and ignored,
// no body after HEAD, 1xx, 204 and 304. Pure: bytes in, callbacks out; the socket belongs to the caller.
import { ProbeFailure } from '../failure.js';
import type { ResponseHeaders } from './checks.js';

// Go's client accepts large header blocks (big cookies, CSP); Node's 16 KiB default would fail them.
export const MAX_HEADER_BYTES = 1024 * 1024;
// Header lines in one head (and in the trailers). Go has no count limit, only its 10 MB of header bytes;
// real responses have tens. A bound keeps a hostile head cheap to refuse (deliberate difference).
export const MAX_HEADER_FIELDS = 1000;
// Go's chunked reader refuses a chunk-size line longer than this ("http chunk line too long").
const MAX_CHUNK_LINE_BYTES = 4096;
const MAX_TRAILER_LINE_BYTES = 16 * 1024;
// net/http's transport gives up after this many 1xx responses before the final one.
const MAX_INTERIM_RESPONSES = 5;
const LF = 0x0a;
const CR = 0x0d;

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

export function headersTooLarge(message: string): ProbeFailure {
  return new ProbeFailure('headers_too_large', message);
}

/**
 * Finds the blank line that ends a head ("\n\n", "\r\n\r\n" or a mix) as bytes arrive, looking at each byte
 * once however the head is split into packets, and refusing a head past MAX_HEADER_BYTES or with more than
 * MAX_HEADER_FIELDS lines before it has all arrived.
 */
class HeadScanner {
  private buffer: Buffer | undefined;
  private length = 0;
  private scanned = 0;
  private lineStart = 0;
  private lines = 0;

  /**
   * Takes the next bytes. Returns the head block and the bytes after it once the blank line is in, else
   * undefined (the bytes are kept until the rest arrives).
   */
  push(data: Buffer): { head: Buffer; rest: Buffer } | undefined {
    if (this.length === 0) {
      // The usual case: the whole head in one packet, read where it lies.
      const end = this.scan(data, data.length);
      if (end >= 0) {
        this.reset();
        return { head: data.subarray(0, end), rest: data.subarray(end) };
      }
      this.checkSize(data.length);
      this.append(data);
      return undefined;
    }
    // Never copy more than one byte past the limit: the rest is either refused or after the head.
    const take = Math.min(data.length, MAX_HEADER_BYTES + 1 - this.length);
    this.append(data.subarray(0, take));
    const buffer = this.buffer as Buffer;
    const end = this.scan(buffer, this.length);
    if (end >= 0) {
      const head = Buffer.from(buffer.subarray(0, end));
      const rest = Buffer.concat([buffer.subarray(end, this.length), data.subarray(take)]);
      this.reset();
      return { head, rest };
    }
    this.checkSize(this.length);
    return undefined;
  }

  private scan(bytes: Buffer, length: number): number {
    for (;;) {
      const lf = bytes.indexOf(LF, this.scanned);
      if (lf < 0 || lf >= length) {
        this.scanned = length;
        return -1;
      }
      const lineLength = lf - this.lineStart;
      const end = lf + 1;
      if (lineLength === 0 || (lineLength === 1 && bytes[this.lineStart] === CR)) {
        if (end > MAX_HEADER_BYTES) throw headersTooLarge(`header block larger than ${MAX_HEADER_BYTES} bytes`);
        return end;
      }
      // The status line plus MAX_HEADER_FIELDS header lines.
      if (++this.lines > MAX_HEADER_FIELDS + 1) throw headersTooLarge(`more than ${MAX_HEADER_FIELDS} header lines`);
      this.lineStart = end;
      this.scanned = end;
    }
  }

  private checkSize(length: number): void {
    if (length > MAX_HEADER_BYTES) throw headersTooLarge(`header block larger than ${MAX_HEADER_BYTES} bytes`);
  }

  /** Grows by doubling, so a head dripped in byte by byte is copied O(n) times in all, not O(n²). */
  private append(data: Buffer): void {
    const needed = this.length + data.length;
    if (!this.buffer || this.buffer.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(MAX_HEADER_BYTES + 1, (this.buffer?.length ?? 2048) * 2)));
      this.buffer?.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    data.copy(this.buffer, this.length);
    this.length = needed;
  }

  private reset(): void {
    this.buffer = undefined;
    this.length = 0;
    this.scanned = 0;
    this.lineStart = 0;
    this.lines = 0;
  }
}

/** Lines of a head block, each without its "\r\n" or "\n". */
function headLines(block: string): string[] {
  return block.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** An empty header map that no header name can corrupt (`__proto__`, `constructor`). */
export function emptyHeaders(): ResponseHeaders {
  return Object.create(null) as ResponseHeaders;
}

export function parseHead(block: string): ParsedHead {
  const lines = headLines(block);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const statusLine = /^(HTTP\/\d\.\d) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw protocolError(`status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers = emptyHeaders();
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
    // Repeated names append in place: copying the array for each one made 40 000 duplicates take seconds.
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = [previous, value];
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
  private readonly heads = new HeadScanner();
  /** Bytes after the head not yet taken by the body framing (at most a partial chunk line or CRLF). */
  private pending: Buffer = Buffer.alloc(0);
  private framing: Framing | undefined;
  private interim = 0;
  private chunkRemaining = -1; // chunked: bytes left in the current chunk; -1 while reading a size line
  private inTrailers = false;
  private trailerLines = 0;
  private trailerBytes = 0;
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

  /** Feeds received bytes. Throws ProbeFailure on a malformed or oversized response. */
  push(data: Buffer): void {
    if (this.done) return;
    if (!this.framing) {
      this.pushHead(data);
      return;
    }
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

  /** Heads until the final one (interim 1xx responses are skipped), then the body bytes after it. */
  private pushHead(data: Buffer): void {
    let bytes = data;
    for (;;) {
      const found = this.heads.push(bytes);
      if (!found) return;
      const head = parseHead(found.head.toString('latin1'));
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        if (++this.interim > MAX_INTERIM_RESPONSES) throw protocolError(`more than ${MAX_INTERIM_RESPONSES} interim 1xx responses`);
        if (found.rest.length === 0) return;
        bytes = found.rest;
        continue;
      }
      this.framing = framingOf(this.method, head.status, head.headers);
      if (!this.callbacks.onHead(head)) {
        // Body not wanted (a redirect to follow): the transfer ends with the head.
        this.complete();
        return;
      }
      if (this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.remaining === 0)) {
        this.complete();
        return;
      }
      this.pending = found.rest;
      while (!this.done && this.pending.length > 0 && this.step());
      return;
    }
  }

  /** Parses what it can of the body; returns false when more bytes are needed (or parsing is over). */
  private step(): boolean {
    const framing = this.framing as Framing;
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

  private readChunked(): boolean {
    if (this.chunkRemaining < 0) {
      const eol = this.pending.indexOf(LF);
      const limit = this.inTrailers ? MAX_TRAILER_LINE_BYTES : MAX_CHUNK_LINE_BYTES;
      if (eol < 0) {
        // A line that never ends must not grow the buffer for ever.
        if (this.pending.length > limit) {
          throw this.inTrailers ? headersTooLarge(`trailer line longer than ${limit} bytes`) : protocolError(`chunk size line longer than ${limit} bytes`);
        }
        return false;
      }
      if (eol > limit) throw this.inTrailers ? headersTooLarge(`trailer line longer than ${limit} bytes`) : protocolError(`chunk size line longer than ${limit} bytes`);
      let line = this.pending.toString('latin1', 0, eol);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.pending = this.pending.subarray(eol + 1);
      if (this.inTrailers) {
        // Trailer fields are read and ignored; the blank line ends the response.
        if (line === '') this.complete();
        else if (++this.trailerLines > MAX_HEADER_FIELDS || (this.trailerBytes += eol + 1) > MAX_HEADER_BYTES) {
          throw headersTooLarge(`trailers larger than ${MAX_HEADER_FIELDS} lines or ${MAX_HEADER_BYTES} bytes`);
        }
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
    if (this.pending[0] !== CR || this.pending[1] !== LF) throw protocolError('chunk data not followed by CRLF');
    this.pending = this.pending.subarray(2);
    this.chunkRemaining = -1;
    return this.pending.length > 0;
  }
}
