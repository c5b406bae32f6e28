// The pure counting rules the report, the UI and the status page share, on fixed inputs. The boundary that
// keeps the UI out of the probe Lambda's bundle is test/integration/bundle-boundaries.test.ts.
import { describe, expect, it } from 'vitest';
import { parseListen } from '../../cli/ui-command.js';
import { withGaps } from '../../shared/reporting/target-detail.js';
import { mergeIncidents } from '../../shared/reporting/incidents.js';
import { computeUptime, episodesOf, historyGrid, errorBudget, findIncidents, humanDuration, monthPeriod, percent, probePoints } from '../../shared/reporting/index.js';

const MIN = 60_000;

describe('uptime and coverage', () => {
  it('counts uptime over the runs that happened and coverage as runs done over runs expected', () => {
    // 60 minutes at 1/min: 50 succeeded, 4 failed, 6 never ran.
    expect(computeUptime({ runs: 54, successes: 50 }, 0, 60 * MIN, MIN)).toEqual({
      ratio: 50 / 54,
      coverage: 54 / 60,
      expected: 60,
      done: 54,
      successful: 50,
      failed: 4,
      missing: 6,
      downMs: 4 * MIN,
      coveredMs: 54 * MIN,
      gapMs: 6 * MIN,
    });
  });

  it('does not count a stopped monitor as downtime, nor as success: a healthy target keeps 100 % uptime and loses coverage', () => {
    // The case: 23 runs missing while the local run was stopped, none failed.
    const u = computeUptime({ runs: 46, successes: 46 }, 0, 69 * MIN, 1.5 * MIN);
    expect(u).toMatchObject({ ratio: 1, expected: 46, missing: 0 });
    const stopped = computeUptime({ runs: 46, successes: 46 }, 0, 69 * MIN, MIN);
    expect(stopped).toMatchObject({ ratio: 1, coverage: 46 / 69, missing: 23, failed: 0, downMs: 0, gapMs: 23 * MIN });
  });

  it('counts a flapping target run by run: every other run failed is 50 % uptime at full coverage', () => {
    expect(computeUptime({ runs: 60, successes: 30 }, 0, 60 * MIN, MIN)).toMatchObject({ ratio: 0.5, coverage: 1, failed: 30, downMs: 30 * MIN });
  });

  it('counts a target that started inside the period from its first run', () => {
    expect(computeUptime({ runs: 30, successes: 30, firstRunMs: 30 * MIN + 500 }, 0, 60 * MIN, MIN)).toMatchObject({ ratio: 1, coverage: 1, expected: 30, missing: 0 });
  });

  it('never counts more runs than were due, and never hides a failure behind a duplicate; undefined without any run', () => {
    expect(computeUptime({ runs: 70, successes: 70 }, 0, 60 * MIN, MIN)).toMatchObject({ ratio: 1, coverage: 1, done: 60 });
    expect(computeUptime({ runs: 70, successes: 65 }, 0, 60 * MIN, MIN)).toMatchObject({ done: 60, failed: 5, successful: 55 });
    expect(computeUptime({ runs: 0, successes: 0 }, 0, 60 * MIN, MIN)).toBeUndefined();
  });

  it('does not count the run in flight as missing: a run due after the newest one is missing once its interval has passed', () => {
    // A target probed at 1/min since 0:02: runs at 0:02, 1:02, 2:01, 3:01.5, and the fifth due at 4:02. At 4:05
    // the fifth is still probing; with the newest run's time known it is not counted yet.
    const first = 2_000;
    expect(computeUptime({ runs: 4, successes: 4, firstRunMs: first }, 0, 4 * MIN + 5_000, MIN)).toMatchObject({ expected: 5, missing: 1 });
    expect(computeUptime({ runs: 4, successes: 4, firstRunMs: first, lastRunMs: 3 * MIN + 1_500 }, 0, 4 * MIN + 5_000, MIN)).toMatchObject({ ratio: 1, coverage: 1, expected: 4, missing: 0 });
    // Runs jitter by a second or two: the newest started earlier in its minute than the first did.
    expect(computeUptime({ runs: 10, successes: 10, firstRunMs: first, lastRunMs: 9 * MIN + 400 }, 0, 9 * MIN + 30_000, MIN)).toMatchObject({ ratio: 1, expected: 10 });
    // Probing stopped 10 minutes ago: the run due 9 minutes ago and the ones after it are missing; the one due
    // less than an interval ago not yet. Uptime stays 100 %: nothing failed.
    expect(computeUptime({ runs: 50, successes: 50, lastRunMs: 50 * MIN - 30_000 }, 0, 60 * MIN - 30_000 + 1_000, MIN)).toMatchObject({ ratio: 1, expected: 59, successful: 50, missing: 9 });
    // Over a whole window (the period starts before the target's first run in it): the runs on the newest run's phase.
    expect(computeUptime({ runs: 60, successes: 60, lastRunMs: 60 * MIN + 5_000 }, 5_500, 60 * MIN + 5_500, MIN)).toMatchObject({ ratio: 1, expected: 60 });
  });

  it('leaves coverage unknown when the interval is unknown, and counts the runs that happened', () => {
    const u = computeUptime({ runs: 10, successes: 9 }, 0, 60 * MIN, undefined);
    expect(u).toMatchObject({ ratio: 0.9, expected: 10, missing: 0 });
    expect(u?.coverage).toBeUndefined();
  });

  it('gives the error budget used against an objective over the time watched: a gap neither spends nor earns budget', () => {
    const u = computeUptime({ runs: 43_200, successes: 43_200 - 86 }, 0, 30 * 86_400_000, MIN);
    if (!u) throw new Error('no uptime');
    const budget = errorBudget(u, 99.9);
    expect(budget.allowedMs).toBe(2_592_000);
    expect(budget.usedMs).toBe(86 * MIN);
    expect(budget.usedFraction).toBeCloseTo(86 / 43.2, 10);
    // The same failures in a month with 10 days not watched: the budget is that of the 20 days watched.
    const gappy = computeUptime({ runs: 28_800, successes: 28_800 - 86 }, 0, 30 * 86_400_000, MIN);
    if (!gappy) throw new Error('no uptime');
    expect(errorBudget(gappy, 99.9)).toMatchObject({ allowedMs: 1_728_000, usedMs: 86 * MIN });
    expect(errorBudget(gappy, 99.9).usedFraction).toBeCloseTo(86 / 28.8, 10);
  });
});

describe('incidents', () => {
  const at = (m: number) => m * MIN;
  it('run from the first failed probe to the next successful one, reasons by frequency', () => {
    const points = [
      { timestampMs: at(0), success: true },
      { timestampMs: at(1), success: false, reason: 'timeout' },
      { timestampMs: at(2), success: false, reason: 'refused' },
      { timestampMs: at(3), success: false, reason: 'refused' },
      { timestampMs: at(4), success: true },
      { timestampMs: at(9), success: false, reason: 'dns' },
    ];
    expect(findIncidents(points, at(10))).toEqual([
      { startMs: at(1), endMs: at(4), durationMs: 3 * MIN, reasons: ['refused', 'timeout'], failedRuns: 3 },
      { startMs: at(9), durationMs: MIN, reasons: ['dns'], failedRuns: 1 },
    ]);
  });

  it('are not ended by missing runs, only by a success', () => {
    const points = [
      { timestampMs: at(1), success: false, reason: 'timeout' },
      { timestampMs: at(30), success: false, reason: 'timeout' },
      { timestampMs: at(31), success: true },
    ];
    expect(findIncidents(points, at(40))).toEqual([{ startMs: at(1), endMs: at(31), durationMs: 30 * MIN, reasons: ['timeout'], failedRuns: 2 }]);
  });

  it('merge for a status page when they are closer than the gap: a flapping endpoint is one disruption', () => {
    const flaps = [1, 3, 5].map((m) => ({ startMs: at(m), endMs: at(m + 1), durationMs: MIN, reasons: [m === 3 ? 'timeout' : 'status_code'], failedRuns: 1 }));
    const later = { startMs: at(40), durationMs: 5 * MIN, reasons: ['refused'], failedRuns: 5 };
    expect(mergeIncidents([...flaps, later], 10 * MIN)).toEqual([
      { startMs: at(1), endMs: at(6), durationMs: 5 * MIN, reasons: ['status_code', 'timeout'], failedRuns: 3 },
      later,
    ]);
    // An ongoing one close after: the merged incident is ongoing.
    expect(mergeIncidents([flaps[0]!, { startMs: at(4), durationMs: 6 * MIN, reasons: ['dns'], failedRuns: 2 }], 10 * MIN)).toEqual([
      { startMs: at(1), durationMs: 9 * MIN, reasons: ['status_code', 'dns'], failedRuns: 3 },
    ]);
  });

  it('take the reason of each failed run from probe_failure_info at the same timestamp', () => {
    expect(probePoints({ timestamps: [1, 2, 3], values: [1, 0, 0] }, [{ reason: 'status_code', timestamps: [2] }])).toEqual([
      { timestampMs: 1, success: true },
      { timestampMs: 2, success: false, reason: 'status_code' },
      { timestampMs: 3, success: false },
    ]);
  });
});

describe('alert episodes', () => {
  const labels = { alertname: 'EndpointDown', alertgroup: 'probes', target: 'api' };
  const t0 = Date.UTC(2026, 10, 3, 22, 4, 0);
  const at = (m: number, s = 0) => t0 + m * MIN + s * 1000;

  it('start at activeAt, fire at the fired-at value and end at the evaluation that ended them (the anomaly check)', () => {
    const series = { labels, activeAts: new Set([at(0), at(10)]), firedAts: new Set([at(3)]), firstFiringSeen: [at(3, 4)], endMarks: new Set([at(6)]), lastSeen: [at(2), at(5), at(12), at(14)], values: [] as Array<[number, number]> };
    expect(episodesOf(series, at(14, 20))).toEqual([
      { alertname: 'EndpointDown', labels, startMs: at(0), firingMs: at(3), endMs: at(6) },
      { alertname: 'EndpointDown', labels, startMs: at(10) },
    ]);
  });

  it('end at the last evaluation that showed them when no end is written (vmalert), and fire at the first firing sample', () => {
    const series = { labels, activeAts: new Set([at(0), at(10)]), firedAts: new Set<number>(), firstFiringSeen: [at(3, 1)], endMarks: new Set<number>(), lastSeen: [at(5, 1), at(14, 1)], values: [] as Array<[number, number]> };
    expect(episodesOf(series, at(30))).toEqual([
      { alertname: 'EndpointDown', labels, startMs: at(0), firingMs: at(3, 1), endMs: at(5, 1) },
      { alertname: 'EndpointDown', labels, startMs: at(10), endMs: at(14, 1) },
    ]);
  });

  it('read on a grid aligned to its step, so loads seconds apart ask for the same windows', () => {
    const loads = [0, 7, 14].map((s) => historyGrid(at(0, s) - 86_400_000, at(0, s)));
    expect(new Set(loads.map((g) => `${g.startMs}/${g.stepMs}`)).size).toBe(1);
    expect((loads[0]?.startMs ?? 1) % 60_000).toBe(0);
  });
});

describe('charts', () => {
  it('get an empty point where the series skip steps, so a monitoring gap is drawn as a gap', () => {
    expect(withGaps({ timestamps: [0, 10, 20, 60, 70], values: [[1, 2, 3, 4, 5], [null, 1, 1, 1, null]] }, 10)).toEqual({
      timestamps: [0, 10, 20, 30, 60, 70],
      values: [[1, 2, 3, null, 4, 5], [null, 1, 1, null, 1, null]],
    });
  });
});

describe('periods and formatting', () => {
  it('takes a month in UTC, cut at now while it runs, and rejects what is not a month', () => {
    const now = Date.UTC(2026, 11, 2, 12);
    expect(monthPeriod('2026-11', now)).toEqual({ startMs: Date.UTC(2026, 10, 1), endMs: Date.UTC(2026, 11, 1), label: '2026-11', partial: false });
    expect(monthPeriod('2026-12', now)).toMatchObject({ endMs: now, partial: true });
    expect(() => monthPeriod('2026-13', now)).toThrow('is not a month');
    expect(() => monthPeriod('2027-01', now)).toThrow('has not started yet');
  });

  it('shows durations and percentages for people', () => {
    expect(humanDuration(45_000)).toBe('45 s');
    expect(humanDuration(30 * MIN)).toBe('30 min');
    expect(humanDuration(2_592_000)).toBe('43 min 12 s');
    expect(humanDuration(26 * 3_600_000 + 5 * MIN)).toBe('1 d 2 h');
    expect(percent(1)).toBe('100 %');
    expect(percent(0.99999)).toBe('99.999 %');
    expect(percent(0.5)).toBe('50.00 %');
  });

  it('parses the UI listen address, 127.0.0.1 unless told otherwise', () => {
    expect(parseListen('8431')).toEqual({ host: '127.0.0.1', port: 8431 });
    expect(parseListen(':8431')).toEqual({ host: '127.0.0.1', port: 8431 });
    expect(parseListen('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListen('[::1]:8430')).toEqual({ host: '::1', port: 8430 });
    expect(() => parseListen('host:99999')).toThrow('--listen: "host:99999" is not host:port');
  });
});
