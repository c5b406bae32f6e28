// The packaged probe's cold start, as Lambda runs it: `node --import tsx bench/probe-cold-start.ts [--stage dev]
// [--runs 21] [--source-maps] [package-dir …]`. Without directories it packages the stage from this checkout
// (`sls package`, deploy/isolated-package.ts) and measures that; with them, it measures unpacked probe.zip
// directories side by side (e.g. one packaged from an older commit). Each run is a fresh Node process, round-robin
// over the directories so a changing machine load hits them alike: require() of the handler (the bench's
// "load"), then one invocation that loads the runtime and the targets file and probes nothing ({"group": an
// unknown name} answers bad_event). Medians of wall and CPU time of each part; CPU is what to compare on a
// busy machine, wall is printed with the load average it was taken at.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { packageStage } from '../deploy/isolated-package.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? (args.splice(at, 2)[1] ?? fallback) : fallback;
};
const stage = option('--stage', 'dev');
const runs = Number(option('--runs', '21'));
const sourceMaps = args.includes('--source-maps') ? (args.splice(args.indexOf('--source-maps'), 1), true) : false;
let dirs = args;
let cleanup = async () => {};

/** Unzips (stored or deflated entries, as serverless-esbuild writes them) into `dir`. */
async function unzipTo(zip: Buffer, dir: string): Promise<void> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (!name.endsWith('/')) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), method === 8 ? inflateRawSync(data) : data);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
}

if (dirs.length === 0) {
  const packaged = await packageStage(stage);
  if (packaged.code !== 0) throw new Error(`sls package failed:\n${packaged.output}`);
  const dir = await mkdtemp(join(tmpdir(), 'periscope-cold-start-'));
  await unzipTo(await readFile(join(packaged.dir, 'probe.zip')), dir);
  await packaged.cleanup();
  dirs = [dir];
  cleanup = () => rm(dir, { recursive: true, force: true });
}

const runner = (dir: string) => `
  const t0 = performance.now(), c0 = process.cpuUsage();
  const { handler } = require(${JSON.stringify(join(dir, 'functions/probe.cjs'))});
  const t1 = performance.now(), c1 = process.cpuUsage();
  const end = Date.now() + 20000;
  const context = { awsRequestId: 'bench', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:bench', getRemainingTimeInMillis: () => end - Date.now() };
  handler({ group: '(none)' }, context).then((answer) => {
    if (answer?.error !== 'bad_event') throw new Error(JSON.stringify(answer));
    const t2 = performance.now(), c2 = process.cpuUsage();
    const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1000;
    console.log(JSON.stringify({ load: t1 - t0, loadCpu: cpu(c0, c1), invoke: t2 - t1, invokeCpu: cpu(c1, c2) }));
  });`;

const env = (dir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  LAMBDA_TASK_ROOT: dir,
  STAGE: stage,
  TARGETS_FILE: `targets/${stage}.yml`,
  TARGETS_SNAPSHOT: 'functions/probe.targets.json',
  VM_WRITE_URL: 'http://127.0.0.1:9',
  SPOOL_QUEUE_URL: 'http://127.0.0.1:9/queue',
  AWS_REGION: 'eu-central-1',
  ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
});

interface Sample {
  load: number;
  loadCpu: number;
  invoke: number;
  invokeCpu: number;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const samples: Sample[][] = dirs.map(() => []);
const startLoad = loadavg()[0] ?? 0;
for (let i = 0; i < runs; i++) {
  dirs.forEach((dir, k) => {
    const run = spawnSync(process.execPath, ['-e', runner(dir)], { encoding: 'utf8', cwd: dir, env: env(dir) });
    if (run.status !== 0) throw new Error(`${dir}: ${run.stderr}`);
    samples[k]?.push(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as Sample);
  });
}
console.log(`node ${process.version}, stage ${stage}, ${runs} runs each${sourceMaps ? ', --enable-source-maps' : ''}, load average ${startLoad.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`);
for (const [k, dir] of dirs.entries()) {
  const of = (key: keyof Sample) => median((samples[k] ?? []).map((s) => s[key])).toFixed(1);
  const kib = ((await stat(join(dir, 'functions/probe.cjs'))).size / 1024).toFixed(1);
  console.log(`${dir}: probe.cjs ${kib} KiB | require ${of('load')} ms (CPU ${of('loadCpu')} ms) | first invocation ${of('invoke')} ms (CPU ${of('invokeCpu')} ms)`);
}
await cleanup();
