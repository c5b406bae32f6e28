// The month's cost of one stage's probes, from its schedules: pure arithmetic, the same for `periscope cost`
// and the table of docs/cost.md. What a deployment creates per stage is fixed (deploy/alarms.js, serverless.yml):
// one CloudWatch metric and one probes-stopped alarm per interval used, and three alarms on free AWS metrics.
import { MINUTES_PER_MONTH, HOURS_PER_MONTH, type Prices } from './prices.js';
import type { RunProfile, ProbeKind } from './run-profile.js';

export interface ScheduleLoad {
  /** Group name (with the shard where the group is split). */
  name: string;
  intervalMs: number;
  /** Probes of one run, by kind. */
  probes: Partial<Record<ProbeKind, number>>;
}

export interface StageSetup {
  memoryMb: number;
  concurrency: number;
  /** The stage creates its own alerts topic and with it a KMS key (false: an existing topic). */
  ownTopicKey: boolean;
}

export interface CostLine {
  item: string;
  detail: string;
  usd: number;
}

export interface CostEstimate {
  region: string;
  targets: number;
  schedules: number;
  runsPerMonth: number;
  billedMsPerRun: { min: number; max: number };
  gbSecondsPerMonth: number;
  lines: CostLine[];
  totalUsd: number;
  fargate: { vcpu: number; memoryGb: number; usd: number };
  /** A tenth of the Fargate task: the goal. */
  goalUsd: number;
}

/** Lambda gives a function CPU in proportion to its memory: one full vCPU at 1 769 MB. */
export const FULL_VCPU_MB = 1769;

/** CloudWatch alarms a stage always has, on metrics AWS publishes for free: probe errors, spool not draining, spool dead letters. */
export const FIXED_ALARMS = 3;
/** SQS requests of a run: the replay's ReceiveMessage and the depth's GetQueueAttributes. */
export const SQS_REQUESTS_PER_RUN = 2;

/**
 * Milliseconds one run is billed for: its fixed overhead, then whichever takes longer — the waves of probes
 * waiting on their targets, or the probes' CPU stretched by the memory's CPU share plus the last answers'
 * wait. Waiting and CPU overlap (a handshake runs while other probes wait for answers), so they are not
 * added: `npm run bench` (lambda_billed: a real run under a Lambda-sized cgroup CPU share) checks this
 * against measured wall time at 128 MB to 1 GB.
 */
export function billedMsPerRun(load: ScheduleLoad, setup: StageSetup, profile: RunProfile): number {
  const probes = Object.values(load.probes).reduce((a, b) => a + (b ?? 0), 0);
  const cpuMs = profile.runCpuMs + Object.entries(load.probes).reduce((sum, [kind, count]) => sum + (count ?? 0) * profile.cpuMsPerProbe[kind as ProbeKind], 0);
  const waves = Math.ceil(probes / Math.max(1, setup.concurrency));
  const slowdown = Math.max(1, FULL_VCPU_MB / setup.memoryMb);
  return Math.ceil(profile.runOverheadMs + Math.max(waves * profile.targetLatencyMs, cpuMs * slowdown + profile.targetLatencyMs));
}

/** The always-on task it replaces: 0.5 vCPU and 1 GB up to 500 targets, 1 vCPU and 2 GB above. */
export function fargateTask(targets: number, prices: Prices): { vcpu: number; memoryGb: number; usd: number } {
  const [vcpu, memoryGb] = targets <= 500 ? [0.5, 1] : [1, 2];
  return { vcpu, memoryGb, usd: (vcpu * prices.fargateVcpuHour + memoryGb * prices.fargateGbHour) * HOURS_PER_MONTH };
}

const money = (usd: number) => `$${usd.toFixed(2)}`;

export function estimateCost(loads: ScheduleLoad[], setup: StageSetup, profile: RunProfile, prices: Prices): CostEstimate {
  let runs = 0;
  let gbSeconds = 0;
  const billed: number[] = [];
  for (const load of loads) {
    const runsOfLoad = (MINUTES_PER_MONTH * 60_000) / load.intervalMs;
    const ms = billedMsPerRun(load, setup, profile);
    billed.push(ms);
    runs += runsOfLoad;
    gbSeconds += runsOfLoad * (ms / 1000) * (setup.memoryMb / 1024);
  }
  const intervals = new Set(loads.map((l) => l.intervalMs)).size;
  const alarms = intervals + FIXED_ALARMS;
  const logGb = (runs * profile.logBytesPerRun) / 1024 ** 3;
  const targets = loads.reduce((n, l) => n + Object.values(l.probes).reduce((a, b) => a + (b ?? 0), 0), 0);
  const lines: CostLine[] = [
    { item: 'Lambda GB-seconds', detail: `${Math.round(gbSeconds).toLocaleString('en-US')} GB-s (${setup.memoryMb} MB arm64, ${billed.length ? `${Math.min(...billed)}–${Math.max(...billed)}` : 0} ms per run)`, usd: gbSeconds * prices.lambdaArmGbSecond },
    { item: 'Lambda requests', detail: `${Math.round(runs).toLocaleString('en-US')} runs`, usd: runs * prices.lambdaRequest },
    { item: 'EventBridge Scheduler', detail: `${loads.length} schedule${loads.length === 1 ? '' : 's'}`, usd: runs * prices.schedulerInvocation },
    { item: 'SQS (spool)', detail: `${SQS_REQUESTS_PER_RUN} requests per run`, usd: runs * SQS_REQUESTS_PER_RUN * prices.sqsRequest },
    { item: 'CloudWatch metrics', detail: `${intervals} (Runs per interval, from EMF logs)`, usd: intervals * prices.cloudWatchMetricMonth },
    { item: 'CloudWatch alarms', detail: `${alarms} (${intervals} probes-stopped, ${FIXED_ALARMS} on free AWS metrics)`, usd: alarms * prices.cloudWatchAlarmMonth },
    { item: 'CloudWatch Logs', detail: `${(logGb * 1024).toFixed(0)} MB ingested`, usd: logGb * prices.logsIngestGb },
    { item: 'KMS key (alerts topic)', detail: setup.ownTopicKey ? 'own topic' : 'existing topic or shared key: none', usd: setup.ownTopicKey ? prices.kmsKeyMonth : 0 },
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  const fargate = fargateTask(targets, prices);
  return {
    region: prices.region,
    targets,
    schedules: loads.length,
    runsPerMonth: Math.round(runs),
    billedMsPerRun: { min: billed.length ? Math.min(...billed) : 0, max: billed.length ? Math.max(...billed) : 0 },
    gbSecondsPerMonth: gbSeconds,
    lines,
    totalUsd,
    fargate,
    goalUsd: fargate.usd / 10,
  };
}

export function formatEstimate(estimate: CostEstimate): string {
  const width = Math.max(...estimate.lines.map((l) => l.item.length));
  const rows = estimate.lines.map((l) => `  ${l.item.padEnd(width)}  ${money(l.usd).padStart(7)}  ${l.detail}`);
  const verdict = estimate.totalUsd <= estimate.goalUsd ? 'within' : 'OVER';
  return [
    `${estimate.targets} targets in ${estimate.schedules} schedule${estimate.schedules === 1 ? '' : 's'}, ${estimate.region} list prices, per month:`,
    ...rows,
    `  ${'Periscope'.padEnd(width)}  ${money(estimate.totalUsd).padStart(7)}`,
    `  ${'Fargate task it replaces'.padEnd(width)}  ${money(estimate.fargate.usd).padStart(7)}  ${estimate.fargate.vcpu} vCPU, ${estimate.fargate.memoryGb} GB, always on`,
    `  goal (a tenth of it): ${money(estimate.goalUsd)} — ${verdict}`,
  ].join('\n');
}
