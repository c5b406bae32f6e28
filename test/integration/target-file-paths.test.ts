// Files a targets file names (CA, client certificate and key files, password files, `file:` secrets) are relative
// to the targets file, as its rule_files are — from any working directory, and in the Lambda, where the package
// holds targets/ under another root and the probe reads a snapshot made at package time. `periscope validate`
// says which named file is missing, and with --stage (or a stage serverless.yml names) what `sls package` refuses.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, loadTargetsFile } from '../../shared/config/index.js';
import { fileReferences, resolveFilePaths } from '../../shared/config/file-paths.js';
import { makeTargetsSnapshot } from '../../shared/config/make-targets-snapshot.js';
import { loadProbeTargets } from '../../shared/aws/probe-runtime.js';
import { runProbe } from '../../shared/probing/index.js';
import { TestCa } from '../support/certs.js';
import { startHttpsServer, type TestServer } from '../support/http-servers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function periscope(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'bin/periscope.js'), ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let server: TestServer;
let caPem: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-paths-'));
  const ca = await TestCa.create();
  caPem = ca.certPem;
  const leaf = await ca.issue({ dnsNames: ['localhost'] });
  server = await startHttpsServer((req, res) => res.writeHead(req.headers.authorization === `Bearer token-from-file` ? 200 : 401).end('ok'), leaf);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A service directory: targets/<name>.yml beside targets/certs/ca.pem and a token file. */
async function service(name: string, yaml: string): Promise<string> {
  const root = await mkdtemp(join(dir, 'service-'));
  await mkdir(join(root, 'targets', 'certs'), { recursive: true });
  await writeFile(join(root, 'targets', 'certs', 'ca.pem'), caPem);
  await writeFile(join(root, 'targets', 'certs', 'token'), 'token-from-file\n');
  await writeFile(join(root, 'targets', `${name}.yml`), yaml);
  return root;
}

const httpsTarget = (port: number) => `groups:
  - name: api
    interval: 1m
    targets:
      - name: api
        http:
          url: https://localhost:${port}/
          bearer_token_from: file:certs/token
          tls_config: { ca_file: certs/ca.pem }
`;

describe('file references of a targets file', () => {
  const raw = {
    groups: [
      {
        name: 'g',
        labels: { ca_file: 'a label, not a path' },
        targets: [
          { name: 'h', http: { url: 'https://x/', headers: { key_file: 'a header' }, tls_config: { ca_file: 'ca.pem', cert_file: '/etc/abs.pem', key_file: 'k.pem', key_from: 'file:key' }, basic_auth: { username: 'u', password_file: 'pw' }, bearer_token_from: 'env:TOKEN' } },
          { name: 'p', postgres: { url: 'postgres://u@db/app', password_from: 'file:../secrets/db', tls_config: { ca_file: 'pg-ca.pem' } } },
          { name: 'd', dns: { server: '10.0.0.2', query_name: 'x', dns_over_tls: true, tls_config: { ca_file: 'dns-ca.pem' } } },
          { name: 'r', grpc: { address: 'x:1', metadata_from: { authorization: 'file:grpc-token', other: 'ssm:/periscope/s/x' }, tls_config: { cert_file: 'client.pem' } } },
          { name: 's', steps: [{ name: 'one', url: 'https://x/', variables_from: { password: 'file:pw2' }, tls_config: { ca_file: 'step-ca.pem' } }] },
        ],
      },
      { name: 'disc', discovery: { target: { name: 'x-{{address}}', tcp: { address: '{{address}}:1', tls: true, tls_config: { ca_file: 'disc-ca.pem' } } } } },
    ],
  };

  it('finds every path-bearing field of every module, steps and discovery templates included, and nothing else', () => {
    const refs = fileReferences(raw, '/srv/targets');
    expect(refs.map((r) => [r.field, r.path, r.secret])).toEqual([
      ['groups[0].targets[0].http.tls_config.ca_file', '/srv/targets/ca.pem', false],
      ['groups[0].targets[0].http.tls_config.cert_file', '/etc/abs.pem', false],
      ['groups[0].targets[0].http.tls_config.key_file', '/srv/targets/k.pem', false],
      ['groups[0].targets[0].http.tls_config.key_from', '/srv/targets/key', true],
      ['groups[0].targets[0].http.basic_auth.password_file', '/srv/targets/pw', false],
      ['groups[0].targets[1].postgres.password_from', '/srv/secrets/db', true],
      ['groups[0].targets[1].postgres.tls_config.ca_file', '/srv/targets/pg-ca.pem', false],
      ['groups[0].targets[2].dns.tls_config.ca_file', '/srv/targets/dns-ca.pem', false],
      ['groups[0].targets[3].grpc.metadata_from.authorization', '/srv/targets/grpc-token', true],
      ['groups[0].targets[3].grpc.tls_config.cert_file', '/srv/targets/client.pem', false],
      ['groups[0].targets[4].steps[0].variables_from.password', '/srv/targets/pw2', true],
      ['groups[0].targets[4].steps[0].tls_config.ca_file', '/srv/targets/step-ca.pem', false],
      ['groups[1].discovery.target.tcp.tls_config.ca_file', '/srv/targets/disc-ca.pem', false],
    ]);
  });

  it('resolves them, leaving env:, ssm:, absolute paths, labels and headers alone', () => {
    const resolved = resolveFilePaths(raw, '/srv/targets');
    const [h, p, , r] = resolved.groups[0]?.targets ?? [];
    expect(h?.http?.tls_config).toEqual({ ca_file: '/srv/targets/ca.pem', cert_file: '/etc/abs.pem', key_file: '/srv/targets/k.pem', key_from: 'file:/srv/targets/key' });
    expect(h?.http?.bearer_token_from).toBe('env:TOKEN');
    expect(h?.http?.headers).toEqual({ key_file: 'a header' });
    expect(resolved.groups[0]?.labels).toEqual({ ca_file: 'a label, not a path' });
    expect(p?.postgres?.password_from).toBe('file:/srv/secrets/db');
    expect(r?.grpc?.metadata_from).toEqual({ authorization: 'file:/srv/targets/grpc-token', other: 'ssm:/periscope/s/x' });
    // The input is not changed; what holds no file is shared, not copied.
    expect(raw.groups[0]?.targets?.[0]?.http?.tls_config.ca_file).toBe('ca.pem');
    expect(resolved.groups[1]).not.toBe(raw.groups[1]);
    const plain = { groups: [{ name: 'g', targets: [{ name: 't', http: { url: 'https://x/', tls_config: { insecure_skip_verify: true } } }] }] };
    expect(resolveFilePaths(plain, '/srv/targets')).toBe(plain);
  });
});

describe('a targets file used from another working directory', () => {
  it('finds its CA file and file: secret relative to itself (the CLI loader)', async () => {
    const root = await service('api', httpsTarget(server.port));
    const file = await loadTargetsFile(join(root, 'targets', 'api.yml'));
    const target = file.groups[0]?.targets[0];
    if (!target) throw new Error('no target');
    expect(target.http?.tls_config?.ca_file).toBe(join(root, 'targets', 'certs', 'ca.pem'));
    const result = await runProbe(target, { timeoutMs: 5_000, secrets: createSecretResolver() });
    expect(result.reason).toBeNull();
    expect(result.tls?.verified).toBe(true);
  });

  it('finds them in a Lambda package from the package-time snapshot, under another root', async () => {
    // Packaged on one machine (paths as written in the snapshot), unpacked under another root (/var/task).
    const built = await service('prod', httpsTarget(server.port));
    const text = await readFile(join(built, 'targets', 'prod.yml'), 'utf8');
    const taskRoot = await mkdtemp(join(dir, 'var-task-'));
    await cp(join(built, 'targets'), join(taskRoot, 'targets'), { recursive: true });
    await mkdir(join(taskRoot, 'functions'));
    await writeFile(join(taskRoot, 'functions', 'probe.targets.json'), await makeTargetsSnapshot(text, 'targets/prod.yml'));
    expect(await readFile(join(taskRoot, 'functions', 'probe.targets.json'), 'utf8')).not.toContain(built);
    const file = await loadProbeTargets(join(taskRoot, 'targets', 'prod.yml'), join(taskRoot, 'functions', 'probe.targets.json'));
    const target = file.groups[0]?.targets[0];
    expect(target?.http?.tls_config?.ca_file).toBe(join(taskRoot, 'targets', 'certs', 'ca.pem'));
    expect(target?.http?.bearer_token_from).toBe(`file:${join(taskRoot, 'targets', 'certs', 'token')}`);
    if (!target) throw new Error('no target');
    expect((await runProbe(target, { timeoutMs: 5_000, secrets: createSecretResolver() })).reason).toBeNull();
  });
});

describe('periscope validate', () => {
  it('names a referenced file that is missing, with its field, and exits 2', async () => {
    const root = await service('api', httpsTarget(server.port).replace('certs/ca.pem', 'certs/missing-ca.pem').replace('file:certs/token', 'file:certs/no-token'));
    const run = await periscope(['validate', 'targets/api.yml'], root);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('targets/api.yml: groups[0].targets[0].http.tls_config.ca_file: certs/missing-ca.pem: file not found (targets/certs/missing-ca.pem: paths are relative to the targets file)');
    expect(run.stderr).toContain('targets/api.yml: groups[0].targets[0].http.bearer_token_from: file:certs/no-token: file not found');
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('with --stage, lists everything sls package would refuse, at once', async () => {
    const root = await service(
      'edge',
      `rule_files: [../rules/outside.yml]
groups:
  - name: fast
    interval: 30s
    targets:
      - name: a
        http:
          url: https://a.example/
          tls_config: { ca_file: ../certs/ca.pem }
          bearer_token_from: ssm:/periscope/prod/token
`,
    );
    await mkdir(join(root, 'rules'));
    await writeFile(join(root, 'rules', 'outside.yml'), 'groups:\n  - name: r\n    rules:\n      - alert: Down\n        expr: up == 0\n');
    await mkdir(join(root, 'certs'));
    await writeFile(join(root, 'certs', 'ca.pem'), caPem);
    await writeFile(join(root, 'serverless.yml'), 'service: periscope\nparams:\n  default:\n    targetsFile: targets/${sls:stage}.yml\n');
    // Fine for the local run: the files exist.
    const local = await periscope(['validate', 'targets/edge.yml'], root);
    expect(local.stdout).toContain('targets/edge.yml: ok (1 group, 1 target, 1 rule group, 1 rule)');
    const run = await periscope(['validate', '--stage', 'edge', 'targets/edge.yml'], root);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringContaining('periscope: targets/edge.yml: groups[0].interval: 30s is below 1 minute'),
      expect.stringContaining('targets/edge.yml: rule_files[0]: ../rules/outside.yml is outside targets/'),
      expect.stringContaining('targets/edge.yml: groups[0].targets[0].http.tls_config.ca_file: ../certs/ca.pem is outside targets/'),
      expect.stringContaining('targets/edge.yml: groups[0].targets[0].http.bearer_token_from: ssm:/periscope/prod/token is outside ssm:/periscope/edge/'),
      'targets/edge.yml: 4 problems — as the targets file of stage edge, sls package would refuse it',
    ]);
  });

  it('checks a stage serverless.yml names without --stage', async () => {
    const root = await service('edge', httpsTarget(server.port).replace('interval: 1m', 'interval: 90s'));
    await writeFile(join(root, 'serverless.yml'), 'service: periscope\nparams:\n  default:\n    targetsFile: targets/${sls:stage}.yml\n  edge:\n    region: eu-central-1\n');
    const run = await periscope(['validate', 'targets/edge.yml'], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('targets/edge.yml: groups[0].interval: 1m30s is not a whole number of minutes');
    expect(run.stderr).toContain('as the targets file of stage edge (serverless.yml), sls package would refuse it');
  });
});
