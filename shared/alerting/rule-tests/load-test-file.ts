// Reading a rule unit-test file and the rule files it names (relative to the test file, globs allowed, as
// promtool resolves them). Every problem is a ConfigError naming the file and the field.
import { readConfigText } from '../../config/read-text.js';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../config/errors.js';
import type { CompiledGroup } from '../rules/compile.js';
import { expandRuleFiles, loadRuleFile } from '../rules/load.js';
import { parseRuleTestFile, type RuleTestFile } from './test-file.js';

export interface LoadedTestFile {
  file: RuleTestFile;
  /** The rule groups under test; promtool evaluates every group at evaluation_interval, and so does this. */
  groups: CompiledGroup[];
}

export async function loadRuleTestFile(path: string): Promise<LoadedTestFile> {
  const text = await readConfigText(path, 'test file');
  const file = parseRuleTestFile(text, path);
  const ruleFiles = await expandRuleFiles(file.ruleFiles, dirname(resolve(path)));
  if (ruleFiles.length === 0 && file.ruleFiles.length > 0) throw new ConfigError(path, [{ path: 'rule_files', message: `no file matches ${file.ruleFiles.join(', ')}` }]);
  const groups: CompiledGroup[] = [];
  for (const ruleFile of ruleFiles) groups.push(...(await loadRuleFile(ruleFile)));
  const known = new Set(groups.flatMap((g) => g.rules.map((r) => r.name)));
  file.tests.forEach((test) => {
    test.alertTests.forEach((a, i) => {
      // promtool accepts an unknown alertname and compares with no alerts; a typo then passes silently
      // for an empty exp_alerts. Periscope says so instead when alerts are expected.
      if (!known.has(a.alertname) && a.expected.length > 0) {
        throw new ConfigError(path, [{ path: `tests[${test.index}].alert_rule_test[${i}].alertname`, message: `no rule named "${a.alertname}" in ${file.ruleFiles.join(', ') || 'the rule files (none given)'}` }]);
      }
    });
  });
  return { file, groups };
}
