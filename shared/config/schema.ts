// The targets file, as a zod schema: the one description of what a valid file is. Field names follow
// blackbox_exporter's module keys so a blackbox.yml module can be pasted under `http:`, `tcp:`, `dns:` or
// `grpc:`. Each module block has its own file, in its prober's folder (probing/http/schema.ts, …); this one puts
// them together.
import * as z from 'zod/mini';
import { statusPageSectionSchema } from './schema-status-page.js';
import { intervalDuration, labelMap, timeoutDuration, yamlBoolean } from './fields.js';
import { dnsModuleSchema } from '../probing/dns/schema.js';
import { grpcModuleSchema } from '../probing/grpc/schema.js';
import { httpModuleSchema } from '../probing/http/schema.js';
import { postgresModuleSchema } from '../probing/postgres/schema.js';
import { stepsModuleSchema } from '../probing/steps/schema.js';
import { tcpModuleSchema } from '../probing/tcp/schema.js';
import { discoverySchema, fillPlaceholders, placeholdersIn } from './discovery-schema.js';

export { RESERVED_LABELS, tlsConfigSchema, type TlsConfig } from './fields.js';
export { httpModuleSchema, type HttpModule } from '../probing/http/schema.js';
export { tcpModuleSchema, type TcpModule } from '../probing/tcp/schema.js';
export { postgresModuleSchema, type PostgresModule } from '../probing/postgres/schema.js';
export { dnsModuleSchema, type DnsModule, type DnsRrValidator, DNS_RCODES } from '../probing/dns/schema.js';
export { grpcModuleSchema, type GrpcModule } from '../probing/grpc/schema.js';
export { stepsModuleSchema, templateVariables, VARIABLE_RE, type StepsModule, type HttpStep, type StepExtraction } from '../probing/steps/schema.js';

/** The module blocks a target may have (exactly one). */
export const MODULE_NAMES = ['http', 'tcp', 'postgres', 'dns', 'grpc', 'steps'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];

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

export type TargetInput = z.input<typeof targetSchema>;
export type TargetSpec = z.output<typeof targetSchema>;
export type GroupSpec = z.output<typeof groupSchema>;
export type TargetsFile = z.output<typeof targetsFileSchema>;
