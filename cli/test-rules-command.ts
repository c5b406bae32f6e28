// `periscope test rules FILE…`: rule unit tests in the `promtool test rules` format, run against a private
// VictoriaMetrics (fresh data directory, any free port, removed afterwards). Output as promtool prints it.
// Exit status: 0 every test passed, 1 one failed, 2 bad input (every file is checked before anything runs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleTestFile, type LoadedTestFile } from '../shared/alerting/rule-tests/load-test-file.js';
import { runRuleTest } from '../shared/alerting/rule-tests/run-test-file.js';
import { startLocalVictoriaMetrics } from './local-victoria-metrics.js';

export interface TestRulesFlags {
  /** Print each test's name and result. */
  verbose?: boolean;
}

// Data of 2000-01-01 (test time 0) must be inside the retention; a deleted series must be queryable again
// at once when the next test writes it, so no caches.
const TEST_VM_FLAGS = ['-retentionPeriod=100y', '-search.disableCache', '-search.latencyOffset=1s'];

export async function testRulesCommand(paths: string[], flags: TestRulesFlags, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const loaded: Array<{ path: string; test: LoadedTestFile }> = [];
  for (const path of paths) loaded.push({ path, test: await loadRuleTestFile(path) });
  const dir = await mkdtemp(join(tmpdir(), 'periscope-rule-tests-'));
  let failed = 0;
  try {
    const vm = await startLocalVictoriaMetrics(dir, 0, { anyPort: true, flags: TEST_VM_FLAGS });
    try {
      for (const { path, test } of loaded) {
        write(`Unit Testing:  ${path}\n`);
        const failures: string[] = [];
        for (const t of test.file.tests) {
          const result = await runRuleTest(vm, test.file, test.groups, t);
          if (flags.verbose) write(`  test ${t.index}${t.name ? ` (${t.name})` : ''}: ${result.failures.length ? 'FAILED' : 'ok'}\n`);
          failures.push(...result.failures.map((f) => (test.file.tests.length > 1 ? `    [test ${t.index}${t.name ? ` ${t.name}` : ''}]\n${f}` : f)));
        }
        if (failures.length === 0) write('  SUCCESS\n\n');
        else {
          failed++;
          write(`  FAILED:\n${failures.join('\n')}\n\n`);
        }
      }
    } finally {
      await vm.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return failed > 0 ? 1 : 0;
}
