// The overview's uptime columns against a real VictoriaMetrics holding 35 days of results: the 24 h window
// is rolling, the 7 d and 30 d windows start at a UTC midnight (their full days come from a cacheable
// 1-day-step range query, today from an instant query). Exact figures for known outages, a missing hour
// and a target that started inside the window.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogKey, type Catalog } from '../../shared/reporting/catalog.js';
import { collectOverview, uptimeWindowStart } from '../../shared/reporting/overview.js';
import { createVmReader } from '../../shared/reporting/vm-reader.js';
import { prometheusLine, VmClient } from '../support/victoria-metrics.js';

const MIN = 60_000;
const DAY = 86_400_000;
const INTERVAL = 5 * MIN;
const vmUrl = inject('vmUrl');
const vm = new VmClient(vmUrl);
const identity = { job: 'periscope', group: 'uptime-web', stage: 'overview-uptime', account: '222222222222' };
// Runs on a 5-minute grid, each a little after its scheduled minute (as a Lambda run writes them).
const now = Math.floor(Date.now() / INTERVAL) * INTERVAL + 7_000;
const lastRun = now - 7_000 + 123;
const today = Math.floor(now / DAY) * DAY;

/** Outages and a gap at fixed offsets from today's midnight, so each falls in a known window. */
const outageA = { from: today - 20 * DAY + 3 * 3_600_000, runs: 12 }; // in 30 d only
const outageB = { from: today - 3 * DAY + 5 * 3_600_000, runs: 6 }; // in 7 d and 30 d
const gap = { from: today - 2 * DAY + 10 * 3_600_000, runs: 12 }; // no samples: missing, not up
const newStart = today - 4 * DAY + 12 * 3_600_000; // "fresh" started inside the 7 d window
// "moved" changed its URL 12 hours ago (a second series of the same target); its old series failed 3 runs
// just before. Every window counts both series.
const movedAt = now - 12 * 3_600_000;
const movedOutage = { from: movedAt - 3 * INTERVAL, runs: 3 };
// "halted" was probed for weeks, then the monitor stopped from 30 to 20 hours ago: the 24 h window starts
// inside the gap, which must count as missing runs (coverage), not as a target that started 20 hours ago.
const halted = { from: lastRun - 30 * 3_600_000, to: lastRun - 20 * 3_600_000 };

const inRange = (t: number, r: { from: number; runs: number }) => t >= r.from && t < r.from + r.runs * INTERVAL;

beforeAll(async () => {
  const lines: string[] = [];
  for (let t = lastRun - 35 * DAY; t <= lastRun; t += INTERVAL) {
    if (!inRange(t, gap)) lines.push(prometheusLine('probe_success', { ...identity, target: 'steady', instance: 'https://steady.test/' }, inRange(t, outageA) || inRange(t, outageB) ? 0 : 1, t));
    if (t >= newStart) lines.push(prometheusLine('probe_success', { ...identity, target: 'fresh', instance: 'https://fresh.test/' }, 1, t));
    const instance = t < movedAt ? 'https://old.moved.test/' : 'https://new.moved.test/';
    lines.push(prometheusLine('probe_success', { ...identity, target: 'moved', instance }, inRange(t, movedOutage) ? 0 : 1, t));
    // "relabelled" got a label in its targets file 12 hours ago: a second series with the same instance.
    lines.push(prometheusLine('probe_success', { ...identity, target: 'relabelled', instance: 'https://relabelled.test/', ...(t >= movedAt ? { service: 'shop' } : {}) }, 1, t));
    if (t < halted.from || t >= halted.to) lines.push(prometheusLine('probe_success', { ...identity, target: 'halted', instance: 'https://halted.test/' }, 1, t));
    // Durations of "steady" cycle through 0.05 s … 1.00 s: p50 ≈ 0.5 s, p95 ≈ 0.95 s over any 24 h.
    const k = Math.round((t - lastRun) / INTERVAL);
    lines.push(prometheusLine('probe_duration_seconds', { ...identity, target: 'steady', instance: 'https://steady.test/' }, 0.05 * ((((k % 20) + 20) % 20) + 1), t));
  }
  await vm.importPrometheus(lines.join('\n'));
  await vm.flush();
});

function runsIn(from: number, to: number, skip: (t: number) => boolean = () => false): number {
  let n = 0;
  for (let t = lastRun - 40 * DAY; t <= lastRun; t += INTERVAL) if (t >= from && t <= to && !skip(t)) n++;
  return n;
}

describe('overview uptime windows', () => {
  const catalog: Catalog = {
    targets: new Map([
      [catalogKey('uptime-web', 'steady'), { group: 'uptime-web', target: 'steady', intervalMs: INTERVAL, public: false }],
      [catalogKey('uptime-web', 'fresh'), { group: 'uptime-web', target: 'fresh', intervalMs: INTERVAL, public: false }],
      [catalogKey('uptime-web', 'moved'), { group: 'uptime-web', target: 'moved', intervalMs: INTERVAL, public: false }],
      [catalogKey('uptime-web', 'relabelled'), { group: 'uptime-web', target: 'relabelled', intervalMs: INTERVAL, public: false }],
      [catalogKey('uptime-web', 'halted'), { group: 'uptime-web', target: 'halted', intervalMs: INTERVAL, public: false }],
    ]),
  };

  it('counts successful runs of the expected runs over 24 h, 7 d (from a midnight) and 30 d', async () => {
    const overview = await collectOverview(createVmReader({ url: vmUrl }), catalog, now, { stage: 'overview-uptime' });
    const steady = overview.targets.find((t) => t.target === 'steady');
    const fresh = overview.targets.find((t) => t.target === 'fresh');
    expect(steady?.state).toBe('up');

    // Expected runs: the window (from its start to now) over the interval. A run in the gap did not happen.
    const expected = (w: 'd7' | 'd30') => Math.ceil((now - uptimeWindowStart(w, now)) / INTERVAL);
    for (const w of ['d7', 'd30'] as const) {
      const from = uptimeWindowStart(w, now);
      const failed = (inRange(outageA.from, { from, runs: Infinity }) ? outageA.runs : 0) + outageB.runs;
      const happened = runsIn(from, now, (t) => inRange(t, gap));
      expect(steady?.uptime[w]).toMatchObject({ expected: expected(w), done: happened, failed, successful: happened - failed, missing: expected(w) - happened });
      // Uptime is over the runs that happened; the gap shows in coverage only.
      expect(steady?.uptime[w]?.ratio).toBe((happened - failed) / happened);
      expect(steady?.uptime[w]?.coverage).toBe(happened / expected(w));
    }
    expect(steady?.uptime.d30?.failed).toBe(18);
    expect(steady?.uptime.d7?.failed).toBe(6);
    // The 24 h window is rolling: no outage, no gap in it.
    expect(steady?.uptime.d1).toMatchObject({ expected: Math.ceil(DAY / INTERVAL), failed: 0, ratio: 1, coverage: 1 });

    // Stopped at the 24 h window's start: the gap's runs are missing (coverage), uptime stays 100 %.
    const haltedRow = overview.targets.find((t) => t.target === 'halted');
    const haltedDone = runsIn(now - DAY, now, (t) => t >= halted.from && t < halted.to);
    const haltedMissing = Math.ceil(DAY / INTERVAL) - haltedDone;
    expect(haltedMissing).toBeGreaterThanOrEqual(4 * 12 - 1); // the 4 hours of the gap inside the window
    expect(haltedRow?.uptime.d1).toMatchObject({ expected: Math.ceil(DAY / INTERVAL), missing: haltedMissing, failed: 0, ratio: 1 });
    expect(haltedRow?.uptime.d1?.coverage).toBe((Math.ceil(DAY / INTERVAL) - haltedMissing) / Math.ceil(DAY / INTERVAL));

    // A target that started inside the window is counted from its first run, in every window.
    for (const w of ['d7', 'd30'] as const) {
      const runs = runsIn(newStart, now);
      expect(fresh?.uptime[w]).toMatchObject({ successful: runs, failed: 0, missing: 0, ratio: 1, coverage: 1 });
    }

    // Both percentiles come from one query (told apart by its phi label) and land in their own columns.
    expect(steady?.p50).toBeGreaterThan(0.45);
    expect(steady?.p50).toBeLessThan(0.56);
    expect(steady?.p95).toBeGreaterThan(0.9);
    expect(steady?.p95).toBeLessThanOrEqual(1);

    // A target that got a label is one row whose last probe is the newest series' newest run.
    const relabelled = overview.targets.filter((t) => t.target === 'relabelled');
    expect(relabelled.map((t) => t.lastRunMs)).toEqual([lastRun]);
    expect(relabelled[0]?.uptime.d1).toMatchObject({ failed: 0, missing: 0, ratio: 1 });

    // A target whose URL changed is one row, shown with its newest URL, and its runs are both series' runs.
    const moved = overview.targets.filter((t) => t.target === 'moved');
    expect(moved.map((t) => t.instance)).toEqual(['https://new.moved.test/']);
    expect(moved[0]?.state).toBe('up');
    for (const w of ['d1', 'd7', 'd30'] as const) {
      const from = w === 'd1' ? now - DAY : uptimeWindowStart(w, now);
      const runs = runsIn(from, now);
      expect(moved[0]?.uptime[w]).toMatchObject({ successful: runs - movedOutage.runs, failed: movedOutage.runs, missing: 0 });
    }
  });
});
