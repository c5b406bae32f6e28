// The targets file, as a zod schema: the one description of what a valid file is. Field names follow
// blackbox_exporter's module keys so a blackbox.yml module can be pasted under `http:` or `tcp:`.
import * as z from 'zod/mini';
import { parseByteSize } from './bytes.js';
import { parseDuration } from './duration.js';
import { compileRe2, RegexSyntaxError } from '../regex/index.js';
import { SECRET_REF_RE } from './secrets.js';
import { transformIssue } from './zod.js';

/** Identity labels the pipeline sets on every sample; a file may not override them. */
export const RESERVED_LABELS = ['job', 'instance', 'target', 'module', 'group', 'stage', 'account', 'region'] as const;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const duration = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) return transformIssue(ctx, `"${text}" is not a duration (use e.g. 500ms, 10s, 1m, 1h30m)`);
    return ms;
  }),
);

const positiveDuration = duration.check(z.refine((ms) => ms > 0, 'must be longer than 0'));

const regexp = z.string().check(
  z.superRefine((pattern, ctx) => {
    try {
      compileRe2(pattern);
    } catch (err) {
      // Anything but a syntax error (the engine not loaded yet) is for the caller: see withRegexEngine.
      if (!(err instanceof RegexSyntaxError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  }),
);

const secretRef = z.string().check(z.regex(SECRET_REF_RE, 'must be a secret reference: env:NAME, file:/path or ssm:/path'));

/** Rejects a literal secret with a message that says what to write instead. */
function literalSecret(field: string) {
  return z.optional(z.unknown()).check(
    z.superRefine((value, ctx) => {
      if (value !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `literal secrets are not accepted; use ${field}_from: env:NAME (or file:/path, ssm:/path)`,
        });
      }
    }),
  );
}

const labelMap = z.record(z.string(), z.string()).check(
  z.superRefine((labels, ctx) => {
    for (const name of Object.keys(labels)) {
      if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid Prometheus label name` });
      } else if ((RESERVED_LABELS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is set by Periscope and cannot be overridden` });
      }
    }
  }),
);

const ipProtocol = z.enum(['ip4', 'ip6']);

export const tlsConfigSchema = z.strictObject({
  insecure_skip_verify: z._default(z.boolean(), false),
  ca: z.optional(z.string()),
  ca_file: z.optional(z.string()),
  cert: z.optional(z.string()),
  cert_file: z.optional(z.string()),
  key: literalSecret('key'),
  key_file: z.optional(z.string()),
  key_from: z.optional(secretRef),
  server_name: z.optional(z.string()),
  min_version: z.optional(z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13'])),
  max_version: z.optional(z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13'])),
});

const headerMatch = z.strictObject({
  header: z.string().check(z.minLength(1)),
  regexp,
  allow_missing: z._default(z.boolean(), false),
});

const jsonPathAssertion = z
  .strictObject({
    path: z.string().check(z.minLength(1)),
    equals: z.optional(z.unknown()),
    regexp: z.optional(regexp),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    exists: z.optional(z.boolean()),
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

/** A URL with one of `schemes` and no password in it (secrets are references); messages never echo one. */
function urlOf(schemes: readonly string[], schemeMessage: (scheme: string) => string, passwordHint: string) {
  return z.string().check(
    z.superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${text.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@')}" is not a valid URL` });
        return;
      }
      if (!schemes.includes(url.protocol)) ctx.addIssue({ code: 'custom', message: schemeMessage(url.protocol.replace(':', '')) });
      if (url.password) ctx.addIssue({ code: 'custom', message: `URL must not contain a password; use ${passwordHint}` });
    }),
  );
}

const httpUrl = urlOf(['http:', 'https:'], (scheme) => `URL scheme must be http or https, not ${scheme}`, 'basic_auth.password_from');

const byteSize = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value: string | number, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) return transformIssue(ctx, `"${value}" is not a size (use e.g. 512, 64KB, 1MB)`);
    return bytes;
  }),
);

const httpModuleFields = z.strictObject({
  url: httpUrl,
  method: z._default(z.string().check(z.regex(/^[A-Z]+$/, 'must be an HTTP method in capitals, e.g. GET')), 'GET'),
  headers: z._default(z.record(z.string(), z.string()), {}),
  body: z.optional(z.string()),
  valid_status_codes: z.optional(z.array(z.number().check(z.int(), z.gte(100), z.lte(599)))),
  valid_http_versions: z.optional(z.array(z.enum(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0']))),
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(z.boolean(), true),
  follow_redirects: z._default(z.boolean(), true),
  no_follow_redirects: z.optional(z.boolean()),
  fail_if_ssl: z._default(z.boolean(), false),
  fail_if_not_ssl: z._default(z.boolean(), false),
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
  enable_http2: z._default(z.boolean(), false),
});

export const httpModuleSchema = z.pipe(
  httpModuleFields,
  z.transform(({ no_follow_redirects, ...rest }: z.output<typeof httpModuleFields>) => ({
    ...rest,
    follow_redirects: no_follow_redirects === undefined ? rest.follow_redirects : !no_follow_redirects,
  })),
);

const hostPort = z.string().check(
  z.superRefine((text, ctx) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(text);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port (e.g. db.internal:5432, [::1]:25)` });
    }
  }),
);

const queryResponseStep = z.strictObject({
  expect: z.optional(regexp),
  expect_bytes: z.optional(z.string()),
  send: z.optional(z.string()),
  starttls: z._default(z.boolean(), false),
  labels: z.optional(z.array(z.strictObject({ name: z.string(), value: z.string() }))),
});

export const tcpModuleSchema = z.strictObject({
  address: hostPort,
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(z.boolean(), true),
  tls: z._default(z.boolean(), false),
  tls_config: z.optional(tlsConfigSchema),
  query_response: z._default(z.array(queryResponseStep), []),
});

const postgresUrl = urlOf(['postgres:', 'postgresql:'], () => 'URL scheme must be postgres:// or postgresql://', 'password_from');

const postgresModuleFields = z
  .strictObject({
    url: z.optional(postgresUrl),
    host: z.optional(z.string()),
    port: z.optional(z.number().check(z.int(), z.gte(1), z.lte(65535))),
    database: z.optional(z.string()),
    user: z.optional(z.string()),
    password: literalSecret('password'),
    password_from: z.optional(secretRef),
    sslmode: z._default(z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']), 'prefer'),
    tls_config: z.optional(tlsConfigSchema),
    preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
    ip_protocol_fallback: z._default(z.boolean(), true),
    query: z._default(z.string().check(z.minLength(1)), 'SELECT 1'),
    expect_value: z.optional(z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform((value: string | number | boolean) => String(value)))),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
  })
  .check(
    z.superRefine((pg, ctx) => {
      if (pg.url === undefined && pg.host === undefined) {
        ctx.addIssue({ code: 'custom', message: 'needs either url (postgres://user@host:port/db) or host' });
      }
    }),
  );

export const postgresModuleSchema = z.pipe(
  postgresModuleFields,
  z.transform((pg: z.output<typeof postgresModuleFields>) => {
    // One normalised shape for the prober: URL parts fill what the explicit keys do not set.
    const url = pg.url === undefined ? undefined : new URL(pg.url);
    return {
      ...pg,
      host: pg.host ?? decodeURIComponent(url?.hostname.replace(/^\[|\]$/g, '') ?? ''),
      port: pg.port ?? (url?.port ? Number(url.port) : 5432),
      database: pg.database ?? (url && url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : 'postgres'),
      user: pg.user ?? (url?.username ? decodeURIComponent(url.username) : 'postgres'),
    };
  }),
);

/** An availability objective in percent, e.g. 99.9: the monthly report shows the error budget used. */
const slo = z.number().check(z.gt(0, 'must be a percentage above 0, e.g. 99.9'), z.lt(100, 'must be below 100 (100 % leaves no error budget)'));

const targetName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : / -'), z.maxLength(128));

export const targetSchema = z
  .strictObject({
    name: targetName,
    labels: z._default(labelMap, {}),
    timeout: z.optional(positiveDuration),
    /** Shown on the public status page (a group marked public shows all its targets). */
    public: z.optional(z.boolean()),
    slo: z.optional(slo),
    http: z.optional(httpModuleSchema),
    tcp: z.optional(tcpModuleSchema),
    postgres: z.optional(postgresModuleSchema),
  })
  .check(
    z.superRefine((target, ctx) => {
      const blocks = (['http', 'tcp', 'postgres'] as const).filter((m) => target[m] !== undefined);
      if (blocks.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            blocks.length === 0
              ? 'needs exactly one module block: http, tcp or postgres'
              : `has ${blocks.join(' and ')}; a target takes exactly one module block`,
        });
      }
    }),
  );

const groupSchema = z
  .strictObject({
    name: z
      .string()
      .check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes (it names a schedule)'), z.maxLength(40)),
    interval: z.optional(positiveDuration),
    timeout: z.optional(positiveDuration),
    labels: z._default(labelMap, {}),
    public: z._default(z.boolean(), false),
    slo: z.optional(slo),
    targets: z.array(targetSchema).check(z.minLength(1, 'a group needs at least one target')),
  })
  .check(
    z.superRefine((group, ctx) => {
      const seen = new Map<string, number>();
      group.targets.forEach((target, index) => {
        const first = seen.get(target.name);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', index, 'name'],
            message: `duplicate target name "${target.name}" (also targets[${first}])`,
          });
        } else seen.set(target.name, index);
      });
    }),
  );

export const targetsFileSchema = z
  .strictObject({
    labels: z._default(labelMap, {}),
    defaults: z._default(
      z.strictObject({
        timeout: z._default(positiveDuration, 10_000),
        interval: z._default(positiveDuration, 60_000),
        /** Targets per probe invocation; larger groups are split into shards (one schedule each). */
        shard_size: z.optional(z.number().check(z.int(), z.gte(1), z.lte(100_000))),
      }),
      { timeout: 10_000, interval: 60_000 },
    ),
    groups: z._default(z.array(groupSchema), []),
    // Alerting rules and settings are validated by shared/alerting (it owns their schema); here they are
    // only carried, so a targets file is one document.
    rules: z._default(z.array(z.unknown()), []),
    rule_files: z._default(z.array(z.string().check(z.minLength(1))), []),
    alerting: z.optional(z.record(z.string(), z.unknown())),
  })
  .check(
    z.superRefine((file, ctx) => {
      const seen = new Map<string, number>();
      file.groups.forEach((group, index) => {
        const first = seen.get(group.name);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['groups', index, 'name'], message: `duplicate group name "${group.name}" (also groups[${first}])` });
        } else seen.set(group.name, index);
      });
    }),
  );

export type TlsConfig = z.output<typeof tlsConfigSchema>;
export type HttpModule = z.output<typeof httpModuleSchema>;
export type TcpModule = z.output<typeof tcpModuleSchema>;
export type PostgresModule = z.output<typeof postgresModuleSchema>;
export type TargetInput = z.input<typeof targetSchema>;
export type TargetSpec = z.output<typeof targetSchema>;
export type GroupSpec = z.output<typeof groupSchema>;
export type TargetsFile = z.output<typeof targetsFileSchema>;
export type ModuleName = 'http' | 'tcp' | 'postgres';
