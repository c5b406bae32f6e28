// The targets file, as a zod schema: the one description of what a valid file is. Field names follow
// blackbox_exporter's module keys so a blackbox.yml module can be pasted under `http:`, `tcp:`, `dns:` or
// `grpc:`. Each module block has its own file (schema-http.ts, schema-dns.ts, …); this one puts them together.
import * as z from 'zod/mini';
import { statusPageSectionSchema } from './schema-status-page.js';
import { hostPort, intervalDuration, ipProtocol, labelMap, literalSecret, regexp, secretRef, timeoutDuration, tlsConfigSchema, urlOf, yamlBoolean } from './fields.js';
import { dnsModuleSchema } from './schema-dns.js';
import { grpcModuleSchema } from './schema-grpc.js';
import { httpModuleSchema } from './schema-http.js';
import { stepsModuleSchema } from './schema-steps.js';
import { discoverySchema, fillPlaceholders, placeholdersIn } from './discovery-schema.js';

export { RESERVED_LABELS, tlsConfigSchema, type TlsConfig } from './fields.js';
export { httpModuleSchema, type HttpModule } from './schema-http.js';
export { dnsModuleSchema, type DnsModule, type DnsRrValidator, DNS_RCODES } from './schema-dns.js';
export { grpcModuleSchema, type GrpcModule } from './schema-grpc.js';
export { stepsModuleSchema, templateVariables, VARIABLE_RE, type StepsModule, type HttpStep, type StepExtraction } from './schema-steps.js';

/** The module blocks a target may have (exactly one). */
export const MODULE_NAMES = ['http', 'tcp', 'postgres', 'dns', 'grpc', 'steps'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];

const queryResponseStep = z.strictObject({
  expect: z.optional(regexp),
  expect_bytes: z.optional(z.string()),
  send: z.optional(z.string()),
  starttls: z._default(yamlBoolean, false),
  labels: z.optional(z.array(z.strictObject({ name: z.string(), value: z.string() }))),
});

export const tcpModuleSchema = z.strictObject({
  address: hostPort,
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(yamlBoolean, true),
  tls: z._default(yamlBoolean, false),
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
    ip_protocol_fallback: z._default(yamlBoolean, true),
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
    /** The `instance` label, when it must differ from the probed URL or address (as Prometheus relabelling can make it). */
    instance: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
    labels: z._default(labelMap, {}),
    timeout: z.optional(timeoutDuration),
    /** Shown on the public status page (a group marked public shows all its targets). */
    public: z.optional(yamlBoolean),
    slo: z.optional(slo),
    http: z.optional(httpModuleSchema),
    tcp: z.optional(tcpModuleSchema),
    postgres: z.optional(postgresModuleSchema),
    dns: z.optional(dnsModuleSchema),
    grpc: z.optional(grpcModuleSchema),
    steps: z.optional(stepsModuleSchema),
  })
  .check(
    z.superRefine((target, ctx) => {
      const blocks = MODULE_NAMES.filter((m) => target[m] !== undefined);
      if (blocks.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            blocks.length === 0
              ? `needs exactly one module block: ${MODULE_NAMES.join(', ')}`
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
    interval: z.optional(intervalDuration),
    timeout: z.optional(timeoutDuration),
    labels: z._default(labelMap, {}),
    targets: z._default(z.array(targetSchema), []),
    /** Targets discovered in AWS at run time instead of (or beside) the list. */
    discovery: z.optional(discoverySchema),
    public: z._default(yamlBoolean, false),
    slo: z.optional(slo),
  })
  .check(
    z.superRefine((group, ctx) => {
      if (group.targets.length === 0 && group.discovery === undefined) {
        ctx.addIssue({ code: 'custom', path: ['targets'], message: 'a group needs at least one target (or discovery)' });
      }
      if (group.discovery) {
        // The template must make a valid target once filled in: checked here with sample values.
        const sample = (value: unknown): unknown =>
          typeof value === 'string'
            ? fillPlaceholders(value, Object.fromEntries(placeholdersIn(value).map((p) => [p, p === 'port' ? '8080' : p === 'address' ? '127.0.0.1' : 'x'])))
            : Array.isArray(value)
              ? value.map(sample)
              : typeof value === 'object' && value !== null
                ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sample(v)]))
                : value;
        const parsed = targetSchema.safeParse(sample(group.discovery.target));
        for (const issue of parsed.success ? [] : parsed.error.issues) {
          ctx.addIssue({ code: 'custom', path: ['discovery', 'target', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
        }
      }
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
        timeout: z._default(timeoutDuration, 10_000),
        interval: z._default(intervalDuration, 60_000),
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
    status_page: z.optional(statusPageSectionSchema),
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

export type TcpModule = z.output<typeof tcpModuleSchema>;
export type PostgresModule = z.output<typeof postgresModuleSchema>;
export type TargetInput = z.input<typeof targetSchema>;
export type TargetSpec = z.output<typeof targetSchema>;
export type GroupSpec = z.output<typeof groupSchema>;
export type TargetsFile = z.output<typeof targetsFileSchema>;
