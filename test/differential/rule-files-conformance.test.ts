// The reference judges rule files: every file under test/fixtures/rule-files is checked by `promtool check
// rules` (Prometheus 2.42: exit 0 loads, 1 refuses) and by the loader `periscope validate` runs on a rule file
// (in this process: a ConfigError is its exit 2; test/integration/cli.test.ts covers the command itself); they must agree
// on accept or refuse. Where they differ on purpose the reason is listed here and in docs/alerting.md, and the
// test holds both to it.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../shared/async/map-limit.js';
import { loadRuleFile } from '../../shared/alerting/rules/load.js';
import { ConfigError } from '../../shared/config/index.js';

const run = promisify(execFile);
const DIR = 'test/fixtures/rule-files';

/** Periscope accepts what promtool 2.42 refuses, on purpose. */
const DELIBERATE: ReadonlyMap<string, string> = new Map([
  ['27-metricsql-function.yml', 'MetricsQL functions: the rules run on VictoriaMetrics, which has them'],
  ['28-prometheus-3-template.yml', 'template functions of Prometheus 3.x (toDuration, urlQueryEscape), newer than promtool 2.42'],
]);
/** Periscope refuses what promtool accepts, on purpose. */
const STRICTER: ReadonlyMap<string, string> = new Map([['12-bad-alert-name.yml', 'alert names must be metric-style names in Periscope']]);

async function exitCode(command: string, args: string[]): Promise<number> {
  try {
    await run(command, args);
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

const files = (await readdir(DIR)).filter((f) => f.endsWith('.yml')).sort();
const verdicts = new Map<string, { promtool: 'accepts' | 'refuses'; periscope: 'accepts' | 'refuses' }>();

beforeAll(async () => {
  await mapLimit(files, 2, async (name) => {
    const file = join(DIR, name);
    const periscope = await loadRuleFile(file).then(
      () => 0,
      (err: unknown) => {
        if (err instanceof ConfigError) return 2;
        throw err;
      },
    );
    const promtool = await exitCode('promtool', ['check', 'rules', file]);
    expect([0, 1], `promtool check rules ${name}`).toContain(promtool);
    verdicts.set(name, { promtool: promtool === 0 ? 'accepts' : 'refuses', periscope: periscope === 0 ? 'accepts' : 'refuses' });
  });
}, 60_000);

describe('periscope validate judges rule files as promtool check rules does', () => {
  it('has at least 20 files, accepted and refused', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect([...verdicts.values()].filter((v) => v.promtool === 'refuses').length).toBeGreaterThanOrEqual(12);
  });

  it.each(files.filter((f) => !DELIBERATE.has(f) && !STRICTER.has(f)))('%s', (name) => {
    const v = verdicts.get(name);
    expect(v?.periscope, `promtool ${v?.promtool}`).toBe(v?.promtool);
  });

  it.each([...DELIBERATE])('%s: Periscope accepts, promtool refuses (%s)', (name) => {
    expect(verdicts.get(name)).toEqual({ promtool: 'refuses', periscope: 'accepts' });
  });

  it.each([...STRICTER])('%s: Periscope refuses, promtool accepts (%s)', (name) => {
    expect(verdicts.get(name)).toEqual({ promtool: 'accepts', periscope: 'refuses' });
  });
});
