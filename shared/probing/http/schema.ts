// The `http` module block: blackbox_exporter's http prober keys (so a blackbox.yml module can be pasted), plus
// json_body. Multi-step checks (../steps/schema.ts) reuse the same fields for each step.
import * as z from 'zod/mini';
import { byteSize, headerMap, ipProtocol, literalSecret, regexp, secretRef, tlsConfigSchema, urlOf, yamlBoolean } from '../../config/fields.js';

const headerMatch = z.strictObject({
  header: z.string().check(z.minLength(1)),
  regexp,
  allow_missing: z._default(yamlBoolean, false),
});

const jsonPathAssertion = z
  .strictObject({
    path: z.string().check(z.minLength(1)),
    equals: z.optional(z.unknown()),
    regexp: z.optional(regexp),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    exists: z.optional(yamlBoolean),
  })
  .check(
    z.refine((a) => a.equals !== undefined || a.regexp !== undefined || a.min !== undefined || a.max !== undefined || a.exists !== undefined, {
      message: 'a path assertion needs one of equals, regexp, min, max or exists',
    }),
  );

const basicAuth = z.strictObject({
  username: z.string(),
  password: literalSecret('password'),
  password_from: z.optional(secretRef),
  password_file: z.optional(z.string()),
});

const httpUrl = urlOf(['http:', 'https:'], (scheme) => `URL scheme must be http or https, not ${scheme}`, 'basic_auth.password_from');

export const httpModuleFields = z.strictObject({
  url: httpUrl,
  method: z._default(z.string().check(z.regex(/^[A-Z]+$/, 'must be an HTTP method in capitals, e.g. GET')), 'GET'),
  headers: z._default(headerMap, {}),
  body: z.optional(z.string()),
  valid_status_codes: z.optional(z.array(z.number().check(z.int(), z.gte(100), z.lte(599)))),
  valid_http_versions: z.optional(z.array(z.enum(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0']))),
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(yamlBoolean, true),
  follow_redirects: z._default(yamlBoolean, true),
  no_follow_redirects: z.optional(yamlBoolean),
  fail_if_ssl: z._default(yamlBoolean, false),
  fail_if_not_ssl: z._default(yamlBoolean, false),
  fail_if_body_matches_regexp: z._default(z.array(regexp), []),
  fail_if_body_not_matches_regexp: z._default(z.array(regexp), []),
  fail_if_header_matches: z._default(z.array(headerMatch), []),
  fail_if_header_not_matches: z._default(z.array(headerMatch), []),
  /** Our addition: assertions on a JSON body (blackbox only offers these through CEL). */
  json_body: z.optional(
    z.strictObject({
      subset: z.optional(z.unknown()),
      paths: z._default(z.array(jsonPathAssertion), []),
    }),
  ),
  compression: z.optional(z.enum(['gzip', 'deflate', 'br', 'identity', ''])),
  body_size_limit: z.optional(byteSize),
  tls_config: z.optional(tlsConfigSchema),
  basic_auth: z.optional(basicAuth),
  bearer_token: literalSecret('bearer_token'),
  bearer_token_from: z.optional(secretRef),
  enable_http2: z._default(yamlBoolean, false),
});

/** blackbox's older no_follow_redirects folded into follow_redirects: the probers see one key. */
export function normaliseHttpFields<T extends z.output<typeof httpModuleFields>>({ no_follow_redirects, ...rest }: T): Omit<T, 'no_follow_redirects'> {
  return { ...rest, follow_redirects: no_follow_redirects === undefined ? rest.follow_redirects : !no_follow_redirects };
}

/**
 * With enable_http2 the request may go out as HTTP/2, which forbids connection-specific headers (RFC 9113
 * 8.2.2). Refused as Go's HTTP/2 transport refuses them (checkConnHeaders, and TE other than "trailers"),
 * before a server offering h2 makes the probe fail on them; Keep-Alive and Proxy-Connection are dropped
 * silently, as Go drops them.
 */
export function http2HeaderProblem(name: string, value: string): string | undefined {
  const lower = name.toLowerCase();
  const v = value.trim().toLowerCase();
  const refuse = (allowed: string) => `header "${name}: ${value}" cannot be sent over HTTP/2, which enable_http2 allows: ${allowed}`;
  if (lower === 'te' && v !== 'trailers') return refuse('only "TE: trailers" is allowed');
  if (lower === 'upgrade') return refuse('HTTP/2 has no Upgrade');
  if (lower === 'transfer-encoding' && v !== '' && v !== 'chunked') return refuse('HTTP/2 frames the body itself');
  if (lower === 'connection' && v !== '' && v !== 'close' && v !== 'keep-alive') return refuse('HTTP/2 has no connection options');
  return undefined;
}

/** The http2HeaderProblem check, for a module (or a step) with enable_http2. */
export const http2HeadersCheck = z.superRefine((fields: { enable_http2: boolean; headers: Record<string, string> }, ctx) => {
  if (!fields.enable_http2) return;
  for (const [name, value] of Object.entries(fields.headers)) {
    const problem = http2HeaderProblem(name, value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['headers', name], message: problem });
  }
});

export const httpModuleSchema = z
  .pipe(httpModuleFields, z.transform((fields: z.output<typeof httpModuleFields>) => normaliseHttpFields(fields)))
  .check(http2HeadersCheck);

export type HttpModule = z.output<typeof httpModuleSchema>;
