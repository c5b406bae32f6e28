// `sls package` of a sample stage, once per state of the sources for all test files: deploy.test.ts,
// bundles.test.ts, platform-faults.test.ts and cloudformation-schema.test.ts read the same packages. Keyed by
// a hash of everything packaging reads (serverless.yml, deploy/, functions/, shared/, targets/, package files),
// kept under the system temp directory; a lock directory makes a second test file wait for the first's
// packaging instead of running its own (two cores: a packaging takes ~30-60 s).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageStage, SERVICE_DIR } from '../../deploy/isolated-package.js';

const HASHED = ['serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'deploy', 'functions', 'shared', 'targets'];
const CACHE = join(tmpdir(), 'periscope-package-cache');
/** A lock older than this belongs to a test run that died. */
const STALE_LOCK_MS = 10 * 60_000;

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.filter((e) => !e.name.startsWith('.')).map((e) => filesUnder(join(path, e.name))));
  return nested.flat();
}

let sourceHash: Promise<string> | undefined;

/** A hash of every file packaging reads. */
export function packagingSourceHash(): Promise<string> {
  sourceHash ??= (async () => {
    const hash = createHash('sha256');
    const files = (await Promise.all(HASHED.map((p) => filesUnder(join(SERVICE_DIR, p))))).flat().sort();
    for (const file of files) hash.update(relative(SERVICE_DIR, file)).update('\0').update(await readFile(file)).update('\0');
    return hash.digest('hex').slice(0, 16);
  })();
  return sourceHash;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The --package directory of `sls package --stage <stage>` for the current sources (the template and one zip
 * per function), packaged by whichever test file asks first. Read it, never write into it.
 */
export async function packagedStage(stage: string, timeoutMs = 600_000): Promise<string> {
  const key = await packagingSourceHash();
  const root = join(CACHE, key);
  const dir = join(root, stage);
  const done = join(root, `${stage}.done`);
  const lock = join(root, `${stage}.lock`);
  await mkdir(root, { recursive: true });
  const until = Date.now() + timeoutMs;
  while (!existsSync(done)) {
    if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for the packaging of ${stage} (${lock})`);
    try {
      await mkdir(lock);
    } catch {
      const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      await sleep(500);
      continue;
    }
    try {
      const packaged = await packageStage(stage);
      try {
        if (packaged.code !== 0) throw new Error(`sls package --stage ${stage} failed (${packaged.code}):\n${packaged.output}`);
        await rm(dir, { recursive: true, force: true });
        await cp(packaged.dir, dir, { recursive: true });
        await writeFile(join(root, `${stage}.output`), packaged.output);
        await writeFile(done, new Date().toISOString());
      } finally {
        await packaged.cleanup();
      }
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  void pruneOld(key);
  return dir;
}

/** What `sls package` printed for the cached stage. */
export async function packagedStageOutput(stage: string): Promise<string> {
  return readFile(join(CACHE, await packagingSourceHash(), `${stage}.output`), 'utf8');
}

/** Packages of older sources, a day after their last use. */
async function pruneOld(current: string): Promise<void> {
  const entries = await readdir(CACHE).catch(() => [] as string[]);
  for (const name of entries) {
    if (name === current) continue;
    const info = await stat(join(CACHE, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 86_400_000) await rm(join(CACHE, name), { recursive: true, force: true }).catch(() => {});
  }
}
