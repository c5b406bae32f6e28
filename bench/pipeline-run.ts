// Periscope's side of the pipeline benchmark, in its own process so its CPU and peak RSS are its own:
// `rounds` runs of one group (probe + label + write to a real VictoriaMetrics, exactly as the probe Lambda
// does), measured from the start and again in steady state.
// Usage: node --import tsx bench/pipeline-run.ts <vmUrl> <targets.yml> <rounds> [concurrency, default 50] [warm-up probes, default 0]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { silentLogger } from '../shared/observability/logger.js';
import { runGroup } from '../shared/pipeline/run-group.js';
import { createFileSpool } from '../shared/storage/file-spool.js';

const [vmUrl, targetsPath, roundsText, concurrencyText, warmProbesText] = process.argv.slice(2);
const file = await loadTargetsFile(targetsPath as string);
const group = file.groups[0]!;
const dir = await mkdtemp(join(tmpdir(), 'periscope-pipeline-'));
const secrets = createSecretResolver();

async function round() {
  return runGroup({
    file,
    group,
    identity: { stage: 'bench', account: 'local', region: 'local' },
    vm: { url: vmUrl as string },
    spool: createFileSpool(join(dir, 'spool')),
    secrets,
    metrics: { put: async () => {} },
    logger: silentLogger,
    deadlineMs: Date.now() + 60_000,
    concurrency: Number(concurrencyText || 50),
  });
}

// Two measurements of `rounds` rounds each: from the start (after one round that loads the code and builds the
// first TLS contexts: what a fresh Lambda container's first minutes cost, V8's JIT still warming), and in
// steady state once `warmProbes` probes in all have run (what a warm container runs at, which is how the
// Go side is measured too). The steady figure is the one judged.
async function measure(rounds: number) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let probes = 0;
  let samples = 0;
  let failures = 0;
  let lagMaxMs = 0;
  for (let i = 0; i < rounds; i++) {
    const { summary } = await round();
    probes += summary.targets;
    samples += summary.samples_written;
    failures += summary.failed;
    lagMaxMs = Math.max(lagMaxMs, summary.event_loop_lag_ms.max);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { cpu_ms: (cpu.user + cpu.system) / 1000, wall_ms: Math.round(performance.now() - started), rounds, lag_max_ms: lagMaxMs, probes, samples, failures };
}

const rounds = Number(roundsText);
const warmProbes = Number(warmProbesText ?? 0);
const { summary: first } = await round();
// Without a warm-up count, only the one round above comes before the measurement.
const fromStart = warmProbes > 0 ? await measure(rounds) : undefined;
let done = first.targets + (fromStart?.probes ?? 0);
while (done < warmProbes) done += (await round()).summary.targets;
const steady = await measure(rounds);
await rm(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ ...steady, ...(fromStart ? { from_start: fromStart } : {}), warm_probes_before: done, max_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
