// A group larger than one invocation should probe is split into shards, each its own schedule and
// invocation. A target's shard depends only on its name and the shard count, so it stays in its shard
// when other targets come and go (as long as the count does not change).
import type { GroupSpec, TargetsFile } from '../config/index.js';

/** Targets one invocation probes at most by default: measured at ~2 s of work, far inside a 1-minute slot. */
export const DEFAULT_SHARD_SIZE = 2_000;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function shardOf(targetName: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a(targetName) % shards;
}

export function shardCount(file: TargetsFile, group: GroupSpec): number {
  return Math.max(1, Math.ceil(group.targets.length / (file.defaults.shard_size ?? DEFAULT_SHARD_SIZE)));
}

/** The group restricted to one shard's targets. */
export function selectShard(group: GroupSpec, shard: number, shards: number): GroupSpec {
  if (shards <= 1) return group;
  return { ...group, targets: group.targets.filter((t) => shardOf(t.name, shards) === shard) };
}
