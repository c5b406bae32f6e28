// `sls package --stage X` in a throwaway copy of the service. osls and serverless-esbuild keep their work in
// .serverless/ and .esbuild/ of the service directory, so two packagings at once in one checkout (parallel
// test files, a developer's own `sls package`) would overwrite each other's artifacts. The tests package
// through this; it works for packaging several stages at once from a script as well.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

/** The service directory (deploy/ sits in it). */
export const SERVICE_DIR = resolve(import.meta.dirname, '..');

/** Not copied: dependencies are linked, the rest is state of this checkout. */
const NOT_COPIED = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.periscope', 'coverage']);

export interface PackageResult {
  /** Exit status of `sls package`. */
  code: number | null;
  /** What it printed (stdout and stderr). */
  output: string;
  /** The --package directory: cloudformation-template-update-stack.json and one zip per function. */
  dir: string;
  /** Removes the copy and the package directory. */
  cleanup(): Promise<void>;
}

export interface PackageOptions {
  /** Runs in the copy before packaging (e.g. `periscope import` writing the stage's targets file there). */
  prepare?: (serviceDir: string) => Promise<void>;
}

/**
 * Packages `stage` the way CI and `npm run deploy` do (`npx sls package`), offline and with every AWS
 * credential source removed, so a configuration that needs the account at package time fails here.
 */
export async function packageStage(stage: string, extraArgs: string[] = [], timeoutMs = 400_000, options: PackageOptions = {}): Promise<PackageResult> {
  const scratch = await mkdtemp(join(tmpdir(), `periscope-package-${stage}-`));
  const service = join(scratch, 'service');
  const dir = join(scratch, 'package');
  await cp(SERVICE_DIR, service, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(relative(SERVICE_DIR, source).split(/[\\/]/)[0] ?? '') && basename(source) !== '.DS_Store',
  });
  await symlink(join(SERVICE_DIR, 'node_modules'), join(service, 'node_modules'), 'dir');
  try {
    await options.prepare?.(service);
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }

  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  Object.assign(env, {
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
    AWS_CONFIG_FILE: join(scratch, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const child = spawn('npx', ['--no', 'sls', 'package', '--stage', stage, '--package', dir, ...extraArgs], { cwd: service, env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  return { code, output, dir, cleanup: () => rm(scratch, { recursive: true, force: true }) };
}
