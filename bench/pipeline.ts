// The whole replaced pipeline beside Periscope's, in one run, against the same loopback targets:
// Debian's prometheus scraping prometheus-blackbox-exporter's /probe through the standard relabelling and
// remote-writing to a real VictoriaMetrics, against Periscope's run (probe + label + write) to the same
// VictoriaMetrics. CPU of prometheus + blackbox_exporter comes from /proc/<pid>/stat over a steady window;
// Periscope's from its own process. Probes and samples are counted from what reached VictoriaMetrics.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processCpuSeconds, startBlackbox } from '../test/support/blackbox.js';
import { freePort } from '../test/support/ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady } from '../test/support/processes.js';
import type { VmHandle } from '../test/support/victoria-metrics.js';

const run = promisify(execFile);

export type PipelineKind = 'http' | 'https' | 'tcp';

export interface TargetPorts {
  http: number;
  https: Record<string, number>;
  tcp: number;
}

export interface PipelineResult {
  kind: PipelineKind;
  targets: number;
  periscope: { cpu_ms_per_probe: number; cpu_ms_per_probe_from_start: number; warm_probes_before: number; probes: number; samples: number; samples_per_second: number; samples_per_cpu_second: number; failures: number };
  prometheus_blackbox: { cpu_ms_per_probe: number; probes: number; samples: number; samples_per_second: number; samples_per_cpu_second: number; prometheus_cpu_s: number; blackbox_cpu_s: number; window_s: number; failures: number };
  ratio: number;
}

/** The N targets of a kind: distinct by name (and query string), HTTPS cycling TLS 1.3/1.2 × RSA/ECDSA. */
function targetsOf(kind: PipelineKind, count: number, ports: TargetPorts): Array<{ name: string; address: string }> {
  const variants = Object.values(ports.https);
  return Array.from({ length: count }, (_, i) => {
    const name = `${kind}-${i}`;
    if (kind === 'http') return { name, address: `http://127.0.0.1:${ports.http}/fast?i=${i}` };
    if (kind === 'https') return { name, address: `https://127.0.0.1:${variants[i % variants.length]}/fast?i=${i}` };
    return { name, address: `127.0.0.1:${ports.tcp}` };
  });
}

function periscopeYaml(kind: PipelineKind, targets: Array<{ name: string; address: string }>, caFile: string): string {
  const lines = targets.map((t) => {
    if (kind === 'tcp') return `      - name: ${t.name}\n        tcp: { address: "${t.address}" }`;
    if (kind === 'https') return `      - name: ${t.name}\n        http: { url: "${t.address}", tls_config: { ca_file: "${caFile}" } }`;
    return `      - name: ${t.name}\n        http: { url: "${t.address}" }`;
  });
  return `defaults: { timeout: 5s }\ngroups:\n  - name: pipeline-${kind}\n    targets:\n${lines.join('\n')}\n`;
}

const BLACKBOX_MODULES = (caFile: string) => `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http: { preferred_ip_protocol: ip4 }
  https_2xx:
    prober: http
    timeout: 5s
    http: { preferred_ip_protocol: ip4, tls_config: { ca_file: "${caFile}" } }
  tcp_connect:
    prober: tcp
    timeout: 5s
    tcp: { preferred_ip_protocol: ip4 }
`;

const MODULE: Record<PipelineKind, string> = { http: 'http_2xx', https: 'https_2xx', tcp: 'tcp_connect' };

/** The standard blackbox_exporter scrape config: targets as __param_target, the exporter as __address__. */
function prometheusYaml(kind: PipelineKind, targets: Array<{ name: string; address: string }>, blackboxPort: number, vmUrl: string, intervalS: number): string {
  const statics = targets.map((t) => `      - targets: ["${t.address}"]\n        labels: { target: "${t.name}" }`).join('\n');
  return `global:
  scrape_interval: ${intervalS}s
  scrape_timeout: ${intervalS}s
scrape_configs:
  - job_name: pipeline-bb-${kind}
    metrics_path: /probe
    params: { module: [${MODULE[kind]}] }
    static_configs:
${statics}
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:${blackboxPort}
remote_write:
  - url: ${vmUrl}/api/v1/write
    queue_config: { batch_send_deadline: 1s }
`;
}

async function cpuSeconds(pids: number[]): Promise<number[]> {
  return Promise.all(pids.map((pid) => processCpuSeconds(pid)));
}

async function countInVm(vm: VmHandle, job: string, fromMs: number, toMs: number): Promise<{ samples: number; probes: number; failures: number }> {
  const series = await vm.exportSeries(`{job="${job}"}`, { start: new Date(fromMs), end: new Date(toMs) });
  let samples = 0;
  let probes = 0;
  let failures = 0;
  for (const s of series) {
    const inWindow = s.timestamps.filter((t) => t >= fromMs && t < toMs).length;
    samples += inWindow;
    if (s.metric.__name__ === 'probe_success') {
      probes += inWindow;
      failures += s.values.filter((v, i) => v === 0 && (s.timestamps[i] ?? 0) >= fromMs && (s.timestamps[i] ?? 0) < toMs).length;
    }
  }
  return { samples, probes, failures };
}

async function runPrometheusPipeline(kind: PipelineKind, targets: Array<{ name: string; address: string }>, vm: VmHandle, caFile: string, windowS: number) {
  const intervalS = 1;
  const bb = await startBlackbox(BLACKBOX_MODULES(caFile));
  const dir = await mkdtemp(join(tmpdir(), 'periscope-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, prometheusYaml(kind, targets, bb.port, vm.url, intervalS));
  await run('promtool', ['check', 'config', config]);
  const port = await freePort();
  const prometheus = startProcess('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], 'prometheus');
  try {
    await waitUntilReady(prometheus, 'prometheus', async () => (await fetchWithTimeout(`http://127.0.0.1:${port}/-/ready`, {}, 1000)).status === 200, 30_000);
    // Steady state: every target scraped a few times, the remote-write queue running.
    await new Promise((r) => setTimeout(r, 4 * intervalS * 1000));
    const pids = [prometheus.pid, bb.pid];
    const before = await cpuSeconds(pids);
    const from = Date.now();
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const after = await cpuSeconds(pids);
    const to = Date.now();
    // Let remote write deliver what was scraped in the window.
    await new Promise((r) => setTimeout(r, 4_000));
    const counted = await countInVm(vm, `pipeline-bb-${kind}`, from, to);
    return { counted, prometheusCpu: (after[0] ?? 0) - (before[0] ?? 0), blackboxCpu: (after[1] ?? 0) - (before[1] ?? 0), windowS: (to - from) / 1000 };
  } finally {
    await prometheus.stop(5_000);
    await bb.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Periscope's figure is steady state after `warmProbes` probes (V8's JIT warm, as in a container that has run a
 * while; the Go processes are measured after their own warm-up); `from_start` is the same number of rounds
 * right after the first, reported beside it.
 */
export async function benchPipeline(kind: PipelineKind, count: number, rounds: number, windowS: number, warmProbes: number, ports: TargetPorts, caFile: string, vm: VmHandle): Promise<PipelineResult> {
  const targets = targetsOf(kind, count, ports);
  const dir = await mkdtemp(join(tmpdir(), 'periscope-pipeline-'));
  try {
    const file = join(dir, `${kind}.yml`);
    await writeFile(file, periscopeYaml(kind, targets, caFile));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/pipeline-run.ts', vm.url, file, String(rounds), '', String(warmProbes)], { maxBuffer: 1 << 20, timeout: 300_000 });
    const ours = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { cpu_ms: number; wall_ms: number; probes: number; samples: number; failures: number; warm_probes_before: number; from_start?: { cpu_ms: number; probes: number } };
    const theirs = await runPrometheusPipeline(kind, targets, vm, caFile, windowS);
    const theirCpuMs = (theirs.prometheusCpu + theirs.blackboxCpu) * 1000;
    const oursPer = ours.cpu_ms / ours.probes;
    const theirsPer = theirCpuMs / Math.max(1, theirs.counted.probes);
    return {
      kind,
      targets: count,
      periscope: {
        cpu_ms_per_probe: oursPer,
        cpu_ms_per_probe_from_start: ours.from_start ? ours.from_start.cpu_ms / ours.from_start.probes : oursPer,
        warm_probes_before: ours.warm_probes_before,
        probes: ours.probes,
        samples: ours.samples,
        samples_per_second: Math.round(ours.samples / (ours.wall_ms / 1000)),
        samples_per_cpu_second: Math.round(ours.samples / (ours.cpu_ms / 1000)),
        failures: ours.failures,
      },
      prometheus_blackbox: {
        cpu_ms_per_probe: theirsPer,
        probes: theirs.counted.probes,
        samples: theirs.counted.samples,
        samples_per_second: Math.round(theirs.counted.samples / theirs.windowS),
        samples_per_cpu_second: Math.round(theirs.counted.samples / Math.max(1e-3, theirCpuMs / 1000)),
        prometheus_cpu_s: theirs.prometheusCpu,
        blackbox_cpu_s: theirs.blackboxCpu,
        window_s: theirs.windowS,
        failures: theirs.counted.failures,
      },
      ratio: oursPer / theirsPer,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
