// Periscope's side of the pipeline benchmark, in its own process so its CPU and peak RSS are its own:
// `rounds` runs of one group (probe + label + write to a real VictoriaMetrics, exactly as the probe Lambda
// does), after one warm-up run that is not counted.
// Usage: node --import tsx bench/pipeline-run.ts <vmUrl> <targets.yml> <rounds> [concurrency, default 50]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { silentLogger } from '../shared/observability/logger.js';
import { runGroup } from '../shared/pipeline/run-group.js';
import { createFileSpool } from '../shared/storage/file-spool.js';

const [vmUrl, targetsPath, roundsText, concurrencyText] = process.argv.slice(2);
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
    concurrency: Number(concurrencyText ?? 50),
  });
}

await round(); // warm-up: V8's JIT, pg's lazy load, the first TLS contexts
const cpuBefore = process.cpuUsage();
const started = performance.now();
let probes = 0;
let samples = 0;
let failures = 0;
let lagMaxMs = 0;
for (let i = 0; i < Number(roundsText); i++) {
  const { summary } = await round();
  probes += summary.targets;
  samples += summary.samples_written;
  failures += summary.failed;
  lagMaxMs = Math.max(lagMaxMs, summary.event_loop_lag_ms.max);
}
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await rm(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ cpu_ms: (cpu.user + cpu.system) / 1000, wall_ms: Math.round(wallMs), rounds: Number(roundsText), lag_max_ms: lagMaxMs, probes, samples, failures, max_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
