// The shipped probe rules (targets/rules/probes.yml) against their unit tests, with promtool as the oracle and
// Periscope's own runner: NoProbeData is neither pending nor firing on a fresh start and still pages when
// probe data stops.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testRulesCommand } from '../../cli/test-rules-command.js';

const run = promisify(execFile);
const TESTS = 'targets/rules/probes.test.yml';

describe('targets/rules/probes.yml', () => {
  it('loads in promtool and passes its unit tests there', async () => {
    await expect(run('promtool', ['check', 'rules', 'targets/rules/probes.yml'])).resolves.toBeDefined();
    const { stdout } = await run('promtool', ['test', 'rules', 'probes.test.yml'], { cwd: 'targets/rules' });
    expect(stdout).toContain('SUCCESS');
  }, 60_000);

  it('passes the same unit tests in periscope test rules', async () => {
    let output = '';
    const code = await testRulesCommand([TESTS], {}, (t) => {
      output += t;
    });
    expect(output).toBe(`Unit Testing:  ${TESTS}\n  SUCCESS\n\n`);
    expect(code).toBe(0);
  }, 120_000);
});
