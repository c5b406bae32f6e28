// What the targets file refuses because it would hurt at run time: intervals a timer cannot keep (4w) or that
// hammer a target (under 1s), timeouts past a timer's range, header names and values that would split or
// corrupt a request (CR/LF, spaces, `__proto__`), and headers HTTP/2 forbids when enable_http2 may use it.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseTargetsFile } from '../../shared/config/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

beforeAll(() => loadRegexEngine());

const FILE = 'targets/limits.yml';

function problems(yaml: string): string[] {
  try {
    parseTargetsFile(yaml, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected the file to be refused');
}

const group = (extra: string, target = 'http: { url: "http://127.0.0.1:8080/" }') => `
groups:
  - name: web
${extra}
    targets:
      - name: a
        ${target}
`;

describe('intervals and timeouts', () => {
  it.each(['4w', '25h', '999ms', '0.5s', '"0"'])('refuses interval %s', (interval) => {
    expect(problems(group(`    interval: ${interval}`))).toContain(`${FILE}: groups[0].interval: must be between 1s and 24h (an interval is how often the targets are probed)`);
  });

  it.each([
    ['1s', 1_000],
    ['24h', 86_400_000],
    ['1m30s', 90_000],
  ])('accepts interval %s', (interval, ms) => {
    expect(parseTargetsFile(group(`    interval: ${interval}`), FILE).groups[0]?.interval).toBe(ms);
  });

  it('bounds defaults too, and timeouts at 1h', () => {
    expect(problems(`defaults: { interval: 100ms, timeout: 2h }\n${group('')}`)).toEqual([
      `${FILE}: defaults.timeout: must be longer than 0 and at most 1h`,
      `${FILE}: defaults.interval: must be between 1s and 24h (an interval is how often the targets are probed)`,
    ]);
    expect(problems(group('    timeout: 4w'))).toContain(`${FILE}: groups[0].timeout: must be longer than 0 and at most 1h`);
  });
});

describe('request headers', () => {
  it('refuses CR, LF and other control characters in a value, naming the header', () => {
    for (const value of ['"a\\r\\nInjected: 1"', '"a\\nb"', '"nul\\0"', '"esc\\e[2J"']) {
      const out = problems(group('', `http: { url: "http://127.0.0.1:8080/", headers: { X-A: ${value} } }`));
      expect(out[0]).toMatch(/^targets\/limits\.yml: groups\[0\]\.targets\[0\]\.http\.headers\.X-A: the value of header X-A contains a control character \(U\+00(0D|0A|00|1B)\)/);
    }
    expect(parseTargetsFile(group('', 'http: { url: "http://127.0.0.1:8080/", headers: { X-A: "tab\\there" } }'), FILE).groups[0]?.targets[0]?.http?.headers['X-A']).toBe('tab\there');
  });

  it('refuses header names that are not tokens', () => {
    for (const name of ['"bad name"', '"x:y"', '""', '"ümlaut"']) {
      expect(problems(group('', `http: { url: "http://127.0.0.1:8080/", headers: { ${name}: v } }`))[0]).toMatch(/is not a valid header name/);
    }
  });

  it('refuses __proto__ instead of dropping it silently; constructor is an ordinary name', () => {
    expect(problems(group('', 'http: { url: "http://127.0.0.1:8080/", headers: { __proto__: x } }'))).toEqual([
      `${FILE}: groups[0].targets[0].http.headers.__proto__: "__proto__" is not accepted as a header name`,
    ]);
    const headers = parseTargetsFile(group('', 'http: { url: "http://127.0.0.1:8080/", headers: { constructor: y, toString: z } }'), FILE).groups[0]?.targets[0]?.http?.headers;
    expect(headers).toEqual({ constructor: 'y', toString: 'z' });
  });

  it('refuses what HTTP/2 forbids only when enable_http2 may use it, as Go does', () => {
    const h2 = (headers: string, enable = true) => group('', `http: { url: "https://127.0.0.1:8443/", enable_http2: ${enable}, headers: { ${headers} } }`);
    expect(problems(h2('TE: gzip'))).toEqual([
      `${FILE}: groups[0].targets[0].http.headers.TE: header "TE: gzip" cannot be sent over HTTP/2, which enable_http2 allows: only "TE: trailers" is allowed`,
    ]);
    expect(problems(h2('Upgrade: websocket'))[0]).toContain('headers.Upgrade: header "Upgrade: websocket" cannot be sent over HTTP/2');
    expect(problems(h2('Connection: upgrade'))[0]).toContain('headers.Connection');
    expect(problems(h2('Transfer-Encoding: gzip'))[0]).toContain('headers.Transfer-Encoding');
    for (const fine of ['TE: trailers', 'Connection: close', 'Connection: keep-alive', 'Keep-Alive: timeout=5', 'Transfer-Encoding: chunked']) {
      expect(() => parseTargetsFile(h2(fine), FILE), fine).not.toThrow();
    }
    expect(() => parseTargetsFile(h2('TE: gzip', false), FILE)).not.toThrow();
  });

  it('checks the steps of a multi-step check and gRPC metadata the same way', () => {
    expect(problems(group('', 'steps: [{ name: s, url: "https://127.0.0.1/", enable_http2: true, headers: { TE: gzip } }]'))[0]).toContain('targets[0].steps[0].headers.TE: header "TE: gzip" cannot be sent over HTTP/2');
    expect(problems(group('', 'steps: [{ name: s, url: "https://127.0.0.1/", headers: { X-A: "a\\nb" } }]'))[0]).toContain('targets[0].steps[0].headers.X-A: the value of header X-A contains a control character');
    expect(problems(group('', 'grpc: { address: "127.0.0.1:50051", metadata: { te: gzip } }'))[0]).toContain('grpc.metadata.te: "te" is an HTTP/2 connection header, not metadata');
    expect(problems(group('', 'grpc: { address: "127.0.0.1:50051", metadata: { x-a: "a\\r\\nb" } }'))[0]).toContain('grpc.metadata.x-a: the value of header x-a contains a control character');
  });
});
