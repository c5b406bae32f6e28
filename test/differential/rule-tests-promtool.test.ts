// Peers as oracles: every case file under test/fixtures/rule-tests/compat is run by `promtool test rules`
// (Prometheus 2.42) and by `periscope test rules`. Both must pass the *.pass.yml files and fail the
// *.fail.yml ones, and their failure reports must be the same text. The files under differences/ are where
// they necessarily differ (VictoriaMetrics' look-back and time origin, promtool's default interval): each
// says in its first line what each tool does, and this test holds both to it.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { testRulesCommand } from '../../cli/test-rules-command.js';

const run = promisify(execFile);
const ROOT = 'test/fixtures/rule-tests';

async function promtool(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', ['test', 'rules', file]);
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/** Each file's report from one periscope run over all of them: path → { passed, text }. */
async function periscope(files: string[]): Promise<Map<string, { passed: boolean; text: string }>> {
  let output = '';
  await testRulesCommand(files, {}, (text) => {
    output += text;
  });
  const out = new Map<string, { passed: boolean; text: string }>();
  for (const block of output.split('Unit Testing:  ').slice(1)) {
    const [path, ...rest] = block.split('\n');
    const text = rest.join('\n');
    out.set(path as string, { passed: text.includes('  SUCCESS'), text });
  }
  return out;
}

/** The failure report without blank lines (promtool prints them around stdout/stderr differently). */
const report = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Unit Testing')).join('\n');

const compat = (await readdir(join(ROOT, 'compat'))).filter((f) => /^\d+-.*\.(pass|fail)\.yml$/.test(f)).map((f) => join(ROOT, 'compat', f));
const differences = (await readdir(join(ROOT, 'differences'))).filter((f) => f.endsWith('.yml')).map((f) => join(ROOT, 'differences', f));
let results: Map<string, { passed: boolean; text: string }>;

beforeAll(async () => {
  results = await periscope([...compat, ...differences]);
}, 120_000);

describe('periscope test rules agrees with promtool test rules', () => {
  it('has at least 15 compatibility cases, passing and failing', () => {
    expect(compat.length).toBeGreaterThanOrEqual(15);
    expect(compat.filter((f) => f.endsWith('.fail.yml')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(compat)('%s', async (file) => {
    const shouldPass = file.endsWith('.pass.yml');
    const prom = await promtool(file);
    const ours = results.get(file);
    expect(prom.code, prom.output).toBe(shouldPass ? 0 : 1);
    expect(ours?.passed, ours?.text).toBe(shouldPass);
    if (!shouldPass) expect(report(ours?.text ?? '')).toBe(report(prom.output.replace(/^Unit Testing: .*$/m, '')));
  });
});

describe('where they differ, each does what the case file says', () => {
  it.each(differences)('%s', async (file) => {
    const first = (await readFile(file, 'utf8')).split('\n')[0] ?? '';
    const declared = /^# promtool: (pass|fail), periscope: (pass|fail)$/.exec(first);
    expect(declared, `first line of ${file}`).not.toBeNull();
    const prom = await promtool(file);
    expect(prom.code === 0 ? 'pass' : 'fail', prom.output).toBe(declared?.[1]);
    expect(results.get(file)?.passed ? 'pass' : 'fail', results.get(file)?.text).toBe(declared?.[2]);
  });
});
