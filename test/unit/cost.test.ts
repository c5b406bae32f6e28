// The cost model: the arithmetic on a case worked by hand, and what a targets file turns into (schedules, shards,
// probe kinds). The `periscope cost` command is test/integration/cost-command.test.ts.
import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { billedMsPerRun, DEFAULT_RUN_PROFILE, estimateCost, PRICES, profileFromBench, scheduleLoads, type RunProfile } from '../../shared/cost/index.js';

const profile: RunProfile = { ...DEFAULT_RUN_PROFILE, cpuMsPerProbe: { http: 1, https: 4, tcp: 0.5, tcp_tls: 4, postgres: 6, other: 2 }, runCpuMs: 10, runOverheadMs: 100, targetLatencyMs: 200, logBytesPerRun: 1024 };
const usEast = PRICES['us-east-1']!;

describe('cost model', () => {
  it('bills a run for its overhead and the longer of its waves of waiting and its CPU stretched by the memory share', () => {
    // 120 HTTPS probes at concurrency 50: 3 waves of 200 ms; CPU 10 + 480 ms, at 442 MB a quarter vCPU (×4.002…),
    // overlapping the waits, then the last answers' 200 ms: CPU-bound.
    const ms = billedMsPerRun({ name: 'g', intervalMs: 60_000, probes: { https: 120 } }, { memoryMb: 442, concurrency: 50, ownTopicKey: true }, profile);
    expect(ms).toBe(Math.ceil(100 + 490 * (1769 / 442) + 200));
    // 120 plain HTTP probes at a full vCPU wait more than they compute (130 ms of CPU): three waves of answers.
    expect(billedMsPerRun({ name: 'g', intervalMs: 60_000, probes: { http: 120 } }, { memoryMb: 4096, concurrency: 50, ownTopicKey: true }, profile)).toBe(100 + 3 * 200);
    // A full vCPU or more does not make CPU faster than measured.
    expect(billedMsPerRun({ name: 'g', intervalMs: 60_000, probes: { http: 10 } }, { memoryMb: 4096, concurrency: 50, ownTopicKey: true }, profile)).toBe(100 + 200 + 20);
  });

  it('prices a month of runs: Lambda, scheduler, SQS, one metric and alarm per interval, logs, the key', () => {
    const loads = [
      { name: 'a', intervalMs: 60_000, probes: { http: 10 } },
      { name: 'b', intervalMs: 300_000, probes: { tcp: 4 } },
    ];
    const e = estimateCost(loads, { memoryMb: 1024, concurrency: 50, ownTopicKey: true }, profile, usEast);
    const runs = 43_800 + 43_800 / 5;
    // a: CPU 10 + 10 × 1 ms; b: 10 + 4 × 0.5 ms; both one wave; 1 GB, so GB-s = billed seconds.
    const gbs = 43_800 * (Math.ceil(100 + 200 + 20 * (1769 / 1024)) / 1000) + (43_800 / 5) * (Math.ceil(100 + 200 + 12 * (1769 / 1024)) / 1000);
    const line = (item: string) => e.lines.find((l) => l.item.startsWith(item))?.usd;
    expect(e.runsPerMonth).toBe(runs);
    expect(e.gbSecondsPerMonth).toBeCloseTo(gbs, 6);
    expect(line('Lambda requests')).toBeCloseTo(runs * 0.2e-6, 6);
    expect(line('EventBridge')).toBeCloseTo(runs * 1e-6, 6);
    expect(line('SQS')).toBeCloseTo(runs * 2 * 0.4e-6, 6);
    expect(line('CloudWatch metrics')).toBeCloseTo(2 * 0.3, 6);
    expect(line('CloudWatch alarms')).toBeCloseTo((2 + 3) * 0.1, 6);
    expect(line('CloudWatch Logs')).toBeCloseTo(((runs * 1024) / 1024 ** 3) * 0.5, 6);
    expect(line('KMS')).toBe(1);
    expect(e.totalUsd).toBeCloseTo(e.lines.reduce((s, l) => s + l.usd, 0), 9);
    expect(e.fargate).toEqual({ vcpu: 0.5, memoryGb: 1, usd: (0.5 * 0.03238 + 0.00356) * 730 });
    expect(e.goalUsd).toBeCloseTo(e.fargate.usd / 10, 9);
    expect(estimateCost(loads, { memoryMb: 1024, concurrency: 50, ownTopicKey: false }, profile, usEast).lines.find((l) => l.item.startsWith('KMS'))?.usd).toBe(0);
  });

  it('turns a targets file into one load per group or shard, counting probes by kind', () => {
    const file = parseTargetsFile(
      `defaults: { shard_size: 2 }
groups:
  - name: web
    targets:
      - { name: a, http: { url: "https://a.invalid/" } }
      - { name: b, http: { url: "http://b.invalid/" } }
      - { name: c, tcp: { address: "c.invalid:443", tls: true } }
  - name: db
    interval: 5m
    targets:
      - { name: d, postgres: { url: "postgres://u@d.invalid/app" } }
`,
      'kinds.yml',
    );
    const loads = scheduleLoads(file);
    expect(loads.map((l) => [l.name, l.intervalMs])).toEqual([['web#0', 60_000], ['web#1', 60_000], ['db', 300_000]]);
    const total: Record<string, number> = {};
    for (const l of loads.slice(0, 2)) for (const [k, v] of Object.entries(l.probes)) total[k] = (total[k] ?? 0) + (v ?? 0);
    expect(total).toEqual({ https: 1, http: 1, tcp_tls: 1 });
    expect(loads[2]?.probes).toEqual({ postgres: 1 });
  });

  it('takes CPU per probe from a bench run that measured it, and keeps the latency assumption', () => {
    expect(profileFromBench({})).toBe(DEFAULT_RUN_PROFILE);
    const measured = profileFromBench({ cost_profile: { cpuMsPerProbe: { https: 0.9 }, source: 'npm run bench' } });
    expect(measured.cpuMsPerProbe.https).toBe(0.9);
    expect(measured.cpuMsPerProbe.http).toBe(DEFAULT_RUN_PROFILE.cpuMsPerProbe.http);
    expect(measured.targetLatencyMs).toBe(DEFAULT_RUN_PROFILE.targetLatencyMs);
  });
});
