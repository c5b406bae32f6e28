// Packaging validates the alerting rules it deploys with the anomaly check's own loader: a broken rule file,
// a broken annotation template or an unknown rule field fails `sls package` with the validation message (file,
// field, problem) and no stack trace. The sample stages still packaging is test/integration/deploy.test.ts. The resolver
// deploy/*.js share is also called directly, for the cases that need no packaging to show.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageStage, SERVICE_DIR, type PackageResult } from '../../deploy/isolated-package.js';
import { loadStageTargets } from '../../deploy/targets.js';

const TARGETS = 'groups:\n  - name: g\n    targets:\n      - name: a\n        tcp: { address: "a.example.com:443" }\n';

let scratch: string;
const packaged: PackageResult[] = [];
let brokenRuleFile: PackageResult;
let brokenTemplate: PackageResult;
let unknownField: PackageResult;
let badExpression: PackageResult;

/** A targets file in the scratch directory, with what it says about rules first. */
async function targetsFile(name: string, rules: string): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, rules + TARGETS);
  return path;
}

const packageWith = async (targets: string) => {
  const result = await packageStage('dev', ['--param', `targetsFile=${targets}`]);
  packaged.push(result);
  return result;
};

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'periscope-deploy-rules-'));
  await mkdir(join(scratch, 'rules'));
  await mkdir(join(scratch, 'templated'));
  await writeFile(join(scratch, 'rules', 'slow.yml'), 'groups:\n  - name: broken\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: soon\n');
  await writeFile(join(scratch, 'rules', 'expr.yml'), 'groups:\n  - name: parsed\n    rules:\n      - alert: Ok\n        expr: up == 0\n      - alert: Unfinished\n        expr: sum(rate(x[5m]) >\n');
  await writeFile(
    join(scratch, 'templated', 'annotations.yml'),
    'groups:\n  - name: templated\n    rules:\n      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: "{{ $labels.instance | humanise }} is down"\n',
  );
  const [ruleFile, template, field, expression] = await Promise.all([
    targetsFile('broken-rule-file.yml', 'rule_files: [rules/slow.yml]\n'),
    targetsFile('broken-template.yml', 'rule_files: [templated/*.yml]\n'),
    targetsFile('unknown-field.yml', 'rules:\n  - name: inline\n    rules:\n      - alert: Down\n        expr: up == 0\n        severity: critical\n'),
    targetsFile('bad-expression.yml', 'rule_files: [rules/expr.yml]\n'),
  ]);
  // Invalid files stop packaging before anything is built: four at once are light.
  [brokenRuleFile, brokenTemplate, unknownField, badExpression] = await Promise.all([packageWith(ruleFile), packageWith(template), packageWith(field), packageWith(expression)]);
}, 300_000);

afterAll(async () => {
  await Promise.all([rm(scratch, { recursive: true, force: true }), ...packaged.map((p) => p.cleanup())]);
});

/** A stack frame as Node prints it: the message must come alone. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function expectRejected(result: PackageResult, message: string): void {
  expect(result.code, result.output).not.toBe(0);
  expect(result.output).toContain('invalid alerting rules');
  expect(result.output).toContain(message);
  expect(result.output).not.toContain('Service packaged');
  expect(result.output).not.toMatch(STACK_FRAME);
}

describe('sls package with invalid alerting rules', () => {
  it('fails on a broken rule file, naming the file and the field', () => {
    expectRejected(brokenRuleFile, `${join(scratch, 'rules', 'slow.yml')}: groups[0].rules[0].for: "soon" is not a duration`);
  });

  it('fails on an annotation template the anomaly check could not parse', () => {
    // Found through the glob: every file a pattern names is checked.
    expectRejected(brokenTemplate, `${join(scratch, 'templated', 'annotations.yml')}: groups[0].rules[0].annotations.summary: template: line 1, column 23: function "humanise" not defined`);
  });

  it('fails on a rule expression that does not parse, with the column', () => {
    expectRejected(badExpression, `${join(scratch, 'rules', 'expr.yml')}: groups[0].rules[1].expr: parse error at column 18: unexpected end of input`);
  });

  it('fails on an unknown field of an inline rule', () => {
    expectRejected(unknownField, `${join(scratch, 'unknown-field.yml')}: rules[0].rules[0].severity: unknown field "severity"`);
  });
});

describe('the stage resolver of deploy/*.js', () => {
  it('loads the rule files of the sample monitoring stage', async () => {
    const loaded = await loadStageTargets(SERVICE_DIR, 'targets/monitoring.yml');
    expect(loaded.ruleGroups).toBe(1);
    expect(loaded.targets.rule_files).toEqual(['rules/probes.yml']);
  });

  it('names a rule file that is missing, and invalid alerting settings', async () => {
    const missing = await targetsFile('missing.yml', 'rule_files: [rules/absent.yml]\n');
    await expect(loadStageTargets(SERVICE_DIR, missing)).rejects.toThrow(`${join(scratch, 'rules', 'absent.yml')}: rule file not found`);
    const settings = await targetsFile('settings.yml', 'alerting:\n  repeat_interval: often\n');
    await expect(loadStageTargets(SERVICE_DIR, settings)).rejects.toThrow(`${settings}: alerting.repeat_interval: "often" is not a duration`);
  });

  it('refuses a valid rule file the Lambda package would not hold (outside targets/)', async () => {
    const service = join(scratch, 'service');
    await mkdir(join(service, 'targets'), { recursive: true });
    await mkdir(join(service, 'rules'));
    await writeFile(join(service, 'rules', 'ok.yml'), 'groups:\n  - name: fine\n    rules:\n      - alert: Down\n        expr: up == 0\n');
    await writeFile(join(service, 'rules', 'ok-too.yml'), 'groups:\n  - name: fine-too\n    rules: []\n');
    await writeFile(join(service, 'targets', 'stage.yml'), `rule_files: [../rules/ok.yml]\n${TARGETS}`);
    await expect(loadStageTargets(service, 'targets/stage.yml')).rejects.toThrow(
      'targets/stage.yml: rule_files[0]: ../rules/ok.yml is outside targets/, the only directory the Lambdas\' packages hold',
    );
    // Inside targets/ the same rules are fine.
    await mkdir(join(service, 'targets', 'rules'));
    await writeFile(join(service, 'targets', 'rules', 'ok.yml'), 'groups:\n  - name: fine\n    rules:\n      - alert: Down\n        expr: up == 0\n');
    await writeFile(join(service, 'targets', 'inside.yml'), `rule_files: [rules/*.yml]\n${TARGETS}`);
    expect((await loadStageTargets(service, 'targets/inside.yml')).ruleGroups).toBe(1);
  });

  it('checks the regexes of maintenance matchers in the settings, with or without rules', async () => {
    const file = await targetsFile('maintenance.yml', 'alerting:\n  maintenance:\n    - name: deploys\n      matchers: { instance: "/db-(/" }\n      every: { from: "02:00", to: "03:00" }\n');
    await expect(loadStageTargets(SERVICE_DIR, file)).rejects.toThrow(`${file}: alerting.maintenance[0].matchers.instance:`);
  });
});
