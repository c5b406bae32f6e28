// fast-check arbitraries for targets files: documents shaped like a targets file (with the values that have
// broken loaders: bad durations, header names and values that split a request, __proto__), and any YAML-able
// document biased towards the file's field names. Used by the loader's fuzzing (test/unit/fuzz.test.ts) and by
// `periscope validate` on generated files (test/integration/validate-generated.test.ts).
import fc from 'fast-check';

const FIELD_NAMES = [
  'labels', 'defaults', 'groups', 'name', 'interval', 'timeout', 'targets', 'http', 'tcp', 'dns', 'grpc', 'postgres', 'steps', 'url', 'method',
  'headers', 'body', 'valid_status_codes', 'enable_http2', 'fail_if_body_matches_regexp', 'body_size_limit', 'compression', 'address',
  'query_response', 'expect', 'send', 'server', 'query_name', 'metadata', 'variables_from', 'extract', 'json', 'public', 'slo', 'discovery',
  '__proto__', 'constructor', 'toString',
];
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('1m', '0', '4w', '500ms', '1s', '24h', '25h', 'http://127.0.0.1:1/', 'https://[::1]:8443/x', 'env:X', 'ssm:/a', 'GET', 'ip6', '(a+)+$', '(?i)ok', '${v}', 'a\r\nb'),
);
const key = fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 }));
/** Any YAML-able document, biased towards the targets file's own field names. */
export const anyDocument = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 5 })),
})).node;

const headerName = fc.oneof(fc.constantFrom('Accept', 'X-Api-Key', 'TE', 'Connection', 'Upgrade', 'Transfer-Encoding', 'Keep-Alive', '__proto__', 'constructor', 'bad name', 'x:y', ''), fc.string({ maxLength: 10 }));
const headerValue = fc.oneof(fc.constantFrom('gzip', 'trailers', 'close', 'chunked', 'upgrade', 'a\r\nInjected: 1', 'tab\there', '${v}', '\u0000'), fc.string({ maxLength: 12 }));
const duration = fc.oneof(fc.constantFrom('0', '1ms', '999ms', '1s', '30s', '1m', '24h', '25h', '4w', '1y', 'soon', '-1s'), fc.string({ maxLength: 6 }));
const httpBlock = fc.record(
  {
    url: fc.oneof(fc.constantFrom('http://127.0.0.1:8080/health', 'https://localhost/', 'ftp://x/', 'http://u:p@h/', 'http://[bad/'), fc.string({ maxLength: 10 })),
    method: fc.constantFrom('GET', 'POST', 'get'),
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
    enable_http2: fc.boolean(),
    body_size_limit: fc.oneof(fc.constantFrom('1MB', '64KB', 'lots'), fc.integer()),
    fail_if_body_matches_regexp: fc.array(fc.constantFrom('ok', '(', '(?i)down', '\\C'), { maxLength: 2 }),
  },
  { requiredKeys: ['url'] },
);
const target = fc.record(
  {
    name: fc.oneof(fc.constantFrom('api', 'db-1', 'bad name', ''), fc.string({ maxLength: 8 })),
    timeout: duration,
    http: httpBlock,
    steps: fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'a'), url: fc.constantFrom('http://h/${v}', 'http://h/x'), headers: fc.dictionary(headerName, headerValue, { maxKeys: 3 }), variables_from: fc.constantFrom({}, { v: 'env:V' }) }, { requiredKeys: ['name', 'url'] }), { maxLength: 2 }),
    grpc: fc.record({ address: fc.constantFrom('127.0.0.1:50051', 'x'), metadata: fc.dictionary(headerName, headerValue, { maxKeys: 2 }) }, { requiredKeys: ['address'] }),
    tcp: fc.record({ address: fc.constantFrom('127.0.0.1:25', 'nohost'), query_response: fc.array(fc.record({ expect: fc.constantFrom('^220', '('), send: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: ['address'] }),
  },
  { requiredKeys: ['name'] },
);
export const targetsFileDocument = fc.record(
  {
    defaults: fc.record({ interval: duration, timeout: duration }, { requiredKeys: [] }),
    groups: fc.array(fc.record({ name: fc.constantFrom('web', 'Bad_Name', 'db'), interval: duration, targets: fc.array(target, { maxLength: 3 }) }, { requiredKeys: ['name'] }), { maxLength: 2 }),
    labels: fc.dictionary(key, fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);
