// One scale run in its own process (so its peak RSS is its own): N loopback targets with mixed delays and
// failures, probed and written to a real VictoriaMetrics by runGroup, exactly as the probe Lambda does.
// Usage: node --import tsx bench/scale-run.ts <vmUrl> <targetPort> <closedPort> <count> <concurrency>
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretResolver, parseTargetsFile } from '../shared/config/index.js';
import { silentLogger } from '../shared/observability/logger.js';
import { runGroup } from '../shared/pipeline/run-group.js';
import { createFileSpool } from '../shared/storage/file-spool.js';

const [vmUrl, targetPort, closedPort, countText, concurrencyText] = process.argv.slice(2);
const count = Number(countText);

function targetUrl(i: number): string {
  const kind = i % 20;
  if (kind === 0) return `http://127.0.0.1:${targetPort}/status/500`;
  if (kind === 1) return `http://127.0.0.1:${closedPort}/`;
  if (kind < 6) return `http://127.0.0.1:${targetPort}/delay/${50 + (i % 4) * 50}`;
  return `http://127.0.0.1:${targetPort}/fast?i=${i}`;
}

const lines = Array.from({ length: count }, (_, i) => `      - name: t${i}\n        http: { url: "${targetUrl(i)}" }`);
const file = parseTargetsFile(`defaults: { timeout: 5s }\ngroups:\n  - name: bench-scale\n    targets:\n${lines.join('\n')}\n`, 'bench.yml');
const dir = await mkdtemp(join(tmpdir(), 'periscope-bench-'));
// Where the memory is at its peak: V8's heap, buffers outside it, or neither (code, stacks, the allocator).
const peak = { heap_used_mib: 0, heap_total_mib: 0, external_mib: 0, array_buffers_mib: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  const mib = (b: number) => Math.round(b / 1048576);
  peak.heap_used_mib = Math.max(peak.heap_used_mib, mib(m.heapUsed));
  peak.heap_total_mib = Math.max(peak.heap_total_mib, mib(m.heapTotal));
  peak.external_mib = Math.max(peak.external_mib, mib(m.external));
  peak.array_buffers_mib = Math.max(peak.array_buffers_mib, mib(m.arrayBuffers));
}, 50);
const started = performance.now();
const { summary } = await runGroup({
  file,
  group: file.groups[0]!,
  identity: { stage: 'bench', account: 'local', region: 'local' },
  vm: { url: vmUrl as string },
  spool: createFileSpool(join(dir, 'spool')),
  secrets: createSecretResolver(),
  metrics: { put: async () => {} },
  logger: silentLogger,
  deadlineMs: Date.now() + 60_000,
  concurrency: Number(concurrencyText),
});
const wallMs = performance.now() - started;
clearInterval(sampler);
await rm(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ wall_ms: Math.round(wallMs), max_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024), samples: summary.samples_written, samples_per_second: Math.round(summary.samples_written / (wallMs / 1000)), memory_peaks: peak, summary })}\n`,
);
