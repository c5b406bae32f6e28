// An import for a stage gives a file that deploys: from the docker-compose fixture (rule files beside
// prometheus.yml, a 30 s scrape interval), `periscope import --stage compose` writes targets/compose.yml and copies
// the rule files under targets/, `periscope validate --stage compose` accepts it, and `sls package --stage compose`
// (offline, in a copy of the service) packages it: one-minute schedules, the rule file in the anomaly check's zip.
// The stage's params are added to serverless.yml as the import's report says to.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageStage, type PackageResult } from '../../deploy/isolated-package.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function periscopeIn(cwd: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/periscope.js', ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Entry names of a zip archive, from its central directory. */
function zipEntries(zip: Buffer): string[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive');
  const names: string[] = [];
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

const FIXTURE = 'test/fixtures/import/compose';
// What the report asks to set by hand (the account's VPC, where samples go), plus the anomaly check so that the
// copied rule file is deployed and checked.
const COMPOSE_PARAMS = `  compose:
    targetsFile: targets/compose.yml
    subnetIds: [subnet-0b1c2d3e4f5a60001]
    securityGroupIds: [sg-0b1c2d3e4f5a60001]
    vmWriteUrl: https://vm.example.com
    vmWriteTokenFrom: ssm:/periscope/compose/vm-token
    vmQueryUrl: https://vm.example.com
    vmQueryTokenFrom: ssm:/periscope/compose/vm-token
    anomalyCheck: true
`;

let imported: Run;
let validated: Run;
let packaged: PackageResult;
let targetsYaml: string;

beforeAll(async () => {
  packaged = await packageStage('compose', [], 400_000, {
    prepare: async (service) => {
      imported = await periscopeIn(service, ['import', '--blackbox', `${FIXTURE}/blackbox.yml`, '--prometheus', `${FIXTURE}/prometheus.yml`, '--alertmanager', `${FIXTURE}/alertmanager.yml`, '--stage', 'compose']);
      validated = await periscopeIn(service, ['validate', '--stage', 'compose', 'targets/compose.yml']);
      targetsYaml = await readFile(join(service, 'targets/compose.yml'), 'utf8');
      // The stage's params, where serverless.yml's params are (before `provider:`), with the ones the import printed.
      const serverless = await readFile(join(service, 'serverless.yml'), 'utf8');
      const printed = /Stage params for serverless\.yml \(under params\.compose\):\n((?: {2}[^\s…].*\n| {4}.*\n)*)/.exec(imported.stdout)?.[1] ?? '';
      const block = COMPOSE_PARAMS + printed.replace(/^/gm, '  ').replace(/^ {2}$/gm, '');
      await writeFile(join(service, 'serverless.yml'), serverless.replace('\nprovider:\n', `\n${block}\nprovider:\n`));
    },
  });
}, 420_000);

afterAll(async () => {
  await packaged?.cleanup();
});

describe('periscope import --stage compose', () => {
  it('rounds the 30 s scrape interval up to a minute and says so', () => {
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/prometheus\.yml:\d+: scrape job blackbox_http: scrape_interval 30s → interval 1m: Lambda schedules run on whole minutes/);
    expect(imported.stdout).toMatch(/evaluation_interval 30s → 1m: the anomaly check Lambda runs once a minute/);
    expect(targetsYaml).not.toMatch(/interval: 30s/);
    expect(targetsYaml.match(/^ {4}interval: 1m$/gm)).toHaveLength(3);
  });

  it('copies the rule files under targets/ and names the copies', () => {
    expect(imported.stdout).toContain(`${FIXTURE}/rules/blackbox.yml → targets/rules/compose/blackbox.yml`);
    expect(targetsYaml).toMatch(/^rule_files:\n {2}- rules\/compose\/blackbox\.yml$/m);
  });

  it('says which params to set by hand, and how to check the file', () => {
    expect(imported.stdout).toContain('…and, by hand: subnetIds and securityGroupIds');
    expect(imported.stdout).toContain('check it with: periscope validate --stage compose targets/compose.yml');
  });

  it('writes a file validate --stage accepts', () => {
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toBe('targets/compose.yml: ok (3 groups, 9 targets, 1 rule group, 1 rule; deployable as stage compose)\n');
  });

  it('packages: a one-minute schedule per group and the copied rule file in the anomaly check', async () => {
    expect(packaged.output).toContain('Service packaged');
    expect(packaged.code).toBe(0);
    const template = JSON.parse(await readFile(join(packaged.dir, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const schedules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule' && JSON.stringify(r.Properties.Target).includes('ProbeLambdaFunction'));
    expect(schedules.map((s) => s.Properties.ScheduleExpression)).toEqual(['rate(1 minute)', 'rate(1 minute)', 'rate(1 minute)']);
    expect(zipEntries(await readFile(join(packaged.dir, 'anomalyCheck.zip')))).toContain('targets/rules/compose/blackbox.yml');
  });
});

describe('sls package of a file that cannot deploy', () => {
  let refused: PackageResult;
  beforeAll(async () => {
    // The same import for the local run (no --stage): 30 s intervals, rule files beside prometheus.yml.
    refused = await packageStage('compose', [], 400_000, {
      prepare: async (service) => {
        const run = await periscopeIn(service, ['import', '--blackbox', `${FIXTURE}/blackbox.yml`, '--prometheus', `${FIXTURE}/prometheus.yml`, '-o', 'targets/compose.yml']);
        if (run.code !== 0) throw new Error(run.stderr);
      },
    });
  }, 420_000);
  afterAll(async () => {
    await refused?.cleanup();
  });

  it('prints each problem once, without osls’ resolution noise, and stops', () => {
    expect(refused.code).not.toBe(0);
    expect(refused.output).not.toContain('Service packaged');
    const intervals = refused.output.match(/groups\[0\]\.interval: 30s is below 1 minute/g) ?? [];
    expect(intervals).toHaveLength(1);
    expect(refused.output.match(/rule_files\[0\]: \.\.\/test\/fixtures\/import\/compose\/rules\/\*\.yml is outside targets\//g)).toHaveLength(1);
    expect(refused.output).toContain('✖ Stage compose cannot be packaged:');
    expect(refused.output).toContain('periscope validate --stage compose targets/compose.yml');
    expect(refused.output).not.toMatch(/Cannot resolve variable|Received rejection|\n\s+at /);
  });
});
