// `periscope cost` as a user runs it: the command's output and errors, and the cost table of docs/cost.md being
// what the command gives for the sample files. The model's arithmetic is test/unit/cost.test.ts.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

// Each case starts Node and tsx: seconds apiece on a busy machine.
describe('periscope cost', { timeout: 90_000 }, () => {
  it("prints the month's lines, the total and the goal for a targets file", async () => {
    const run = await cli(['bin/periscope.js', 'cost', '--config', 'bench/cost-samples/targets-100.yml', '--existing-topic', '--region', 'us-east-1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('100 targets in 2 schedules, us-east-1 list prices, per month:');
    expect(run.stdout).toMatch(/CloudWatch metrics\s+\$0\.30/);
    expect(run.stdout).toMatch(/KMS key \(alerts topic\)\s+\$0\.00 {2}existing topic/);
    expect(run.stdout).toMatch(/goal \(a tenth of it\): \$1\.44/);
  });

  it('answers --json with lines that add up to the total', async () => {
    const run = await cli(['bin/periscope.js', 'cost', '--config', 'bench/cost-samples/targets-1000.yml', '--memory', '256', '--json']);
    const estimate = JSON.parse(run.stdout) as { targets: number; schedules: number; totalUsd: number; lines: Array<{ usd: number }> };
    expect(estimate).toMatchObject({ targets: 1000, schedules: 5 });
    expect(estimate.totalUsd).toBeCloseTo(estimate.lines.reduce((s, l) => s + l.usd, 0), 9);
  });

  it('rejects bad flags and files with a one-line message and exit 2', async () => {
    const [memory, region, missing] = await Promise.all([
      cli(['bin/periscope.js', 'cost', '--config', 'bench/cost-samples/targets-10.yml', '--memory', 'lots']),
      cli(['bin/periscope.js', 'cost', '--config', 'bench/cost-samples/targets-10.yml', '--region', 'mars-1']),
      cli(['bin/periscope.js', 'cost', '--config', 'nope.yml']),
    ]);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain("error: option '--memory <mb>' argument 'lots' is invalid. Expected a whole number from 128 to 10240.");
    expect(region.stderr).toContain('--region: no price table for mars-1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yml');
  });

  it("prices a stage with its params from serverless.yml (the docs' own example), flags overriding them", async () => {
    const [prod, overridden] = await Promise.all([
      cli(['bin/periscope.js', 'cost', '--config', 'targets/prod.yml', '--json']),
      cli(['bin/periscope.js', 'cost', '--config', 'targets/prod.yml', '--region', 'us-east-1', '--memory', '1024', '--concurrency', '20']),
    ]);
    // prod: eu-central-1 and an existing topic (createAlertsTopic: false), so no KMS key of its own.
    const estimate = JSON.parse(prod.stdout) as { region: string; stage: Record<string, unknown>; lines: Array<{ item: string; usd: number; detail: string }> };
    expect(estimate.stage).toEqual({ stage: 'prod', region: 'eu-central-1', memoryMb: 512, concurrency: 50, topic: 'existing topic' });
    expect(estimate.region).toBe('eu-central-1');
    expect(estimate.lines.find((l) => l.item.startsWith('KMS'))).toMatchObject({ usd: 0, detail: expect.stringContaining('existing topic') });
    expect(overridden.stdout.split('\n')[0]).toBe('stage prod: us-east-1, 1024 MB, 20 probes in flight, existing topic');
    expect(overridden.stdout).toContain('us-east-1 list prices');
  });

  it("is what the cost and performance guides' tables show (they are generated, not typed)", async () => {
    const run = await cli(['--import', 'tsx', 'bench/readme-tables.ts', '--check']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
