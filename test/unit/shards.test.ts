import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { parseProbeEvent } from '../../shared/pipeline/probe-event.js';
import { selectShard, shardCount, shardOf } from '../../shared/pipeline/shards.js';

function fileWith(count: number, shardSize?: number) {
  const targets = Array.from({ length: count }, (_, i) => `      - name: svc-${i}\n        tcp: { address: "127.0.0.1:${1000 + (i % 1000)}" }`).join('\n');
  return parseTargetsFile(`defaults: { timeout: 5s${shardSize ? `, shard_size: ${shardSize}` : ''} }\ngroups:\n  - name: big\n    targets:\n${targets}\n`, 'big.yml');
}

describe('shards', () => {
  it('splits a group by target count and covers every target exactly once', () => {
    const file = fileWith(5000);
    const group = file.groups[0]!;
    expect(shardCount(file, group)).toBe(3);
    const parts = [0, 1, 2].map((s) => selectShard(group, s, 3).targets.map((t) => t.name));
    const all = parts.flat();
    expect(all).toHaveLength(5000);
    expect(new Set(all).size).toBe(5000);
    for (const part of parts) expect(part.length).toBeGreaterThan(1400); // roughly even
  });

  it('keeps a target in its shard when other targets come and go', () => {
    const before = new Map(fileWith(3000).groups[0]!.targets.map((t) => [t.name, shardOf(t.name, 2)]));
    const after = fileWith(3500).groups[0]!.targets.filter((t) => before.has(t.name));
    expect(after.every((t) => shardOf(t.name, 2) === before.get(t.name))).toBe(true);
  });

  it('honours defaults.shard_size and leaves small groups whole', () => {
    const file = fileWith(250, 100);
    expect(shardCount(file, file.groups[0]!)).toBe(3);
    const small = fileWith(10);
    expect(shardCount(small, small.groups[0]!)).toBe(1);
    expect(selectShard(small.groups[0]!, 0, 1).targets).toHaveLength(10);
  });

  it('takes shard and shards together in the event', () => {
    expect(parseProbeEvent({ group: 'big', shard: 1, shards: 3 })).toMatchObject({ kind: 'group', shard: 1, shards: 3 });
    expect(parseProbeEvent({ group: 'big' })).toMatchObject({ shard: 0, shards: 1 });
    expect(() => parseProbeEvent({ group: 'big', shard: 1 })).toThrow(/shard and shards go together/);
    expect(() => parseProbeEvent({ group: 'big', shard: 3, shards: 3 })).toThrow(/must be below shards/);
  });
});
