// The probe Lambda's input, checked before anything runs: a scheduled run ({group}), or a manual probe
// for debugging ({target: URL}, {group, target: NAME} or {target: {…full target…}}), with debug/dry_run.
import * as z from 'zod/mini';
import { ConfigError, problemsFromZod, type ConfigProblem } from '../config/errors.js';
import '../config/zod.js'; // registers zod's English messages

const eventSchema = z.strictObject({
  group: z.optional(z.string().check(z.minLength(1))),
  target: z.optional(z.union([z.string().check(z.minLength(1)), z.record(z.string(), z.unknown())])),
  /** One shard of a large group (the deployment generates one schedule per shard). */
  shard: z.optional(z.number().check(z.int(), z.gte(0))),
  shards: z.optional(z.number().check(z.int(), z.gte(1))),
  debug: z._default(z.boolean(), false),
  dry_run: z._default(z.boolean(), false),
});

export type ProbeEvent =
  | { kind: 'group'; group: string; shard: number; shards: number; dryRun: boolean; debug: boolean }
  | { kind: 'named-target'; group: string; target: string; dryRun: boolean; debug: boolean }
  | { kind: 'url'; url: string; dryRun: boolean; debug: boolean }
  | { kind: 'inline-target'; target: Record<string, unknown>; dryRun: boolean; debug: boolean };

const SOURCE = 'event';

export function parseProbeEvent(raw: unknown): ProbeEvent {
  // EventBridge Scheduler hands over the schedule's input as the event; the console may send a string.
  let input = raw;
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      throw new ConfigError(SOURCE, [{ path: '', message: 'is a string that is not JSON' }]);
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(SOURCE, [{ path: '', message: 'must be an object such as {"group": "NAME"} or {"target": "https://…"}' }]);
  }
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(SOURCE, problemsFromZod(parsed.error));
  const { group, target, debug, dry_run: dryRun, shard, shards } = parsed.data;
  if ((shard === undefined) !== (shards === undefined)) {
    throw new ConfigError(SOURCE, [{ path: shard === undefined ? 'shard' : 'shards', message: 'shard and shards go together' }]);
  }
  if (shard !== undefined && shards !== undefined && shard >= shards) {
    throw new ConfigError(SOURCE, [{ path: 'shard', message: `must be below shards (${shards})` }]);
  }
  if (typeof target === 'object') return { kind: 'inline-target', target, dryRun, debug };
  if (typeof target === 'string') {
    if (group !== undefined) return { kind: 'named-target', group, target, dryRun, debug };
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return { kind: 'url', url: target, dryRun, debug };
    throw new ConfigError(SOURCE, [{ path: 'target', message: `"${target}" is not a URL; to probe a target of the file by name also give its group` }]);
  }
  if (group !== undefined) return { kind: 'group', group, shard: shard ?? 0, shards: shards ?? 1, dryRun, debug };
  const problem: ConfigProblem = { path: '', message: 'needs "group" (scheduled run) or "target" (manual probe)' };
  throw new ConfigError(SOURCE, [problem]);
}
