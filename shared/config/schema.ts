// The targets file, as a zod schema: the one description of what a valid file is. Field names follow
// blackbox_exporter's module keys so a blackbox.yml module can be pasted under `http:` or `tcp:`.
import { z } from 'zod';
import { parseByteSize } from './bytes.js';
import { parseDuration } from './duration.js';
import { compileRe2, RegexSyntaxError } from './regex.js';
import { SECRET_REF_RE } from './secrets.js';

/** Identity labels the pipeline sets on every sample; a file may not override them. */
export const RESERVED_LABELS = ['job', 'instance', 'target', 'module', 'group', 'stage', 'account', 'region'] as const;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (use e.g. 500ms, 10s, 1m, 1h30m)` });
    return z.NEVER;
  }
  return ms;
});

const positiveDuration = duration.refine((ms) => ms > 0, 'must be longer than 0');

const regexp = z.string().superRefine((pattern, ctx) => {
  try {
    compileRe2(pattern);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof RegexSyntaxError ? err.message : String(err) });
  }
});

const secretRef = z
  .string()
  .regex(SECRET_REF_RE, 'must be a secret reference: env:NAME, file:/path or ssm:/path');

/** Rejects a literal secret with a message that says what to write instead. */
function literalSecret(field: string) {
  return z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `literal secrets are not accepted; use ${field}_from: env:NAME (or file:/path, ssm:/path)`,
        });
      }
    });
}

const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid Prometheus label name` });
    } else if ((RESERVED_LABELS as readonly string[]).includes(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is set by Periscope and cannot be overridden` });
    }
  }
});

const ipProtocol = z.enum(['ip4', 'ip6']);

export const tlsConfigSchema = z.strictObject({
  insecure_skip_verify: z.boolean().default(false),
  ca: z.string().optional(),
  ca_file: z.string().optional(),
  cert: z.string().optional(),
  cert_file: z.string().optional(),
  key: literalSecret('key'),
  key_file: z.string().optional(),
  key_from: secretRef.optional(),
  server_name: z.string().optional(),
  min_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
  max_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
});

const headerMatch = z.strictObject({
  header: z.string().min(1),
  regexp,
  allow_missing: z.boolean().default(false),
});

const jsonPathAssertion = z
  .strictObject({
    path: z.string().min(1),
    equals: z.unknown().optional(),
    regexp: regexp.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    exists: z.boolean().optional(),
  })
  .refine((a) => a.equals !== undefined || a.regexp !== undefined || a.min !== undefined || a.max !== undefined || a.exists !== undefined, {
    message: 'a path assertion needs one of equals, regexp, min, max or exists',
  });

const basicAuth = z.strictObject({
  username: z.string(),
  password: literalSecret('password'),
  password_from: secretRef.optional(),
  password_file: z.string().optional(),
});

const httpUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a valid URL` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `URL scheme must be http or https, not ${url.protocol.replace(':', '')}` });
  }
  if (url.password) ctx.addIssue({ code: 'custom', message: 'URL must not contain a password; use basic_auth.password_from' });
});

export const httpModuleSchema = z
  .strictObject({
    url: httpUrl,
    method: z.string().regex(/^[A-Z]+$/, 'must be an HTTP method in capitals, e.g. GET').default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    valid_status_codes: z.array(z.number().int().min(100).max(599)).optional(),
    valid_http_versions: z.array(z.enum(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'])).optional(),
    preferred_ip_protocol: ipProtocol.default('ip4'),
    ip_protocol_fallback: z.boolean().default(true),
    follow_redirects: z.boolean().default(true),
    no_follow_redirects: z.boolean().optional(),
    fail_if_ssl: z.boolean().default(false),
    fail_if_not_ssl: z.boolean().default(false),
    fail_if_body_matches_regexp: z.array(regexp).default([]),
    fail_if_body_not_matches_regexp: z.array(regexp).default([]),
    fail_if_header_matches: z.array(headerMatch).default([]),
    fail_if_header_not_matches: z.array(headerMatch).default([]),
    /** Our addition: assertions on a JSON body (blackbox only offers these through CEL). */
    json_body: z
      .strictObject({
        subset: z.unknown().optional(),
        paths: z.array(jsonPathAssertion).default([]),
      })
      .optional(),
    compression: z.enum(['gzip', 'deflate', 'br', 'identity', '']).optional(),
    body_size_limit: z.union([z.string(), z.number()]).transform((value, ctx) => {
      const bytes = parseByteSize(value);
      if (bytes === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (use e.g. 512, 64KB, 1MB)` });
        return z.NEVER;
      }
      return bytes;
    }).optional(),
    tls_config: tlsConfigSchema.optional(),
    basic_auth: basicAuth.optional(),
    bearer_token: literalSecret('bearer_token'),
    bearer_token_from: secretRef.optional(),
    enable_http2: z.boolean().default(false),
  })
  .transform(({ no_follow_redirects, ...rest }) => ({
    ...rest,
    follow_redirects: no_follow_redirects === undefined ? rest.follow_redirects : !no_follow_redirects,
  }));

const hostPort = z.string().superRefine((text, ctx) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port (e.g. db.internal:5432, [::1]:25)` });
  }
});

const queryResponseStep = z.strictObject({
  expect: regexp.optional(),
  expect_bytes: z.string().optional(),
  send: z.string().optional(),
  starttls: z.boolean().default(false),
  labels: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
});

export const tcpModuleSchema = z.strictObject({
  address: hostPort,
  preferred_ip_protocol: ipProtocol.default('ip4'),
  ip_protocol_fallback: z.boolean().default(true),
  tls: z.boolean().default(false),
  tls_config: tlsConfigSchema.optional(),
  query_response: z.array(queryResponseStep).default([]),
});

const postgresUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a valid URL` });
    return;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    ctx.addIssue({ code: 'custom', message: 'URL scheme must be postgres:// or postgresql://' });
  }
  if (url.password) ctx.addIssue({ code: 'custom', message: 'URL must not contain a password; use password_from' });
});

export const postgresModuleSchema = z
  .strictObject({
    url: postgresUrl.optional(),
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().optional(),
    user: z.string().optional(),
    password: literalSecret('password'),
    password_from: secretRef.optional(),
    sslmode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).default('prefer'),
    tls_config: tlsConfigSchema.optional(),
    preferred_ip_protocol: ipProtocol.default('ip4'),
    ip_protocol_fallback: z.boolean().default(true),
    query: z.string().min(1).default('SELECT 1'),
    expect_value: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .superRefine((pg, ctx) => {
    if (pg.url === undefined && pg.host === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs either url (postgres://user@host:port/db) or host' });
    }
  })
  .transform((pg) => {
    // One normalised shape for the prober: URL parts fill what the explicit keys do not set.
    const url = pg.url === undefined ? undefined : new URL(pg.url);
    return {
      ...pg,
      host: pg.host ?? decodeURIComponent(url?.hostname.replace(/^\[|\]$/g, '') ?? ''),
      port: pg.port ?? (url?.port ? Number(url.port) : 5432),
      database: pg.database ?? (url && url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : 'postgres'),
      user: pg.user ?? (url?.username ? decodeURIComponent(url.username) : 'postgres'),
    };
  });

const targetName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : / -')
  .max(128);

export const targetSchema = z
  .strictObject({
    name: targetName,
    labels: labelMap.default({}),
    timeout: positiveDuration.optional(),
    http: httpModuleSchema.optional(),
    tcp: tcpModuleSchema.optional(),
    postgres: postgresModuleSchema.optional(),
  })
  .superRefine((target, ctx) => {
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
  });

const groupSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes (it names a schedule)')
      .max(40),
    interval: positiveDuration.optional(),
    timeout: positiveDuration.optional(),
    labels: labelMap.default({}),
    targets: z.array(targetSchema).min(1, 'a group needs at least one target'),
  })
  .superRefine((group, ctx) => {
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
  });

export const targetsFileSchema = z
  .strictObject({
    labels: labelMap.default({}),
    defaults: z
      .strictObject({
        timeout: positiveDuration.default(10_000),
        interval: positiveDuration.default(60_000),
        /** Targets per probe invocation; larger groups are split into shards (one schedule each). */
        shard_size: z.number().int().min(1).max(100_000).optional(),
      })
      .default({ timeout: 10_000, interval: 60_000 }),
    groups: z.array(groupSchema).default([]),
    // Alerting rules and settings are validated by shared/alerting (it owns their schema); here they are
    // only carried, so a targets file is one document.
    rules: z.array(z.unknown()).default([]),
    rule_files: z.array(z.string().min(1)).default([]),
    alerting: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.groups.forEach((group, index) => {
      const first = seen.get(group.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['groups', index, 'name'], message: `duplicate group name "${group.name}" (also groups[${first}])` });
      } else seen.set(group.name, index);
    });
  });

export type TlsConfig = z.output<typeof tlsConfigSchema>;
export type HttpModule = z.output<typeof httpModuleSchema>;
export type TcpModule = z.output<typeof tcpModuleSchema>;
export type PostgresModule = z.output<typeof postgresModuleSchema>;
export type TargetInput = z.input<typeof targetSchema>;
export type TargetSpec = z.output<typeof targetSchema>;
export type GroupSpec = z.output<typeof groupSchema>;
export type TargetsFile = z.output<typeof targetsFileSchema>;
export type ModuleName = 'http' | 'tcp' | 'postgres';
