// What a probe run costs in time: CPU per probe by kind (on one full vCPU) and the fixed work of a run, as
// `npm run bench` measures them (bench/results.json, `cost_profile`), plus the one assumption no benchmark
// on loopback can make — how long real targets take to answer.
import type { GroupSpec, TargetSpec, TargetsFile } from '../config/index.js';
import { selectShard, shardCount } from '../pipeline/shards.js';
import type { ScheduleLoad } from './model.js';

export type ProbeKind = 'http' | 'https' | 'tcp' | 'tcp_tls' | 'postgres' | 'other';

export interface RunProfile {
  cpuMsPerProbe: Record<ProbeKind, number>;
  /** CPU of a run besides its probes (event, labels, gzip, JSON), on one full vCPU. */
  runCpuMs: number;
  /** Wall time of a run besides its probes: the spool check, the write, the depth (network round trips). */
  runOverheadMs: number;
  /** How long a target takes to answer; a run waits this long per wave of `concurrency` probes. */
  targetLatencyMs: number;
  /** Log bytes a run ingests: Lambda's START/END/REPORT lines, the EMF line, the summary line. */
  logBytesPerRun: number;
  /** Where the CPU figures come from. */
  source: string;
}

/**
 * Used until a full bench run has written `cost_profile`: the last quiet full run's HTTP probe (0.29 ms)
 * plus the label-and-write share, and HTTPS, TCP and PostgreSQL scaled from a loaded smoke run by the same
 * run's HTTP figure (HTTPS ≈ 5× HTTP: the handshake). Lambda's Graviton cores are not these, so treat them as
 * the right order of magnitude, and re-run the bench where it matters.
 */
export const DEFAULT_RUN_PROFILE: RunProfile = {
  cpuMsPerProbe: { http: 0.4, https: 2.0, tcp: 0.25, tcp_tls: 2.0, postgres: 3.0, other: 2.0 },
  runCpuMs: 20,
  runOverheadMs: 150,
  targetLatencyMs: 200,
  logBytesPerRun: 1_300,
  source: 'defaults',
};

export function probeKind(target: TargetSpec): ProbeKind {
  if ('http' in target && target.http) return target.http.url.startsWith('https:') ? 'https' : 'http';
  if ('tcp' in target && target.tcp) return target.tcp.tls ? 'tcp_tls' : 'tcp';
  if ('postgres' in target && target.postgres) return 'postgres';
  return 'other';
}

/** One load per invocation stream: each group, or each shard of a group split into shards. */
export function scheduleLoads(file: TargetsFile): ScheduleLoad[] {
  return file.groups.flatMap((group: GroupSpec) => {
    const shards = shardCount(file, group);
    return Array.from({ length: shards }, (_, shard) => {
      const probes: Partial<Record<ProbeKind, number>> = {};
      for (const target of selectShard(group, shard, shards).targets) {
        const kind = probeKind(target);
        probes[kind] = (probes[kind] ?? 0) + 1;
      }
      return { name: shards > 1 ? `${group.name}#${shard}` : group.name, intervalMs: group.interval ?? file.defaults.interval, probes };
    });
  });
}

/** The measured profile of a bench run, where it has one; otherwise the defaults. */
export function profileFromBench(results: unknown): RunProfile {
  const measured = (results as { cost_profile?: Partial<RunProfile> } | undefined)?.cost_profile;
  if (!measured?.cpuMsPerProbe) return DEFAULT_RUN_PROFILE;
  return { ...DEFAULT_RUN_PROFILE, ...measured, cpuMsPerProbe: { ...DEFAULT_RUN_PROFILE.cpuMsPerProbe, ...measured.cpuMsPerProbe }, targetLatencyMs: DEFAULT_RUN_PROFILE.targetLatencyMs };
}
