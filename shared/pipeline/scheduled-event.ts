// The scheduled event ({"group": NAME}, maybe with shard/shards, dry_run, debug) checked without the schema
// library: every scheduled run takes this path, and a cold start need not build the event schema for it.
// Anything else (manual probes, bad events) goes to parseProbeEvent, which says what is wrong.
import type { ProbeEvent } from './probe-event.js';

const KEYS = new Set(['group', 'shard', 'shards', 'dry_run', 'debug']);

/** The event as parseProbeEvent would return it when it is a valid scheduled run, else undefined. */
export function parseScheduledEvent(raw: unknown): Extract<ProbeEvent, { kind: 'group' }> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const event = raw as Record<string, unknown>;
  if (!Object.keys(event).every((key) => KEYS.has(key))) return undefined;
  const { group, shard, shards, dry_run: dryRun = false, debug = false } = event;
  if (typeof group !== 'string' || group === '' || typeof dryRun !== 'boolean' || typeof debug !== 'boolean') return undefined;
  if (shard === undefined && shards === undefined) return { kind: 'group', group, shard: 0, shards: 1, dryRun, debug };
  if (!Number.isSafeInteger(shard) || !Number.isSafeInteger(shards)) return undefined;
  const [index, count] = [shard as number, shards as number];
  return index >= 0 && count >= 1 && index < count ? { kind: 'group', group, shard: index, shards: count, dryRun, debug } : undefined;
}
