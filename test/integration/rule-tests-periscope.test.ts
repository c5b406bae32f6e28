// periscope test rules beyond promtool: the pizza rules' tests (threshold and anomaly forms,
// keep_firing_for), failing tests, exit codes, and bad files reported by file, test and field.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRulesCommand } from '../../cli/test-rules-command.js';
import { ConfigError } from '../../shared/config/index.js';

const run = promisify(execFile);
let dir: string;
const pizzaTests = 'targets/rules/pizza.test.yml';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-rule-tests-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of the pizza tests with `edit` applied, next to the real rule file. */
async function variant(name: string, edit: (text: string) => string): Promise<string> {
  const text = (await readFile(pizzaTests, 'utf8')).replace('rule_files: [pizza.yml]', `rule_files: [${resolve('targets/rules/pizza.yml')}]`);
  const path = join(dir, name);
  await writeFile(path, edit(text));
  return path;
}

async function runTests(...files: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const code = await testRulesCommand(files, {}, (t) => {
    output += t;
  });
  return { code, output };
}

describe('the pizza rules tests', () => {
  it('pass: threshold, threshold form, anomaly form with its baseline annotation, keep_firing_for', async () => {
    const { code, output } = await runTests(pizzaTests);
    expect(output).toBe(`Unit Testing:  ${pizzaTests}\n  SUCCESS\n\n`);
    expect(code).toBe(0);
  }, 120_000);

  it('fail when the unusual hour is within min_deviation, naming the test and the time', async () => {
    // 2 500 orders in the hour instead of 5 000: 1 500 over the baseline, under min_deviation 2 000.
    const wrong = await variant('wrong.test.yml', (t) => t.replace("'0+1000x699 704000+1000x5'", "'0+1000x699 701500+1000x5'"));
    const { code, output } = await runTests(wrong);
    expect(code).toBe(1);
    expect(output).toContain('[test 2 the anomaly form fires on an hour unlike the same hour of the past four weeks]');
    expect(output).toContain('alertname: PizzaOrdersUnusual, time: 4w1d4h5m, ');
    expect(output).toMatch(/got:\[\]\n/); // silent
  }, 120_000);
});

describe('bad input', () => {
  it('is a ConfigError naming file, test index and field, before any server starts', async () => {
    const bad = await variant('bad.test.yml', (t) => t.replace("values: '0+10x90'", "values: '0+10x90 oops'"));
    const err = await runTests(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`${bad}: tests[1].input_series[0].values: value 2 "oops" is not a number, a+bxn, a-bxn, axn, _, _xn or stale`);
    const unknown = await variant('unknown.test.yml', (t) => t.replace('alertname: PizzaOrdersFailing\n        exp_alerts:\n', 'alertname: PizzaOrdersFailng\n        exp_alerts:\n'));
    await expect(runTests(unknown)).rejects.toThrow(`${unknown}: tests[1].alert_rule_test[1].alertname: no rule named "PizzaOrdersFailng"`);
    const missingRules = await variant('norules.test.yml', (t) => t.replace(/rule_files: \[.*\]/, 'rule_files: [nowhere.yml]'));
    await expect(runTests(missingRules)).rejects.toThrow(/nowhere\.yml: rule file not found/);
  });

  it('exits 2 from the command line, 1 for a failed test', async () => {
    const bad = await variant('bad2.test.yml', (t) => t.replace('eval_time: 49m', 'eval_time: later'));
    const failed = await run('node', ['bin/periscope.js', 'test', 'rules', bad]).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toBe(`periscope: ${bad}: tests[1].alert_rule_test[0].eval_time: "later" is not a duration (use e.g. 30s, 5m, 1h)\n`);
    const wrong = await variant('wrong2.test.yml', (t) => t.replace('value: 24000', 'value: 24001'));
    const result = await run('node', ['bin/periscope.js', 'test', 'rules', wrong]).catch((e: { code: number; stdout: string }) => e);
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stdout: string }).stdout).toContain('exp: {} 2.4001E+04\n        got: {} 2.4E+04');
  }, 120_000);
});
