// A discovery group's targets for this run: the list discovered in AWS, kept for the container's life and
// asked again after the TTL. When AWS cannot be asked, the last known list is probed and the failure is
// logged and counted (DiscoveryFailures); with no list known yet the run fails loudly — it never probes
// nothing silently.
import { fillPlaceholders, type DiscoverySpec } from '../config/discovery-schema.js';
import { ConfigError } from '../config/errors.js';
import { parseTarget } from '../config/load.js';
import type { GroupSpec, TargetSpec } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { withRegexEngine } from '../regex/index.js';
import type { MetricsSink } from '../observability/metrics.js';
import { discoverInstances, DiscoveryError, type DiscoveryApis, type Instance } from './sources.js';
import { errorMessage } from '../observability/error-message.js';

/** DiscoveryFailures is what the per-group discovery alarm watches (deploy/discovery.js): a CloudWatch metric. */
const DISCOVERY_ALARM_DIMENSIONS = ['stage', 'group'];

export interface DiscoveryOptions {
  apis: DiscoveryApis;
  logger: Logger;
  metrics: MetricsSink;
  now?: () => number;
}

/** Resolves a group with `discovery:` into one with its discovered targets (after its fixed ones). */
export type Discover = (group: GroupSpec, dimensions: Record<string, string>) => Promise<GroupSpec>;

function fill(value: unknown, instance: Instance): unknown {
  if (typeof value === 'string') return fillPlaceholders(value, instance);
  if (Array.isArray(value)) return value.map((v) => fill(v, instance));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, instance)]));
  return value;
}

/** One target per instance from the template; an instance that makes an invalid target is skipped and logged. */
export function targetsFromInstances(spec: DiscoverySpec, instances: Instance[], logger: Logger, group: string): TargetSpec[] {
  const seen = new Set<string>();
  const out: TargetSpec[] = [];
  for (const instance of instances) {
    try {
      const target = parseTarget(fill(spec.target, instance), `group ${group} discovery`);
      if (seen.has(target.name)) continue; // the same endpoint registered twice is probed once
      seen.add(target.name);
      out.push(target);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      logger.error('discovered instance skipped', { group, instance: instance.address ?? '', error: err.message });
    }
  }
  return out;
}

export function createDiscovery(options: DiscoveryOptions): Discover {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { targets: TargetSpec[]; fetchedAt: number }>();
  return async (group, dimensions) => {
    const spec = group.discovery;
    if (!spec) return group;
    const cached = cache.get(group.name);
    let targets: TargetSpec[];
    if (cached && now() - cached.fetchedAt < spec.ttl) {
      targets = cached.targets;
    } else {
      try {
        const instances = await discoverInstances(options.apis, spec);
        // Templates may carry regexes (fail_if_body_matches_regexp…): the RE2 engine is loaded if so.
        targets = await withRegexEngine(() => targetsFromInstances(spec, instances, options.logger, group.name));
        cache.set(group.name, { targets, fetchedAt: now() });
        if (targets.length === 0) options.logger.warn('discovery found no targets', { group: group.name });
        await options.metrics.put(
          [
            { name: 'DiscoveredTargets', value: targets.length, unit: 'Count' },
            { name: 'DiscoveryFailures', value: 0, unit: 'Count', dimensions: DISCOVERY_ALARM_DIMENSIONS },
          ],
          dimensions,
        );
      } catch (err) {
        const message = errorMessage(err);
        await options.metrics.put([{ name: 'DiscoveryFailures', value: 1, unit: 'Count', dimensions: DISCOVERY_ALARM_DIMENSIONS }], dimensions).catch(() => undefined);
        if (!cached) {
          options.logger.error('discovery failed and no targets are known: nothing to probe', { group: group.name, error: message });
          throw new DiscoveryError(`group ${group.name}: discovery failed and no earlier list is known: ${message}`);
        }
        options.logger.error('discovery failed: probing the last known targets', {
          group: group.name,
          error: message,
          targets: cached.targets.length,
          age_s: Math.round((now() - cached.fetchedAt) / 1000),
        });
        targets = cached.targets;
      }
    }
    const fixed = new Set(group.targets.map((t) => t.name));
    return { ...group, targets: [...group.targets, ...targets.filter((t) => !fixed.has(t.name))] };
  };
}
