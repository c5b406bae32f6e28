// The reference judges rule unit tests: every case under test/fixtures/rule-tests/conformance (time 0,
// ALERTS, for, eval_time between evaluations, missing series, staleness, the series notation, external
// labels, template functions, files without rule_files, recording rules, label overrides) is run by
// `promtool test rules` (Prometheus 2.42) and by `periscope test rules`; the exit codes must be the same.
// No case says what the answer is: promtool's exit code is the expectation. (Template functions newer than
// 2.42 cannot be judged by it: test/unit/alert-template-upstream.test.ts covers them.)
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { testRulesCommand } from '../../cli/test-rules-command.js';
import { mapLimit } from '../../shared/async/map-limit.js';

const run = promisify(execFile);
const DIR = 'test/fixtures/rule-tests/conformance';

const cases = (await readdir(DIR)).filter((f) => /^\d+-.*\.yml$/.test(f)).sort();
const promtoolCodes = new Map<string, number>();
const periscopePassed = new Map<string, boolean>();

async function promtool(file: string): Promise<number> {
  try {
    await run('promtool', ['test', 'rules', file], { cwd: DIR });
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

beforeAll(async () => {
  // promtool once per case (two at a time: the machine has two cores), Periscope once over all of them.
  await mapLimit(cases, 2, async (name) => promtoolCodes.set(name, await promtool(name)));
  let output = '';
  await testRulesCommand(
    cases.map((c) => join(DIR, c)),
    {},
    (text) => {
      output += text;
    },
  );
  for (const block of output.split('Unit Testing:  ').slice(1)) {
    const [path, ...rest] = block.split('\n');
    periscopePassed.set((path as string).slice(DIR.length + 1), rest.join('\n').includes('  SUCCESS'));
  }
}, 300_000);

describe('periscope test rules exits as promtool test rules does', () => {
  it('has at least 30 cases, with passing and failing ones by promtool', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const codes = [...promtoolCodes.values()];
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(15);
    expect(codes.filter((c) => c === 1).length).toBeGreaterThanOrEqual(10);
    expect(codes.filter((c) => c !== 0 && c !== 1)).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    expect(periscopePassed.get(name) ? 0 : 1, `promtool exits ${promtoolCodes.get(name)}`).toBe(promtoolCodes.get(name));
  });
});
