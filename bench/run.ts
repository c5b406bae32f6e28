// `npm run bench`: Periscope measured beside prometheus-blackbox-exporter in the same run, on loopback only.
// Prints one table and writes bench/results.json. `--smoke` runs every benchmark at a tenth of its size
// (what CI runs, so the benchmark cannot rot). Ratios matter, not absolute times: these machines are noisy.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Pool } from 'undici';
import { createSecretResolver, parseTargetsFile } from '../shared/config/index.js';
import { loadAlertingConfig } from '../shared/alerting/load-rules.js';
import { createMemoryClaimStore } from '../shared/alerting/claim-store.js';
import { evaluateGroup } from '../shared/alerting/evaluate-group.js';
import { silentLogger } from '../shared/observability/logger.js';
import { probeGroup } from '../shared/pipeline/probe-group.js';
import { startBlackbox, parseExposition, processCpuSeconds } from '../test/support/blackbox.js';
import { freePort } from '../test/support/ports.js';
import { benchUiPages } from './ui-pages.js';
import { prometheusLine, startVictoriaMetrics } from '../test/support/victoria-metrics.js';

const run = promisify(execFile);
const smoke = process.argv.includes('--smoke');
const scale = smoke ? 0.1 : 1;
const n = (full: number) => Math.max(10, Math.round(full * scale));

interface Row {
  name: string;
  periscope: string;
  blackbox?: string;
  ratio?: number;
  goal: string;
  met: boolean;
}
const rows: Row[] = [];
const results: Record<string, unknown> = { smoke, node: process.version, started_at: new Date().toISOString() };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function startTargets(): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['bench/target-server.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    proc.once('exit', (code) => reject(new Error(`target server exited ${code}`)));
  });
  return { port, proc };
}

async function pooled<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** Probes through the engine the Lambda runs (probeGroup: bounded concurrency, event-loop lag guard). */
async function periscopeProbes(url: string, count: number, concurrency: number) {
  const targets = Array.from({ length: count }, (_, i) => `      - name: p${i}\n        http: { url: "${url}" }`).join('\n');
  const file = parseTargetsFile(`defaults: { timeout: 10s }\ngroups:\n  - name: bench\n    targets:\n${targets}\n`, 'bench.yml');
  const secrets = createSecretResolver();
  const cpuBefore = process.cpuUsage();
  const { results, lag, throttled } = await probeGroup(file, file.groups[0]!, { concurrency, secrets });
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000, durations: results.map((r) => r.duration_seconds), failures: results.filter((r) => !r.success).length, lag, throttled };
}

async function blackboxProbes(bb: Awaited<ReturnType<typeof startBlackbox>>, url: string, count: number, concurrency: number) {
  const pool = new Pool(bb.url, { connections: concurrency, pipelining: 1 });
  const cpuBefore = await processCpuSeconds(bb.pid);
  const path = `/probe?module=http_2xx&target=${encodeURIComponent(url)}`;
  const durations = await pooled(count, concurrency, async () => {
    const response = await pool.request({ method: 'GET', path, headers: { 'x-prometheus-scrape-timeout-seconds': '10' } });
    const exposition = parseExposition(await response.body.text());
    return exposition.get('probe_duration_seconds')?.[0]?.value ?? NaN;
  });
  const cpuMs = ((await processCpuSeconds(bb.pid)) - cpuBefore) * 1000;
  await pool.close();
  return { cpuMs, durations };
}

async function benchCpuAndFidelity(targetPort: number): Promise<void> {
  const bb = await startBlackbox(`modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n    http:\n      preferred_ip_protocol: ip4\n`);
  try {
    const fast = `http://127.0.0.1:${targetPort}/fast`;
    // Warm both up before measuring: steady state is what a warm Lambda container runs at (V8's JIT needs a
    // few thousand probes to settle; the Go binary needs none, so this favours neither).
    await periscopeProbes(fast, n(3000), 50);
    await blackboxProbes(bb, fast, n(3000), 50);
    const count = n(2000);
    const ours = await periscopeProbes(fast, count, 50);
    const theirs = await blackboxProbes(bb, fast, count, 50);
    const oursPer = ours.cpuMs / count;
    const theirsPer = theirs.cpuMs / count;
    results.cpu_per_probe = { probes: count, concurrency: 50, periscope_ms: oursPer, blackbox_ms: theirsPer, ratio: oursPer / theirsPer };
    rows.push({ name: `CPU per HTTP probe (${count} at c=50)`, periscope: `${oursPer.toFixed(3)} ms`, blackbox: `${theirsPer.toFixed(3)} ms`, ratio: oursPer / theirsPer, goal: 'ratio ≤ 0.5', met: oursPer / theirsPer <= 0.5 });

    const delayed = `http://127.0.0.1:${targetPort}/delay/100`;
    const fidelityCount = n(2000);
    const oursDelay = await periscopeProbes(delayed, fidelityCount, 200);
    const theirsDelay = await blackboxProbes(bb, delayed, fidelityCount, 200);
    const err = (d: number[]) => d.map((s) => (s - 0.1) * 1000);
    const o99 = percentile(err(oursDelay.durations), 99);
    const t99 = percentile(err(theirsDelay.durations), 99);
    const o50 = percentile(err(oursDelay.durations), 50);
    const t50 = percentile(err(theirsDelay.durations), 50);
    results.timing_fidelity = { probes: fidelityCount, concurrency: 200, true_delay_ms: 100, periscope_error_ms: { p50: o50, p99: o99 }, blackbox_error_ms: { p50: t50, p99: t99 }, periscope_event_loop_lag_ms: oursDelay.lag, periscope_throttled_starts: oursDelay.throttled };
    rows.push({ name: `Timing error p50 (100 ms endpoint, c=200)`, periscope: `${o50.toFixed(1)} ms`, blackbox: `${t50.toFixed(1)} ms`, ratio: o50 / t50, goal: '—', met: true });
    rows.push({ name: `Timing error p99 (100 ms endpoint, c=200)`, periscope: `${o99.toFixed(1)} ms`, blackbox: `${t99.toFixed(1)} ms`, ratio: o99 / t99, goal: 'p99 ≤ blackbox', met: o99 <= t99 });
  } finally {
    await bb.stop();
  }
}

async function benchScale(targetPort: number): Promise<void> {
  const vm = await startVictoriaMetrics();
  try {
    const count = n(10_000);
    const closed = await freePort();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/scale-run.ts', vm.url, String(targetPort), String(closed), String(count), '500'], { maxBuffer: 1 << 20, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { wall_ms: number; max_rss_mib: number; samples: number; samples_per_second: number };
    results.scale = { targets: count, ...r };
    rows.push({ name: `${count} targets probed + written`, periscope: `${(r.wall_ms / 1000).toFixed(1)} s, ${r.max_rss_mib} MiB, ${r.samples_per_second} samples/s`, goal: '≤ 15 s, ≤ 512 MiB', met: r.wall_ms <= 15_000 && r.max_rss_mib <= 512 });
  } finally {
    await vm.cleanup();
  }
}

async function nodeLoadMs(args: string[], times: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run(process.execPath, args);
    samples.push(performance.now() - start);
  }
  return percentile(samples, 50);
}

async function benchColdStart(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'periscope-bundles-'));
  try {
    const bare = await nodeLoadMs(['-e', ''], smoke ? 5 : 20);
    const out: Record<string, unknown> = { bare_node_ms: bare };
    for (const fn of ['probe', 'anomaly-check', 'notify-slack']) {
      const outfile = join(dir, `${fn}.cjs`);
      try {
        await stat(`functions/${fn}.ts`);
      } catch {
        continue;
      }
      // The same options as serverless.yml's esbuild section: bundled (AWS SDK included), minified, CommonJS.
      await build({ entryPoints: [`functions/${fn}.ts`], bundle: true, minify: true, keepNames: true, platform: 'node', target: 'node22', format: 'cjs', mainFields: ['module', 'main'], outfile, external: ['pg-native'], logLevel: 'silent' });
      const size = (await stat(outfile)).size;
      // require(), as the Lambda runtime loads a .cjs handler.
      const load = (await nodeLoadMs(['-e', `require(${JSON.stringify(outfile)})`], smoke ? 5 : 20)) - bare;
      out[fn] = { bundle_kib: Math.round(size / 1024), load_ms: Math.round(load) };
      const goal = fn === 'probe' ? '≤ 400 KiB, ≤ 60 ms' : '—';
      rows.push({ name: `Cold start: ${fn}`, periscope: `${Math.round(size / 1024)} KiB, load ${load.toFixed(0)} ms`, goal, met: fn !== 'probe' || (size <= 400 * 1024 && load <= 60) });
    }
    results.cold_start = out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchRules(): Promise<void> {
  const vm = await startVictoriaMetrics();
  try {
    const count = n(200);
    const now = Date.now() - 60_000;
    const lines: string[] = [];
    for (let s = 0; s < 50; s++) for (let t = now - 15 * 60_000; t <= now; t += 60_000) lines.push(prometheusLine('bench_requests_total', { service: `svc-${s}`, code: s % 7 === 0 ? '500' : '200' }, (t / 1000) % 1000, t));
    await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    const exprs = ['sum by (service) (rate(bench_requests_total[5m])) > 1e9', 'sum(rate(bench_requests_total{code="500"}[5m])) / sum(rate(bench_requests_total[5m])) > 0.99', 'max_over_time(bench_requests_total[10m]) < 0', 'absent(bench_requests_total{service="svc-1"})'];
    const rules = Array.from({ length: count }, (_, i) => `      - alert: Bench${i}\n        expr: '${exprs[i % exprs.length]}'\n        for: 5m\n        annotations: { summary: "{{ $labels.service }} {{ $value | humanize }}" }`);
    const config = await loadAlertingConfig(parseTargetsFile(`rules:\n  - name: bench\n    interval: 1m\n    rules:\n${rules.join('\n')}\n`, 'bench.yml'), 'bench.yml');
    const deps = { read: { url: vm.url }, write: { url: vm.url }, settings: config.settings, notify: async () => {}, logger: silentLogger, stage: 'bench', region: 'local', mode: 'live' as const, claims: createMemoryClaimStore(), ruleConcurrency: 16 };
    await evaluateGroup(config.groups[0]!, deps, now); // warm-up
    const start = performance.now();
    const report = await evaluateGroup(config.groups[0]!, deps, now + 60_000);
    const ms = performance.now() - start;
    results.rules = { rules: count, wall_ms: Math.round(ms), rule_errors: report.rule_errors };
    rows.push({ name: `${count} rules evaluated`, periscope: `${(ms / 1000).toFixed(2)} s`, goal: '≤ 2 s', met: ms <= 2000 && report.rule_errors === 0 });
  } finally {
    await vm.cleanup();
  }
}

async function benchUi(): Promise<void> {
  const r = await benchUiPages(n(1000), smoke ? 3 : 7);
  results.ui_pages = r;
  const slowest = Math.max(r.overview_ready_ms.median, r.target_ready_ms.median, r.alerts_ready_ms.median);
  rows.push({
    name: `UI page ready, ${r.targets} targets (median)`,
    periscope: `overview ${r.overview_ready_ms.median} ms, target ${r.target_ready_ms.median} ms, alerts ${r.alerts_ready_ms.median} ms`,
    goal: '≤ 1 s',
    met: slowest <= 1000,
  });
}

function printTable(): string {
  const header = ['benchmark', 'Periscope', 'blackbox_exporter', 'ratio', 'goal', 'met'];
  const body = rows.map((r) => [r.name, r.periscope, r.blackbox ?? '—', r.ratio === undefined ? '—' : r.ratio.toFixed(2), r.goal, r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const targets = await startTargets();
try {
  await benchCpuAndFidelity(targets.port);
  await benchScale(targets.port);
  await benchColdStart();
  await benchRules();
  await benchUi();
} finally {
  targets.proc.kill('SIGTERM');
}
const table = printTable();
process.stdout.write(`\n${table}\n`);
if (smoke) process.stdout.write('\nsmoke run: every size is a tenth and warm-up is short, so the goals are judged only by the full run\n');
results.table = table;
results.rows = rows;
await mkdir('bench', { recursive: true });
await writeFile(smoke ? 'bench/results-smoke.json' : 'bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\nwritten to ${smoke ? 'bench/results-smoke.json' : 'bench/results.json'}\n`);
