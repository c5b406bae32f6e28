// What a scheduled probe run's cold start uses instead of the schema library and the YAML parser: the event
// checked by hand (parseScheduledEvent, which must agree with parseProbeEvent) and the targets file from its
// package-time snapshot (used only when made from exactly the file beside it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProbeTargets } from '../../shared/aws/probe-runtime.js';
import { ConfigError } from '../../shared/config/errors.js';
import { makeTargetsSnapshot } from '../../shared/config/make-targets-snapshot.js';
import { snapshotFor, targetsSnapshot } from '../../shared/config/targets-snapshot.js';
import { parseProbeEvent } from '../../shared/pipeline/probe-event.js';
import { parseScheduledEvent } from '../../shared/pipeline/scheduled-event.js';

describe('parseScheduledEvent', () => {
  const valid = [
    { group: 'web' },
    { group: 'web', dry_run: true, debug: false },
    { group: 'big', shard: 0, shards: 1 },
    { group: 'big', shard: 2, shards: 3, dry_run: false },
  ];
  const notScheduled = [
    { group: '' },
    { group: 'web', shard: 1 },
    { group: 'web', shards: 2 },
    { group: 'web', shard: 3, shards: 3 },
    { group: 'web', shard: -1, shards: 3 },
    { group: 'web', shard: 0.5, shards: 3 },
    { group: 'web', shard: 0, shards: 0 },
    { group: 'web', dry_run: 'yes' },
    { group: 'web', debug: 1 },
    { group: 'web', target: 'https://example.test/' },
    { group: 'web', extra: true },
    { group: 7 },
    { target: 'https://example.test/' },
    {},
    '{"group":"web"}',
    ['web'],
    null,
  ];

  it('accepts a valid scheduled run, with what parseProbeEvent makes of it', () => {
    for (const event of valid) expect(parseScheduledEvent(event), JSON.stringify(event)).toEqual(parseProbeEvent(event));
  });

  it('leaves everything else to parseProbeEvent (which explains what is wrong, or parses a manual probe)', () => {
    for (const event of notScheduled) expect(parseScheduledEvent(event), JSON.stringify(event)).toBeUndefined();
    expect(() => parseProbeEvent({ group: 'web', shard: 3, shards: 3 })).toThrow(ConfigError);
    expect(parseProbeEvent('{"group":"web"}')).toMatchObject({ kind: 'group', group: 'web' });
  });
});

describe('loadProbeTargets', () => {
  let dir: string;
  const yml = 'groups:\n  - name: web\n    targets:\n      - { name: home, http: { url: "http://127.0.0.1:1/" } }\n';
  const withRegex = yml.replace('url: "http://127.0.0.1:1/"', 'url: "http://127.0.0.1:1/", fail_if_body_matches_regexp: ["(?i)error"]');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periscope-snapshot-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the targets from a snapshot made from this very file', async () => {
    await writeFile(join(dir, 'a.yml'), yml);
    const parsed = await loadProbeTargets(join(dir, 'a.yml'));
    // A snapshot whose targets differ from the file's shows which one was read.
    const marked = { ...parsed, labels: { from: 'snapshot' } };
    await writeFile(join(dir, 'a.json'), targetsSnapshot(yml, marked, false));
    expect(await loadProbeTargets(join(dir, 'a.yml'), join(dir, 'a.json'))).toEqual(marked);
  });

  it('parses the file when the snapshot was made from another text, is missing or is not a snapshot', async () => {
    await writeFile(join(dir, 'b.yml'), yml);
    const parsed = await loadProbeTargets(join(dir, 'b.yml'));
    await writeFile(join(dir, 'b.json'), targetsSnapshot(`${yml}# before an edit\n`, { ...parsed, labels: { from: 'snapshot' } }, false));
    expect(await loadProbeTargets(join(dir, 'b.yml'), join(dir, 'b.json'))).toEqual(parsed);
    expect(await loadProbeTargets(join(dir, 'b.yml'), join(dir, 'missing.json'))).toEqual(parsed);
    await writeFile(join(dir, 'c.json'), '{"format": 1');
    expect(await loadProbeTargets(join(dir, 'b.yml'), join(dir, 'c.json'))).toEqual(parsed);
  });

  it('still fails for a missing or invalid file, naming it', async () => {
    await expect(loadProbeTargets(join(dir, 'none.yml'))).rejects.toThrow(/none\.yml: file not found/);
    await writeFile(join(dir, 'bad.yml'), 'groups:\n  - name: web\n    targets: [{ name: x, http: { url: "ftp://x/" } }]\n');
    await expect(loadProbeTargets(join(dir, 'bad.yml'), join(dir, 'a.json'))).rejects.toThrow(ConfigError);
  });

  it('records whether the file has RE2 patterns, whatever the engine state at package time', async () => {
    expect(snapshotFor(await makeTargetsSnapshot(withRegex, 'r.yml'), withRegex)?.regexes).toBe(true);
    expect(snapshotFor(await makeTargetsSnapshot(yml, 'p.yml'), yml)?.regexes).toBe(false);
  });
});
