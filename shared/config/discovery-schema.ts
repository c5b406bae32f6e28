// A group's `discovery:` block: its targets come from AWS at run time (Cloud Map instances, the tasks of
// ECS services with given tags, or the registered targets of an ALB/NLB target group) through a target
// template with {{placeholders}}, instead of a fixed list.
import * as z from 'zod/mini';
import { parseDuration } from './duration.js';
import { transformIssue } from './zod.js';

/** Placeholders every source fills, plus the source's own (and attr.NAME / tag.KEY). */
export const DISCOVERY_PLACEHOLDERS = {
  cloud_map: ['address', 'port', 'instance_id', 'namespace', 'service'],
  ecs: ['address', 'port', 'az', 'cluster', 'service', 'task_id'],
  target_group: ['address', 'port', 'az', 'target_id'],
} as const;
export type DiscoverySource = keyof typeof DISCOVERY_PLACEHOLDERS;

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z0-9_.:/-]+)\s*\}\}/g;

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as string);
}

/** Replaces {{name}} with the instance's value ("" when it has none). */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER_RE, (_, name: string) => values[name] ?? '');
}

const name = z.string().check(z.minLength(1));

export const discoverySchema = z
  .strictObject({
    cloud_map: z.optional(
      z.strictObject({
        namespace: name,
        service: name,
        health_status: z._default(z.enum(['HEALTHY', 'UNHEALTHY', 'ALL', 'HEALTHY_OR_ELSE_ALL']), 'HEALTHY_OR_ELSE_ALL'),
      }),
    ),
    ecs: z.optional(
      z.strictObject({
        cluster: name,
        /** Services carrying all these tags. */
        tags: z.record(z.string(), z.string()).check(z.refine((tags) => Object.keys(tags).length > 0, 'name at least one tag')),
        /** The port {{port}} stands for (tasks in awsvpc mode are reached on their private IP). */
        port: z.optional(z.number().check(z.int(), z.gte(1), z.lte(65535))),
      }),
    ),
    target_group: z.optional(z.strictObject({ arn: z.string().check(z.regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[^/]+\/[0-9a-f]+$/, 'must be a target group ARN')) })),
    /** How long a discovered list is used before asking AWS again (per container). */
    ttl: z._default(
      z.pipe(
        z.string(),
        z.transform((text: string, ctx) => {
          const ms = parseDuration(text);
          if (ms === undefined || ms <= 0) return transformIssue(ctx, `"${text}" is not a duration above 0 (e.g. 1m, 5m)`);
          return ms;
        }),
      ),
      300_000,
    ),
    /** Template of each target: name, labels and one module block, strings with {{placeholders}}. */
    target: z.record(z.string(), z.unknown()),
  })
  .check(
    z.superRefine((d, ctx) => {
      const sources = (['cloud_map', 'ecs', 'target_group'] as const).filter((s) => d[s] !== undefined);
      if (sources.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `needs exactly one source: cloud_map, ecs or target_group${sources.length ? ` (has ${sources.join(' and ')})` : ''}` });
        return;
      }
      const source = sources[0] as DiscoverySource;
      const known = new Set<string>(DISCOVERY_PLACEHOLDERS[source]);
      const visit = (value: unknown, path: Array<string | number>): void => {
        if (typeof value === 'string') {
          for (const placeholder of placeholdersIn(value)) {
            const prefixed = (source === 'cloud_map' && placeholder.startsWith('attr.')) || (source === 'ecs' && placeholder.startsWith('tag.'));
            if (!known.has(placeholder) && !prefixed) {
              ctx.addIssue({ code: 'custom', path: ['target', ...path], message: `unknown placeholder {{${placeholder}}} for ${source} (known: ${[...known].join(', ')}${source === 'cloud_map' ? ', attr.NAME' : source === 'ecs' ? ', tag.KEY' : ''})` });
            }
          }
        } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
        else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
      };
      visit(d.target, []);
    }),
  );

export type DiscoverySpec = z.output<typeof discoverySchema>;
