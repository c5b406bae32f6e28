// The `postgres` module block (blackbox_exporter has no such prober): a connection URL or its parts, libpq's
// sslmode, one query and what its first value must be.
import * as z from 'zod/mini';
import { ipProtocol, literalSecret, secretRef, tlsConfigSchema, urlOf, yamlBoolean } from '../../config/fields.js';

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

export type PostgresModule = z.output<typeof postgresModuleSchema>;
