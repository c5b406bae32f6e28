// Property-based fuzzing (fast-check) of what reads outside input: the targets loader (random YAML text and
// random targets-file-shaped documents), the HTTP/1.1 response parser, the DNS reply decoder and the gRPC
// response decoders. Whatever comes in, each answers with its own coded error (ConfigError naming the file;
// ProbeFailure; a coded socket error) or a value — never another exception (`periscope validate` on generated
// files is test/integration/validate-generated.test.ts). Run counts are chosen so the
// file takes seconds; a failure prints its seed and the shrunk input, so it can be replayed.
// The seed is fixed so CI judges the change under test, not the draw: FUZZ_SEED=random (or a number)
// explores new inputs locally.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseTargetsFile } from '../../shared/config/index.js';
import { headerProblem, MAX_INTERVAL_MS, MIN_INTERVAL_MS } from '../../shared/config/fields.js';
import { loadDnsPacket, type DnsPacketModule } from '../../shared/probing/dns/load-dns-packet.js';
import { decodeReply } from '../../shared/probing/dns/reply.js';
import { ProbeFailure } from '../../shared/probing/failure.js';
import { callStatus, decodeStatusMessage, firstMessage, MAX_RECEIVE_MESSAGE_BYTES, servingStatus, UnaryResponseBody } from '../../shared/probing/grpc/protocol.js';
import { Http1ResponseParser, MAX_HEADER_FIELDS } from '../../shared/probing/http/http1-parser.js';
import { loadRegexEngine } from '../../shared/regex/index.js';
import { anyDocument, targetsFileDocument } from '../support/targets-arbitraries.js';

const FUZZ_SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261207);
fc.configureGlobal({ seed: FUZZ_SEED });

const FILE = 'fuzz/targets.yml';
let dnsPacket: DnsPacketModule;

beforeAll(async () => {
  await loadRegexEngine();
  dnsPacket = await loadDnsPacket();
});

// ---- the targets loader ---------------------------------------------------------------------------------

/** Loads `text` as the loader does for `periscope validate`; returns what came out, or the problems. */
function load(text: string): { ok: true; file: ReturnType<typeof parseTargetsFile> } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, file: parseTargetsFile(text, FILE) };
  } catch (err) {
    // Anything but a ConfigError is the failure this property looks for.
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, error: err };
  }
}

function expectWellFormedProblems(error: ConfigError): void {
  expect(error.file).toBe(FILE);
  expect(error.problems.length).toBeGreaterThan(0);
  for (const problem of error.problems) {
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.message).not.toMatch(/internal error|\n\s+at /i);
  }
  expect(error.message.startsWith(`${FILE}: `)).toBe(true);
}

/** What any accepted file guarantees, whatever was generated. */
function expectSaneFile(file: ReturnType<typeof parseTargetsFile>): void {
  for (const interval of [file.defaults.interval, ...file.groups.map((g) => g.interval)]) {
    if (interval !== undefined) expect(interval >= MIN_INTERVAL_MS && interval <= MAX_INTERVAL_MS).toBe(true);
  }
  for (const t of file.groups.flatMap((g) => g.targets)) {
    for (const headers of [t.http?.headers, ...(t.steps ?? []).map((s) => s.headers)]) {
      for (const [name, value] of Object.entries(headers ?? {})) {
        expect(headerProblem(name, value)).toBeUndefined();
        expect(name).not.toBe('__proto__');
      }
      expect(Object.getPrototypeOf(headers ?? {})).toBe(Object.prototype);
    }
  }
}

describe('the targets loader', () => {
  it('answers random YAML text with a file or a ConfigError naming the file', () => {
    const yamlish = fc.stringMatching(/^[\s\S]{0,120}$/).map((s) => s.replace(/\0/g, ''));
    const fragments = fc.array(fc.constantFrom('groups:\n', '  - name: web\n', '    targets:\n', '      - ', 'name: a\n', '        http: {url: "http://x/"}\n', '&a ', '*a\n', '<<: *a\n', '!!binary ', '"', "'", '[', '{', ': ', '- ', '\t', '---\n', '%YAML 1.2\n', '? '), { maxLength: 25 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(yamlish, fragments), (text) => {
        const out = load(text);
        if (out.ok) expectSaneFile(out.file);
        else expectWellFormedProblems(out.error);
      }),
      { numRuns: 400 },
    );
  });

  it('answers random documents shaped like targets files: accepted ones are sane, refused ones name the field', () => {
    fc.assert(
      fc.property(fc.oneof(targetsFileDocument, anyDocument), (doc) => {
        const out = load(stringify(doc));
        if (out.ok) expectSaneFile(out.file);
        else {
          expectWellFormedProblems(out.error);
          // A document that is a mapping is refused field by field: a path, or the unknown fields' names.
          if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && Object.keys(doc).length > 0) {
            for (const problem of out.error.problems) expect(problem.path !== '' || /^unknown fields? "/.test(problem.message), problem.message).toBe(true);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---- the HTTP/1.1 parser --------------------------------------------------------------------------------

type ParseOutcome = { status?: number; headerCount?: number; body: string; complete: boolean; error?: string; reason?: string };

function parse(bytes: Uint8Array, method: string, cuts: number[], peerCloses: boolean): ParseOutcome {
  const outcome: ParseOutcome = { body: '', complete: false };
  const parser = new Http1ResponseParser(method, {
    onHead: (head) => {
      outcome.status = head.status;
      outcome.headerCount = Object.keys(head.headers).length;
      expect(Object.getPrototypeOf(head.headers)).toBeNull();
      return true;
    },
    onBody: (chunk) => (outcome.body += chunk.toString('latin1')),
    onComplete: () => (outcome.complete = true),
  });
  const buffer = Buffer.from(bytes);
  const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
  try {
    let from = 0;
    for (const point of [...points, buffer.length]) {
      if (point > from) parser.push(buffer.subarray(from, point));
      from = Math.max(from, point);
    }
    if (peerCloses) parser.end();
  } catch (err) {
    if (err instanceof ProbeFailure) outcome.reason = err.reason;
    else if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') outcome.reason = 'reset';
    else throw err; // not a coded error: the property fails
    outcome.error = (err as Error).message;
  }
  return outcome;
}

const line = (parts: string[]) => parts.join('');
const responseHead = fc
  .tuple(
    fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.0 204 No Content', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK', 'HTTP/1.1 304', 'http/1.1 200 OK', 'HTTP/1.1 2000 X', ''),
    fc.array(
      fc.oneof(
        fc.constantFrom('Content-Length: 5', 'Content-Length: 2', 'Content-Length: -1', 'Transfer-Encoding: chunked', '__proto__: x', 'constructor: y', 'Set-Cookie: a=b', ' folded', 'no colon', 'X-Dup: 1'),
        fc.tuple(fc.stringMatching(/^[A-Za-z-]{0,8}$/), fc.stringMatching(/^[ -~]{0,10}$/)).map(([k, v]) => `${k}: ${v}`),
      ),
      { maxLength: 8 },
    ),
    fc.constantFrom('\r\n', '\n'),
    fc.oneof(fc.constantFrom('hello', '2\r\nok\r\n0\r\n\r\n', '5;x=y\r\nhello\r\n0\r\nTrailer: v\r\n\r\n', 'zz\r\n', 'ffffffffffffffff\r\n', ''), fc.stringMatching(/^[\s\S]{0,20}$/)),
  )
  .map(([status, headers, eol, body]) => line([status, eol, ...headers.map((h) => `${h}${eol}`), eol, body]));

describe('the HTTP/1.1 response parser', () => {
  it('throws only its coded errors, whatever the bytes, and gives the same result however they are split', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), responseHead.map((text) => new Uint8Array(Buffer.from(text, 'latin1'))));
    fc.assert(
      fc.property(bytes, fc.constantFrom('GET', 'HEAD'), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (input, method, cuts, closes) => {
        const whole = parse(input, method, [], closes);
        const split = parse(input, method, cuts, closes);
        expect(split).toEqual(whole);
        if (whole.headerCount !== undefined) expect(whole.headerCount).toBeLessThanOrEqual(MAX_HEADER_FIELDS);
      }),
      { numRuns: 600 },
    );
  });

  it('refuses a head with too many lines as headers_too_large, whatever their names', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_HEADER_FIELDS + 1, max: MAX_HEADER_FIELDS + 50 }), fc.constantFrom('X-Dup', '__proto__', 'constructor'), fc.nat({ max: 4000 }), (count, name, cut) => {
        const text = `HTTP/1.1 200 OK\r\n${`${name}: v\r\n`.repeat(count)}\r\nbody`;
        const outcome = parse(new Uint8Array(Buffer.from(text)), 'GET', [cut], true);
        expect(outcome.reason).toBe('headers_too_large');
        expect(outcome.status).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  });
});

// ---- the DNS reply decoder ------------------------------------------------------------------------------

describe('the DNS reply decoder', () => {
  function decodes(raw: Uint8Array, queryType: string): void {
    try {
      const reply = decodeReply(dnsPacket, Buffer.from(raw), queryType);
      expect(reply.rcode).toBeGreaterThanOrEqual(0);
      for (const record of [...reply.answers, ...reply.authorities, ...reply.additionals]) expect(typeof record).toBe('string');
    } catch (err) {
      if (!(err instanceof ProbeFailure)) throw err;
      expect(err.reason).toBe('dns_query');
    }
  }

  it('gives a reply or a dns_query failure for random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('A', 'SOA', 'TXT'), (raw, type) => decodes(raw, type)), { numRuns: 1500 });
  });

  it('gives a reply or a dns_query failure for real replies with bytes changed or cut off', () => {
    const reply = (): Buffer =>
      dnsPacket.encode({
        type: 'response',
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'A', name: 'example.internal' }],
        answers: [
          { type: 'A', name: 'example.internal', ttl: 60, data: '10.1.2.3' },
          { type: 'TXT', name: 'example.internal', ttl: 60, data: ['v=1', 'x\u0001y'] },
          { type: 'SOA', name: 'internal', ttl: 60, data: { mname: 'ns.internal', rname: 'admin.internal', serial: 42, refresh: 1, retry: 2, expire: 3, minimum: 4 } },
          { type: 'AAAA', name: 'example.internal', ttl: 60, data: '2001:db8::1' },
        ],
      });
    const original = reply();
    const mutated = fc
      .tuple(fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat({ max: original.length }))
      .map(([changes, keep]) => {
        const bytes = Buffer.from(original);
        for (const [at, value] of changes) bytes[at] = value;
        return new Uint8Array(bytes.subarray(0, keep));
      });
    fc.assert(fc.property(mutated, fc.constantFrom('A', 'SOA'), (raw, type) => decodes(raw, type)), { numRuns: 1500 });
  });
});

// ---- the gRPC response decoders -------------------------------------------------------------------------

describe('the gRPC response decoders', () => {
  it('read any body without throwing, keeping at most one message', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (chunks) => {
        const body = new UnaryResponseBody();
        let problem: { status: number; message: string } | undefined;
        for (const chunk of chunks) {
          problem = body.push(Buffer.from(chunk));
          if (problem) break;
        }
        const bytes = body.bytes();
        if (problem) expect([8, 13]).toContain(problem.status);
        else {
          const declared = bytes.length >= 5 ? bytes.readUInt32BE(1) : 0;
          expect(bytes.length).toBeLessThanOrEqual(5 + Math.max(declared, 0));
          const message = firstMessage(bytes);
          if (typeof message !== 'string') {
            const serving = servingStatus(message);
            expect(serving === undefined || typeof serving === 'string').toBe(true);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses a message declared larger than grpc-go receives, before it arrives', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_RECEIVE_MESSAGE_BYTES + 1, max: 0xffffffff }), (declared) => {
        const head = Buffer.alloc(5);
        head.writeUInt32BE(declared, 1);
        expect(new UnaryResponseBody().push(head)?.status).toBe(8);
      }),
      { numRuns: 200 },
    );
  });

  it('decodes any HealthCheckResponse bytes to a status name or undefined, and any status text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 20 }), fc.option(fc.integer({ min: 100, max: 599 })), (message, text, http) => {
        const serving = servingStatus(message);
        expect(serving === undefined || typeof serving === 'string').toBe(true);
        expect(typeof (decodeStatusMessage(text) ?? '')).toBe('string');
        expect(Number.isInteger(callStatus(http ?? undefined, text))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
