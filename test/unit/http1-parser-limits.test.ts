// The HTTP/1.1 parser's bounds, byte by byte: how many header lines and bytes it keeps, how long a chunk-size
// or trailer line may be, and header names that would corrupt a plain object (__proto__, constructor).
import { describe, expect, it } from 'vitest';
import { ProbeFailure } from '../../shared/probing/failure.js';
import { Http1ResponseParser, MAX_HEADER_BYTES, MAX_HEADER_FIELDS, type ParsedHead } from '../../shared/probing/http/http1-parser.js';

function run(pieces: Array<string | Buffer>): { head?: ParsedHead; body: number; complete: boolean; failure?: ProbeFailure } {
  const out: { head?: ParsedHead; body: number; complete: boolean; failure?: ProbeFailure } = { body: 0, complete: false };
  const parser = new Http1ResponseParser('GET', {
    onHead: (head) => {
      out.head = head;
      return true;
    },
    onBody: (chunk) => (out.body += chunk.length),
    onComplete: () => (out.complete = true),
  });
  try {
    for (const piece of pieces) parser.push(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
  } catch (err) {
    if (!(err instanceof ProbeFailure)) throw err;
    out.failure = err;
  }
  return out;
}

describe('HTTP/1.1 parser limits', () => {
  it('keeps every value of a repeated header, up to the line limit', () => {
    const out = run([`HTTP/1.1 200 OK\r\n${'X-Dup: v\r\n'.repeat(MAX_HEADER_FIELDS - 1)}Content-Length: 2\r\n\r\nok`]);
    expect(out.failure).toBeUndefined();
    expect(out.head?.headers['x-dup']).toHaveLength(MAX_HEADER_FIELDS - 1);
    expect(out.complete).toBe(true);
  });

  it('refuses one line more as headers_too_large, also when the head arrives a byte at a time', () => {
    const text = `HTTP/1.1 200 OK\r\n${'X-Dup: v\r\n'.repeat(MAX_HEADER_FIELDS + 1)}\r\nok`;
    for (const pieces of [[text], [...text]]) {
      const out = run(pieces);
      expect(out.failure?.reason).toBe('headers_too_large');
      expect(out.failure?.message).toBe(`more than ${MAX_HEADER_FIELDS} header lines`);
      expect(out.head).toBeUndefined();
    }
  });

  it('refuses a head past 1 MiB before its end arrives, and one that ends just past it', () => {
    const line = Buffer.alloc(MAX_HEADER_BYTES, 0x61);
    const endless = run(['HTTP/1.1 200 OK\r\nX-Big: ', line]);
    expect(endless.failure?.reason).toBe('headers_too_large');
    const over = run([`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`]);
    expect(over.failure?.reason).toBe('headers_too_large');
    const under = run([`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES - 100)}\r\n\r\n`]);
    expect(under.failure).toBeUndefined();
    expect(under.head?.headers['x-big']).toHaveLength(MAX_HEADER_BYTES - 100);
  });

  it('stores __proto__, constructor and toString as ordinary headers', () => {
    const out = run(['HTTP/1.1 200 OK\r\n__proto__: a\r\nconstructor: b\r\nconstructor: c\r\ntoString: d\r\nhasOwnProperty: e\r\nContent-Length: 0\r\n\r\n']);
    const headers = out.head?.headers ?? {};
    expect(Object.getPrototypeOf(headers)).toBeNull();
    expect({ ...headers }).toEqual({ ['__proto__']: 'a', constructor: ['b', 'c'], tostring: 'd', hasownproperty: 'e', 'content-length': '0' });
  });

  it('refuses a chunk-size line without end (4 KiB, as Go) and trailers without end', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(run([chunked, 'f'.repeat(5000)]).failure?.message).toBe('invalid HTTP response: chunk size line longer than 4096 bytes');
    expect(run([chunked, `${'0'.repeat(4097)}\r\n`]).failure?.message).toBe('invalid HTTP response: chunk size line longer than 4096 bytes');
    const trailers = run([chunked, '0\r\n', ...Array.from({ length: MAX_HEADER_FIELDS + 1 }, () => 'X-T: v\r\n')]);
    expect(trailers.failure?.reason).toBe('headers_too_large');
    expect(run([chunked, '0\r\n', 'X-T: '.padEnd(20_000, 'v')]).failure?.reason).toBe('headers_too_large');
  });

  it('reads a body of any size without keeping it', () => {
    const piece = Buffer.alloc(64 * 1024);
    const out = run(['HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n', ...Array.from({ length: 1024 }, () => piece)]);
    expect(out.body).toBe(64 * 1024 * 1024);
    expect(out.complete).toBe(true);
  });
});
