// `npm run bench`: Periscope measured beside prometheus-blackbox-exporter — alone through /probe, and as the
// whole pipeline a team replaces (prometheus scraping it and remote-writing to VictoriaMetrics) — in the same
// run, on loopback only. HTTP, HTTPS (TLS 1.3 and 1.2, RSA and ECDSA), TCP and PostgreSQL targets.
// Prints one table and writes bench/results.json. `--smoke` runs every benchmark at a tenth of its size
// (what CI runs, so the benchmark cannot rot). Ratios matter, not absolute times: these machines are noisy.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Pool } from 'undici';
import { createSecretResolver, parseTargetsFile } from '../shared/config/index.js';
import { loadAlertingConfig } from '../shared/alerting/rules/load.js';
import { createMemoryClaimStore } from '../shared/alerting/state/claim-store.js';
import { evaluateGroup } from '../shared/alerting/evaluation/evaluate-group.js';
import { replayAlerting } from '../shared/alerting/replay/replay.js';
import { silentLogger } from '../shared/observability/logger.js';
import { probeGroup } from '../shared/pipeline/probe-group.js';
import { startBlackbox, parseExposition, processCpuSeconds } from '../test/support/blackbox.js';
import { LARGE_SPIKES, monthStartBefore, pizzaMonthLines } from '../test/support/pizza-month.js';
import { freePort } from '../test/support/ports.js';
import { benchUiPages } from './ui-pages.js';
import { deployedBuildOptions } from './bundle-options.js';
import { startPostgres } from '../test/support/postgres.js';
import { billedMsPerRun, profileFromBench } from '../shared/cost/index.js';
import { mapLimit } from '../shared/async/index.js';
import { makeBenchCerts } from './certs.js';
import { bareTlsCpuMs } from './tls-floor.js';
import { benchLambdaBilled } from './lambda-billed.js';
import { formatBenchTable, type BenchRow } from './table.js';
import { benchPipeline, type PipelineResult, type TargetPorts } from './pipeline.js';
import { prometheusLine, startVictoriaMetrics } from '../test/support/victoria-metrics.js';

const run = promisify(execFile);
const smoke = process.argv.includes('--smoke');
// `--only replay,rules`: just those benchmarks (names: cpu, pipeline, scale, cold-start, rules, replay).
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const want = (name: string) => !onlyArg || onlyArg.split(',').includes(name);
const scale = smoke ? 0.1 : 1;
const n = (full: number) => Math.max(10, Math.round(full * scale));

const rows: BenchRow[] = [];
// The load the run started under: these machines are shared, so a reader can judge the figures.
const results: Record<string, unknown> = { smoke, node: process.version, started_at: new Date().toISOString(), load: `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores at the start` };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function startTargets(certDir: string): Promise<{ ports: TargetPorts; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['bench/target-server.mjs', certDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<TargetPorts>((resolve, reject) => {
    proc.stdout?.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().trim()) as TargetPorts));
    proc.once('exit', (code) => reject(new Error(`target server exited ${code}`)));
  });
  return { ports, proc };
}

/** Probes through the engine the Lambda runs (probeGroup: bounded concurrency, event-loop lag guard). */
async function periscopeProbes(urls: string[], count: number, concurrency: number) {
  const tls = caFile ? `, tls_config: { ca_file: "${caFile}" }` : '';
  const targets = Array.from({ length: count }, (_, i) => `      - name: p${i}\n        http: { url: "${urls[i % urls.length]}"${urls[i % urls.length]?.startsWith('https:') ? tls : ''} }`).join('\n');
  const file = parseTargetsFile(`defaults: { timeout: 10s }\ngroups:\n  - name: bench\n    targets:\n${targets}\n`, 'bench.yml');
  const secrets = createSecretResolver();
  const cpuBefore = process.cpuUsage();
  const { results, lag, throttled } = await probeGroup(file, file.groups[0]!, { concurrency, secrets });
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000, durations: results.map((r) => r.duration_seconds), failures: results.filter((r) => !r.success).length, lag, throttled };
}

async function blackboxProbes(bb: Awaited<ReturnType<typeof startBlackbox>>, urls: string[], count: number, concurrency: number) {
  const pool = new Pool(bb.url, { connections: concurrency, pipelining: 1 });
  const cpuBefore = await processCpuSeconds(bb.pid);
  const durations = await mapLimit(Array.from({ length: count }, (_, i) => urls[i % urls.length] as string), concurrency, async (url) => {
    const path = `/probe?module=${url.startsWith('https:') ? 'https_2xx' : 'http_2xx'}&target=${encodeURIComponent(url)}`;
    const response = await pool.request({ method: 'GET', path, headers: { 'x-prometheus-scrape-timeout-seconds': '10' } });
    const exposition = parseExposition(await response.body.text());
    return exposition.get('probe_duration_seconds')?.[0]?.value ?? NaN;
  });
  const cpuMs = ((await processCpuSeconds(bb.pid)) - cpuBefore) * 1000;
  await pool.close();
  return { cpuMs, durations };
}

async function benchCpuAndFidelity(ports: TargetPorts): Promise<void> {
  const bb = await startBlackbox(`modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n    http:\n      preferred_ip_protocol: ip4\n  https_2xx:\n    prober: http\n    timeout: 10s\n    http:\n      preferred_ip_protocol: ip4\n      tls_config: { ca_file: "${caFile}" }\n`);
  try {
    const fast = [`http://127.0.0.1:${ports.http}/fast`];
    // HTTPS as people run it: TLS 1.3 and 1.2, RSA and ECDSA certificates, verified against a CA.
    const secure = Object.values(ports.https).map((port) => `https://127.0.0.1:${port}/fast`);
    const perProbe: Record<string, { periscope_ms: number; blackbox_ms: number; ratio: number; probes: number }> = {};
    for (const [kind, urls, goal] of [['HTTP', fast, 0.5], ['HTTPS', secure, 0.7]] as const) {
      // Warm both up before measuring: steady state is what a warm Lambda container runs at (V8's JIT needs a
      // few thousand probes to settle; the Go binary needs none, so this favours neither).
      await periscopeProbes([...urls], n(3000), 50);
      await blackboxProbes(bb, [...urls], n(3000), 50);
      const count = n(2000);
      const ours = await periscopeProbes([...urls], count, 50);
      const theirs = await blackboxProbes(bb, [...urls], count, 50);
      const oursPer = ours.cpuMs / count;
      const theirsPer = theirs.cpuMs / count;
      perProbe[kind.toLowerCase()] = { probes: count, periscope_ms: oursPer, blackbox_ms: theirsPer, ratio: oursPer / theirsPer };
      rows.push({ name: `CPU per ${kind} probe, probe loop (${count} at c=50)`, periscope: `${oursPer.toFixed(3)} ms`, blackbox: `${theirsPer.toFixed(3)} ms`, ratio: oursPer / theirsPer, goal: `ratio ≤ ${goal}`, met: oursPer / theirsPer <= goal });
    }
    results.cpu_per_probe = perProbe;
    // The floor: what a bare Node TLS exchange costs against the same targets, in the same run.
    const bareCount = n(2000);
    const bareMs = await bareTlsCpuMs(Object.values(ports.https), caFile, bareCount, 50);
    const bbHttps = perProbe.https?.blackbox_ms ?? NaN;
    results.tls_floor = { exchanges: bareCount, bare_node_ms: bareMs, blackbox_ms: bbHttps, ratio: bareMs / bbHttps };
    rows.push({ name: `CPU per bare Node tls.connect + GET + close, same HTTPS targets (${bareCount} at c=50; the floor)`, periscope: `${bareMs.toFixed(3)} ms`, blackbox: `${bbHttps.toFixed(3)} ms`, ratio: bareMs / bbHttps, goal: '—', met: true });

    const delayed = [`http://127.0.0.1:${ports.http}/delay/100`];
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
    rows.push({ name: `Timing error p99 (100 ms endpoint, c=200)`, periscope: `${o99.toFixed(1)} ms`, blackbox: `${t99.toFixed(1)} ms`, ratio: o99 / t99, goal: 'ratio ≤ 0.5', met: o99 / t99 <= 0.5 });
  } finally {
    await bb.stop();
  }
}

/** The whole pipeline, Periscope against prometheus + blackbox_exporter, per kind; PostgreSQL Periscope only (blackbox has no such prober). */
async function benchPipelines(ports: TargetPorts): Promise<void> {
  const vm = await startVictoriaMetrics();
  const pg = await startPostgres();
  try {
    const out: Record<string, unknown> = {};
    for (const kind of ['http', 'https', 'tcp'] as const) {
      const r = await benchPipeline(kind, n(200), smoke ? 3 : 10, smoke ? 3 : 15, n(3000), ports, caFile, vm);
      out[kind] = r;
      const goal = kind === 'tcp' ? undefined : 0.3;
      const p = r.periscope;
      const t = r.prometheus_blackbox;
      rows.push({
        name: `Pipeline CPU per ${kind.toUpperCase()} probe (${r.targets} targets, probe+label+write)`,
        periscope: `${p.cpu_ms_per_probe.toFixed(3)} ms (from start ${p.cpu_ms_per_probe_from_start.toFixed(3)}), ${p.samples_per_cpu_second} samples/CPU-s`,
        blackbox: `${t.cpu_ms_per_probe.toFixed(3)} ms, ${t.samples_per_cpu_second} samples/CPU-s (prometheus+blackbox)`,
        ratio: r.ratio,
        goal: goal ? `ratio ≤ ${goal}` : '—',
        met: (goal === undefined || r.ratio <= goal) && p.failures === 0 && t.failures === 0 && t.probes > 0,
      });
    }
    // The floor for the HTTPS pipeline goal: a bare Node TLS exchange (benchCpuAndFidelity, same run) against
    // prometheus + blackbox_exporter's CPU per HTTPS probe. A prober that did nothing else would score this.
    const floor = results.tls_floor as { bare_node_ms: number; pipeline_ratio?: number } | undefined;
    const https = out.https as PipelineResult;
    if (floor) {
      const ratio = floor.bare_node_ms / https.prometheus_blackbox.cpu_ms_per_probe;
      floor.pipeline_ratio = ratio;
      rows.push({ name: 'Bare Node tls.connect + GET + close against the HTTPS pipeline (the floor under the 0.3 goal)', periscope: `${floor.bare_node_ms.toFixed(3)} ms`, blackbox: `${https.prometheus_blackbox.cpu_ms_per_probe.toFixed(3)} ms (prometheus+blackbox)`, ratio, goal: '—', met: true });
    }
    out.postgres = await periscopePostgres(pg, vm.url);
    results.pipeline = out;
    const cpuOf = (kind: 'http' | 'https' | 'tcp') => (out[kind] as PipelineResult).periscope.cpu_ms_per_probe;
    // What `periscope cost` prices a run with (shared/cost/run-profile.ts reads this).
    results.cost_profile = {
      cpuMsPerProbe: { http: cpuOf('http'), https: cpuOf('https'), tcp: cpuOf('tcp'), tcp_tls: cpuOf('https'), postgres: (out.postgres as { cpu_ms_per_probe: number }).cpu_ms_per_probe },
      source: `npm run bench${smoke ? ' --smoke' : ''}, ${results.started_at as string}`,
    };
  } finally {
    await pg.stop();
    await vm.cleanup();
  }
}

async function periscopePostgres(pg: Awaited<ReturnType<typeof startPostgres>>, vmUrl: string) {
  const dir = await mkdtemp(join(tmpdir(), 'periscope-pg-bench-'));
  try {
    const count = n(200);
    const lines = Array.from({ length: count }, (_, i) => `      - name: pg-${i}\n        postgres: { url: "postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}", password_from: "env:BENCH_PG_PASSWORD", sslmode: disable }`);
    const file = join(dir, 'pg.yml');
    await writeFile(file, `defaults: { timeout: 5s }\ngroups:\n  - name: pipeline-postgres\n    targets:\n${lines.join('\n')}\n`);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/pipeline-run.ts', vmUrl, file, smoke ? '2' : '5'], { env: { ...process.env, BENCH_PG_PASSWORD: pg.password }, maxBuffer: 1 << 20, timeout: 300_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { cpu_ms: number; probes: number; failures: number };
    const per = r.cpu_ms / r.probes;
    rows.push({ name: `Pipeline CPU per PostgreSQL probe (${count} targets, login + SELECT 1)`, periscope: `${per.toFixed(3)} ms`, goal: '—', met: r.failures === 0 });
    return { targets: count, cpu_ms_per_probe: per, probes: r.probes, failures: r.failures };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Billed duration of a run of 100 HTTPS targets (200 ms answers) at each memory size, under Lambda's CPU share. */
async function benchBilled(ports: TargetPorts): Promise<void> {
  const vm = await startVictoriaMetrics();
  try {
    const memories = [128, 256, 512, 1024];
    const r = await benchLambdaBilled(Object.values(ports.https), caFile, vm.url, 100, memories, smoke ? 2 : 5, 50);
    if (typeof r === 'string') {
      rows.push({ name: 'Billed duration per run at Lambda CPU shares', periscope: `not measured: ${r}`, goal: '—', met: true });
      return;
    }
    results.lambda_billed = r;
    const profile = profileFromBench(results);
    for (const m of r) {
      const model = billedMsPerRun({ name: 'https-100', intervalMs: 60_000, probes: { https: 100 } }, { memoryMb: m.memory_mb, concurrency: 50, ownTopicKey: false }, profile);
      rows.push({
        name: `Run of 100 HTTPS targets (200 ms answers) at ${m.memory_mb} MB (${Math.round(m.cpu_share * 100)} % of a vCPU)`,
        periscope: `${m.billed_ms_per_run} ms billed, ${m.gb_seconds_per_run} GB-s, loop lag ≤ ${m.event_loop_lag_max_ms} ms; cost model ${model} ms`,
        goal: '—',
        met: m.failures === 0,
      });
    }
  } finally {
    await vm.cleanup();
  }
}

async function benchScale(targetPort: number): Promise<void> {
  const vm = await startVictoriaMetrics();
  try {
    const count = n(10_000);
    const closed = await freePort();
    // Bundled by esbuild as the Lambda's code is, and run by plain node: the tsx loader alone holds ~50 MiB
    // that a deployed probe does not. Beside node_modules so lazily loaded packages resolve.
    const outfile = join('node_modules', '.cache', 'periscope-bench', 'scale-run.mjs');
    await build({ entryPoints: ['bench/scale-run.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, external: ['pg-native', 're2js'], banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }, logLevel: 'error' });
    const { stdout } = await run(process.execPath, [outfile, vm.url, String(targetPort), String(closed), String(count), '500'], { maxBuffer: 1 << 20, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { wall_ms: number; max_rss_mib: number; samples: number; samples_per_second: number };
    const perThousand = r.max_rss_mib / (count / 1000);
    results.scale = { targets: count, rss_mib_per_1000_targets: perThousand, ...r };
    rows.push({ name: `${count} targets probed + written`, periscope: `${(r.wall_ms / 1000).toFixed(1)} s, ${r.max_rss_mib} MiB peak RSS (${perThousand.toFixed(0)} MiB per 1 000), ${r.samples_per_second} samples/s`, goal: '≤ 15 s, ≤ 256 MiB', met: r.wall_ms <= 15_000 && r.max_rss_mib <= 256 });
  } finally {
    await vm.cleanup();
  }
}

async function requireCpuMs(file: string, times: number): Promise<number> {
  const samples: number[] = [];
  const code = `const c = process.cpuUsage(); require(${JSON.stringify(file)}); const u = process.cpuUsage(c); console.log((u.user + u.system) / 1000)`;
  for (let i = 0; i < times; i++) samples.push(Number((await run(process.execPath, ['-e', code])).stdout.trim()));
  return percentile(samples, 50);
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

/** KiB of each lazily loaded library file built beside a bundle (none: {}). */
async function lazyFileSizes(dir: string): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const file of files.filter((f) => f.endsWith('.cjs')).sort()) sizes[file.replace(/\.cjs$/, '')] = Math.round((await stat(join(dir, file))).size / 1024);
  return sizes;
}

async function benchColdStart(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'periscope-bundles-'));
  const options = await deployedBuildOptions();
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
      // serverless.yml's esbuild options: the bundle a deploy ships. Libraries only some targets load (pg,
      // dns-packet, protobuf, re2js) are files beside it, not read by a cold start; their sizes are reported apart.
      await build({ ...options, entryPoints: [`functions/${fn}.ts`], outdir: dir, logLevel: 'silent' });
      const size = (await stat(outfile)).size;
      const lazy = await lazyFileSizes(join(dir, `${fn}.lazy`));
      // require(), as the Lambda runtime loads a .cjs handler.
      const load = (await nodeLoadMs(['-e', `require(${JSON.stringify(outfile)})`], smoke ? 5 : 20)) - bare;
      // The CPU time of the require() itself, measured inside each process: on a busy machine the wall-clock
      // difference above mostly measures the load (bare Node's start varies by more than a bundle's load).
      const cpu = await requireCpuMs(outfile, smoke ? 5 : 20);
      out[fn] = { bundle_kib: Math.round(size / 1024), load_ms: Math.round(load), require_cpu_ms: Math.round(cpu), lazy_kib: lazy };
      const goal = fn === 'probe' ? '≤ 400 KiB, ≤ 60 ms' : '—';
      rows.push({ name: `Cold start: ${fn}`, periscope: `${Math.round(size / 1024)} KiB, load ${load.toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms)`, goal, met: fn !== 'probe' || (size <= 400 * 1024 && load <= 60) });
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
  rows.push({ name: `UI overview, first load after start (${r.history_days} days of history, cache cold)`, periscope: `${r.overview_first_server_ms} ms (server)`, goal: '—', met: true });
}

/** 20 rules (expr, threshold and anomaly forms) replayed over 30 days at a 1-minute step. */
async function benchReplay(): Promise<void> {
  const vm = await startVictoriaMetrics();
  try {
    const day = 86_400_000;
    const month = monthStartBefore(Date.now());
    for (const lines of pizzaMonthLines(month)) await vm.importPrometheus(lines.join('\n'));
    await vm.flush();
    const days = smoke ? 3 : 30;
    const q = 'sum(increase(orders_created_total{service="pizza-service"}[1h]))';
    const rules: string[] = [];
    for (let i = 0; i < 8; i++) rules.push(`      - alert: Orders${i}\n        expr: '${q} > ${15_000 + i * 1_000}'\n        for: 5m\n        keep_firing_for: 10m\n        annotations: { summary: "{{ $value | humanize }} orders" }`);
    for (let i = 0; i < 4; i++) rules.push(`      - alert: Rate${i}\n        expr: 'rate(orders_created_total[5m]) * 60 > ${200 + 50 * i}'\n        for: 2m`);
    for (let i = 0; i < 3; i++) rules.push(`      - alert: HalfHour${i}\n        threshold: { query: 'sum(increase(orders_created_total[30m]))', above: ${9_000 + 1_000 * i} }`);
    for (let i = 0; i < 4; i++) rules.push(`      - alert: Unusual${i}\n        anomaly: { query: '${q}', baseline: { season: 1w, periods: 4 }, sensitivity: ${3 + 5 * i}, direction: up, min_deviation: 2000 }\n        for: 5m`);
    rules.push(`      - alert: UnusualDaily\n        anomaly: { query: '${q}', baseline: { season: 1d, periods: 7 }, sensitivity: 6, min_deviation: 3000 }`);
    const config = await loadAlertingConfig(parseTargetsFile(`alerting: { repeat_interval: 1h }\nrules:\n  - name: replay\n    interval: 1m\n    rules:\n${rules.join('\n')}\n`, 'bench.yml'), 'bench.yml');
    const from = month + 28 * day - days * day;
    const start = performance.now();
    const report = await replayAlerting(config, { url: vm.url, timeoutMs: 120_000 }, { fromMs: from, toMs: from + days * day });
    const ms = performance.now() - start;
    const spikes = report.incidents.filter((i) => i.alertname === 'Orders5').length; // > 20 000 an hour
    results.replay = { rules: rules.length, days, step: '1m', evaluations: report.evaluations, range_requests: report.range_requests, incidents: report.incidents.length, wall_ms: Math.round(ms), errors: report.errors };
    rows.push({ name: `Replay ${rules.length} rules × ${days} days at 1m`, periscope: `${(ms / 1000).toFixed(1)} s, ${report.evaluations} evaluations, ${report.range_requests} range queries`, goal: '≤ 60 s', met: ms <= 60_000 && report.errors.length === 0 && (smoke || spikes === LARGE_SPIKES.length) });
  } finally {
    await vm.cleanup();
  }
}

const certDir = await mkdtemp(join(tmpdir(), 'periscope-bench-certs-'));
const { caFile } = await makeBenchCerts(certDir);
const targets = await startTargets(certDir);
try {
  if (want('cpu')) await benchCpuAndFidelity(targets.ports);
  if (want('pipeline')) await benchPipelines(targets.ports);
  if (want('billed')) await benchBilled(targets.ports);
  if (want('scale')) await benchScale(targets.ports.http);
  if (want('cold-start')) await benchColdStart();
  if (want('rules')) await benchRules();
  if (want('replay')) await benchReplay();
  if (want('ui')) await benchUi();
} finally {
  targets.proc.kill('SIGTERM');
  await rm(certDir, { recursive: true, force: true });
}
const table = formatBenchTable(rows);
process.stdout.write(`\n${table}\n`);
if (smoke) process.stdout.write('\nsmoke run: every size is a tenth and warm-up is short, so the goals are judged only by the full run\n');
results.table = table;
results.rows = rows;
await mkdir('bench', { recursive: true });
// A partial run (--only) does not overwrite the full run's results.
const resultsFile = onlyArg ? `bench/results-${onlyArg.replace(/,/g, '-')}.json` : smoke ? 'bench/results-smoke.json' : 'bench/results.json';
await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\nwritten to ${resultsFile}\n`);
// A full run is what the README shows: its tables are regenerated from the file just written.
if (!smoke && !onlyArg) process.stdout.write((await run(process.execPath, ['--import', 'tsx', 'bench/readme-tables.ts'])).stdout);
