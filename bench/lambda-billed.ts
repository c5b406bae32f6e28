// Billed duration of a real probe run at each Lambda memory size. Lambda gives a function CPU in proportion
// to its memory (one full vCPU at 1 769 MB); the run here gets the same share of one core through a Linux
// CPU cgroup (cfs quota), probes 100 HTTPS targets that answer after 200 ms, labels and writes to a real
// VictoriaMetrics — so its wall time is what Lambda would bill, waiting and CPU overlapping as they really do.
// Needs root and the cgroup v1 cpu controller (or cgroup v2); otherwise it says so and measures nothing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FULL_VCPU_MB } from '../shared/cost/model.js';

const run = promisify(execFile);

export interface BilledAtMemory {
  memory_mb: number;
  cpu_share: number;
  /** Wall time of one run (probe + label + write), median of the measured rounds' mean. */
  billed_ms_per_run: number;
  gb_seconds_per_run: number;
  /** Largest event-loop lag a run saw: how much the CPU share delays the timing of probes. */
  event_loop_lag_max_ms: number;
  failures: number;
}

interface CpuCgroup {
  dir: string;
  limit(share: number): Promise<void>;
  procsFile: string;
}

async function makeCgroup(name: string): Promise<CpuCgroup | undefined> {
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
    const dir = join(v1, name);
    await mkdir(dir, { recursive: true });
    return { dir, procsFile: join(dir, 'cgroup.procs'), limit: (share) => writeFile(join(dir, 'cpu.cfs_quota_us'), String(Math.round(100_000 * share))) };
  }
  if (existsSync(join(v2, 'cgroup.controllers'))) {
    const dir = join(v2, name);
    await mkdir(dir, { recursive: true });
    return { dir, procsFile: join(dir, 'cgroup.procs'), limit: (share) => writeFile(join(dir, 'cpu.max'), `${Math.round(100_000 * share)} 100000`) };
  }
  return undefined;
}

export async function benchLambdaBilled(httpsPorts: number[], caFile: string, vmUrl: string, count: number, memories: number[], rounds: number, concurrency: number): Promise<BilledAtMemory[] | string> {
  if (process.getuid?.() !== 0) return 'not root: no CPU cgroup to give the run a Lambda-sized CPU share';
  let cgroup: CpuCgroup | undefined;
  try {
    cgroup = await makeCgroup(`periscope-bench-${process.pid}`);
  } catch (err) {
    return `cannot create a CPU cgroup: ${(err as Error).message}`;
  }
  if (!cgroup) return 'no cgroup cpu controller on this machine';
  const dir = await mkdtemp(join(tmpdir(), 'periscope-billed-'));
  try {
    const file = join(dir, 'https.yml');
    const targets = Array.from({ length: count }, (_, i) => `      - name: slow-${i}\n        http: { url: "https://127.0.0.1:${httpsPorts[i % httpsPorts.length]}/delay/200?i=${i}", tls_config: { ca_file: "${caFile}" } }`);
    await writeFile(file, `defaults: { timeout: 10s }\ngroups:\n  - name: billed\n    targets:\n${targets.join('\n')}\n`);
    const out: BilledAtMemory[] = [];
    for (const memory of memories) {
      const share = Math.min(1, memory / FULL_VCPU_MB);
      await cgroup.limit(share);
      // The shell joins the cgroup, then becomes node: the whole run (and nothing else) has the share.
      const script = `echo $$ > ${cgroup.procsFile} && exec "${process.execPath}" --import tsx bench/pipeline-run.ts "$@"`;
      const { stdout } = await run('sh', ['-c', script, 'sh', vmUrl, file, String(rounds), String(concurrency)], { maxBuffer: 1 << 20, timeout: 600_000 });
      const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { wall_ms: number; rounds: number; lag_max_ms: number; failures: number };
      const perRun = r.wall_ms / r.rounds;
      out.push({ memory_mb: memory, cpu_share: Number(share.toFixed(3)), billed_ms_per_run: Math.round(perRun), gb_seconds_per_run: Number(((perRun / 1000) * (memory / 1024)).toFixed(4)), event_loop_lag_max_ms: Math.round(r.lag_max_ms), failures: r.failures });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rmdir(cgroup.dir).catch(() => {});
  }
}
