// `periscope import` as a user runs it: the files it writes pass `periscope validate`, --strict, and located
// messages with exit 2 for bad input. The mapping itself is test/unit/import.test.ts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const COMPOSE = 'test/fixtures/import/compose';
const ECS = 'test/fixtures/import/ecs';
const PLATFORM = 'test/fixtures/import/platform';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/periscope.js', ...args], { timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// Each case starts node + tsx once or twice: slow on a loaded machine, so a generous limit (not a timing check).
describe('periscope import (the command)', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periscope-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a targets file that periscope validate accepts, and prints the report', async () => {
    const out = join(dir, 'compose.yml');
    const result = await run(['import', '--blackbox', `${COMPOSE}/blackbox.yml`, '--prometheus', `${COMPOSE}/prometheus.yml`, '--alertmanager', `${COMPOSE}/alertmanager.yml`, '--stage', 'compose', '-o', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Left out \(not imported\): 6/);
    expect(result.stdout).toMatch(/aws ssm put-parameter --type SecureString --name \/periscope\/compose\/slack-webhook/);
    expect(result.stdout).toMatch(/wrote .*compose.yml: 3 groups, 9 targets/);
    const validate = await run(['validate', out]);
    expect([validate.code, validate.stdout.trim()]).toEqual([0, `${out}: ok (3 groups, 9 targets, 1 rule group, 1 rule)`]);
  });

  it('imports DNS and gRPC jobs into a file periscope validate accepts, nothing left out', async () => {
    const out = join(dir, 'platform.yml');
    const result = await run(['import', '--blackbox', `${PLATFORM}/blackbox.yml`, '--prometheus', `${PLATFORM}/prometheus.yml`, '--strict', '-o', out]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/Left out \(not imported\): 0/);
    expect(result.stdout).toMatch(/wrote .*platform.yml: 4 groups, 12 targets/);
    // The modules' CA file lives on blackbox_exporter's host: the report says so, and validate names it.
    expect(result.stdout).toContain('/etc/blackbox/internal-ca.pem (tls_config.ca_file of 2 targets): file not found here');
    const validate = await run(['validate', out]);
    expect(validate.code).toBe(2);
    expect(validate.stderr.trim().split('\n').map((line) => line.replace(/^periscope: /, '').replace(/: \/etc.*$/, ''))).toEqual([
      `${out}: groups[1].targets[2].dns.tls_config.ca_file`,
      `${out}: groups[3].targets[2].grpc.tls_config.ca_file`,
    ]);
  });

  it('--strict exits 1 and writes nothing when something was left out', async () => {
    const out = join(dir, 'strict.yml');
    const result = await run(['import', '--blackbox', `${ECS}/blackbox.yml`, '--prometheus', `${ECS}/prometheus.yml`, '--strict', '-o', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/--strict: 2 item\(s\) left out; nothing written/);
    await expect(readFile(out, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('bad input: a located message and exit 2, never a stack trace', async () => {
    const broken = join(dir, 'broken.yml');
    await writeFile(broken, 'scrape_configs:\n  - job_name: x\n    static_configs: [\n');
    const syntax = await run(['import', '--blackbox', `${ECS}/blackbox.yml`, '--prometheus', broken]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(new RegExp(`^periscope: ${broken}:4:1: `));
    const missing = await run(['import', '--blackbox', join(dir, 'nope.yml'), '--prometheus', broken]);
    expect([missing.code, missing.stderr]).toEqual([2, `periscope: ${join(dir, 'nope.yml')}: file not found\n`]);
    for (const r of [syntax, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
