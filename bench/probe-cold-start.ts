// The packaged probe's cold start, as Lambda runs it: `node --import tsx bench/probe-cold-start.ts [--stage dev]
// [--runs 21] [--source-maps] [package-dir …]`. Without directories it packages the stage from this checkout
// (`sls package`, deploy/isolated-package.ts) and measures that; with them, it measures unpacked probe.zip
// directories side by side (e.g. one packaged from an older commit; the bench adds its targets file and its
// snapshot to each). Each run is a fresh Node process, round-robin
// over the directories so a changing machine load hits them alike: require() of the handler (the bench's
// "load"), then two scheduled runs of a group of 5 HTTP targets on loopback, written to a VictoriaMetrics
// stand-in (SQS too): the first run pays what is loaded on first use, the second is warm. Medians of CPU time
// (what to compare on a busy machine) and wall time, printed with the load average they were taken at.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { packageStage } from '../deploy/isolated-package.js';
import { makeTargetsSnapshot } from '../shared/config/make-targets-snapshot.js';

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

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const target = await listen((_req, res) => res.end('ok'));
const vm = await listen((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
const sqs = await listen((req, res) =>
  req.resume().on('end', () => {
    const answer = String(req.headers['x-amz-target']).endsWith('GetQueueAttributes') ? { Attributes: { ApproximateNumberOfMessages: '0' } } : { Messages: [] };
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer));
  }),
);

// The group every directory runs: its own targets file and snapshot beside the packaged ones.
const targetsText = `groups:\n  - name: bench\n    targets:\n${[0, 1, 2, 3, 4].map((i) => `      - { name: t${i}, http: { url: "${target.url}/${i}" } }\n`).join('')}`;
const snapshot = await makeTargetsSnapshot(targetsText, 'targets/cold-start-bench.yml');
for (const dir of dirs) {
  await writeFile(join(dir, 'targets/cold-start-bench.yml'), targetsText);
  await writeFile(join(dir, 'functions/cold-start-bench.targets.json'), snapshot);
}

const runner = (dir: string) => `
  const context = { awsRequestId: 'bench', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:bench', getRemainingTimeInMillis: () => 20000 };
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const t0 = performance.now(), c0 = cpu();
  const { handler } = require(${JSON.stringify(join(dir, 'functions/probe.cjs'))});
  const t1 = performance.now(), c1 = cpu();
  (async () => {
    const first = await handler({ group: 'bench' }, context);
    const t2 = performance.now(), c2 = cpu();
    await handler({ group: 'bench' }, context);
    const t3 = performance.now(), c3 = cpu();
    if (first.succeeded !== 5 || !(first.samples_written > 0)) throw new Error(JSON.stringify(first));
    console.log(JSON.stringify({ load: t1 - t0, loadCpu: c1 - c0, first: t2 - t1, firstCpu: c2 - c1, second: t3 - t2, secondCpu: c3 - c2 }));
  })();`;

const env = (dir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  LAMBDA_TASK_ROOT: dir,
  STAGE: stage,
  TARGETS_FILE: 'targets/cold-start-bench.yml',
  TARGETS_SNAPSHOT: 'functions/cold-start-bench.targets.json',
  VM_WRITE_URL: vm.url,
  SPOOL_QUEUE_URL: `${sqs.url}/123456789012/spool`,
  AWS_ENDPOINT_URL: sqs.url,
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
});

function runOnce(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', runner(dir)], { cwd: dir, env: env(dir) });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${dir}: ${err}${out}`))));
  });
}

interface Sample {
  load: number;
  loadCpu: number;
  first: number;
  firstCpu: number;
  second: number;
  secondCpu: number;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const samples: Sample[][] = dirs.map(() => []);
const startLoad = loadavg()[0] ?? 0;
for (let i = 0; i < runs; i++) {
  for (const [k, dir] of dirs.entries()) {
    const line = (await runOnce(dir)).split('\n').find((l) => l.startsWith('{"load"'));
    samples[k]?.push(JSON.parse(line ?? '') as Sample);
  }
}
for (const { server } of [target, vm, sqs]) server.close();
console.log(`node ${process.version}, stage ${stage}, ${runs} runs each${sourceMaps ? ', --enable-source-maps' : ''}, load average ${startLoad.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`);
for (const [k, dir] of dirs.entries()) {
  const of = (key: keyof Sample) => median((samples[k] ?? []).map((s) => s[key])).toFixed(1);
  const kib = ((await stat(join(dir, 'functions/probe.cjs'))).size / 1024).toFixed(1);
  console.log(
    `${dir}: probe.cjs ${kib} KiB | CPU: require ${of('loadCpu')} ms, first run ${of('firstCpu')} ms, second run ${of('secondCpu')} ms | wall: ${of('load')}, ${of('first')}, ${of('second')} ms`,
  );
}
await cleanup();
