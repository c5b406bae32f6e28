// `periscope report` against the shared VictoriaMetrics seeded with a month of probe results with known
// outages, a gap and a target that started mid-month: exact uptime, incidents and error budgets.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prometheusLine, VmClient } from '../support/victoria-metrics.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const MIN = 60_000;
const vm = new VmClient(inject('vmUrl'));

// The last full month before today (UTC), so the test never asks for a month that has not ended.
const now = new Date();
const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
const month = new Date(monthStart).toISOString().slice(0, 7);
const day = (d: number, h = 0, m = 0) => monthStart + (d - 1) * 86_400_000 + h * 3_600_000 + m * MIN;
const totalMinutes = (monthEnd - monthStart) / MIN;

const identity = { job: 'periscope', group: 'report-web', stage: 'report-test', account: '111111111111', region: 'eu-central-1' };
let dir: string;
let config: string;

interface Incident {
  start: string;
  end: string | null;
  duration_seconds: number;
  reasons: string[];
  failed_runs: number;
}
interface ReportJson {
  month: string;
  targets: Array<{
    target: string;
    uptime_percent: number | null;
    coverage_percent: number | null;
    expected_runs: number | null;
    done_runs: number | null;
    successful_runs: number | null;
    failed_runs: number | null;
    missing_runs: number | null;
    slo_percent: number | null;
    error_budget: { allowed_seconds: number; used_seconds: number; used_percent: number } | null;
    incidents: Incident[];
  }>;
}

/** api: every minute at :00.123, with outages; the day-15 hour missing; down again at the month's end. */
function apiFailure(t: number): string | undefined {
  if (t >= day(3, 10) && t < day(3, 10, 30)) return 'timeout';
  if (t >= day(20, 22, 15) && t < day(20, 22, 18)) return 'refused';
  if (t >= day(20, 22, 18) && t < day(20, 22, 20)) return 'timeout';
  if (t >= monthEnd - 2 * MIN) return 'dns';
  return undefined;
}

async function seed(): Promise<void> {
  const lines: string[] = [];
  const api = { ...identity, target: 'api', module: 'http', instance: 'https://api.example.com/' };
  // It was probed the month before too: the whole month counts, from its first minute.
  lines.push(prometheusLine('probe_success', api, 1, monthStart - MIN + 123));
  for (let i = 0; i < totalMinutes; i++) {
    const t = monthStart + i * MIN;
    if (t >= day(15) && t < day(15, 1)) continue; // the schedule stopped for an hour: 60 missing runs
    const reason = apiFailure(t);
    lines.push(prometheusLine('probe_success', api, reason ? 0 : 1, t + 123));
    if (reason) lines.push(prometheusLine('probe_failure_info', { ...api, reason }, 1, t + 123));
  }
  // db: first probed on day 10 at 00:00:30, never failed.
  const db = { ...identity, target: 'db', module: 'tcp', instance: 'db.example.com:5432' };
  for (let t = day(10) + 30_000; t < monthEnd; t += MIN) lines.push(prometheusLine('probe_success', db, 1, t));
  for (let i = 0; i < lines.length; i += 20_000) await vm.importPrometheus(lines.slice(i, i + 20_000).join('\n'));
  await vm.flush();
}

async function report(format: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/periscope.js'), 'report', '--month', month, '--format', format, '--config', config, '--vm-url', vm.url, '--group', 'report-web', ...extra], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-report-'));
  config = join(dir, 'targets.yml');
  await writeFile(
    config,
    `groups:
  - name: report-web
    interval: 1m
    slo: 99.9
    targets:
      - name: api
        http: { url: "https://api.example.com/" }
      - name: db
        slo: 99.5
        tcp: { address: "db.example.com:5432" }
      - name: never
        tcp: { address: "never.example.com:5432" }
`,
  );
  await seed();
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('periscope report', () => {
  it('counts uptime over the runs done and coverage as runs done of the runs that should have happened, and lists each incident', async () => {
    const { code, stdout, stderr } = await report('json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as ReportJson;
    expect(parsed.month).toBe(month);
    const api = parsed.targets.find((t) => t.target === 'api');
    const failed = 30 + 5 + 2;
    const done = totalMinutes - 60;
    const successful = done - failed;
    expect(api).toMatchObject({ expected_runs: totalMinutes, done_runs: done, successful_runs: successful, failed_runs: failed, missing_runs: 60, slo_percent: 99.9 });
    // The stopped hour is a gap in coverage, not downtime: uptime is over the runs done.
    expect(api?.uptime_percent).toBeCloseTo((successful / done) * 100, 10);
    expect(api?.coverage_percent).toBeCloseTo((done / totalMinutes) * 100, 10);
    // The budget is over the time watched (runs done × interval); only failed runs spend it.
    const watchedSeconds = done * 60;
    expect(api?.error_budget?.allowed_seconds).toBeCloseTo(watchedSeconds * 0.001, 3);
    expect(api?.error_budget?.used_seconds).toBeCloseTo(failed * 60, 3);
    expect(api?.error_budget?.used_percent).toBeCloseTo(((failed * 60) / (watchedSeconds * 0.001)) * 100, 6);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(api?.incidents).toEqual([
      { start: iso(day(3, 10) + 123), end: iso(day(3, 10, 30) + 123), duration_seconds: 1800, reasons: ['timeout'], failed_runs: 30 },
      { start: iso(day(20, 22, 15) + 123), end: iso(day(20, 22, 20) + 123), duration_seconds: 300, reasons: ['refused', 'timeout'], failed_runs: 5 },
      { start: iso(monthEnd - 2 * MIN + 123), end: null, duration_seconds: 119.877, reasons: ['dns'], failed_runs: 2 },
    ]);

    // Started mid-month: counted from its first run, not from the first of the month.
    const db = parsed.targets.find((t) => t.target === 'db');
    const dbRuns = (monthEnd - day(10)) / MIN;
    expect(db).toMatchObject({ uptime_percent: 100, coverage_percent: 100, expected_runs: dbRuns, successful_runs: dbRuns, failed_runs: 0, missing_runs: 0, slo_percent: 99.5, incidents: [] });
    expect(db?.error_budget?.used_seconds).toBe(0);

    // In the file but never reported: no data, not 100 %.
    expect(parsed.targets.find((t) => t.target === 'never')).toMatchObject({ uptime_percent: null, expected_runs: null, incidents: [] });
  }, 240_000);

  it('writes the same figures as Markdown, CSV and HTML', async () => {
    // One process per format, at once: each starts the CLI from source, which is slow on a busy machine.
    const [md, csv, html] = await Promise.all([report('md'), report('csv'), report('html')]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(`# Uptime report ${month}`);
    const done = totalMinutes - 60;
    const watchedSec = done * 60;
    const three = (ratio: number) => `${(Math.floor(ratio * 100 * 1000) / 1000).toFixed(3)} %`;
    const uptimeText = three((done - 37) / done);
    const coverageText = three(done / totalMinutes);
    const allowed = Math.round(watchedSec * 0.001);
    const allowedText = `${Math.floor(allowed / 60)} min ${allowed % 60} s`;
    // The stopped hour no longer counts against the objective: 99.914 % of the runs done succeeded (99.9 % met).
    expect(md.stdout).toContain(`| api | report-web | report-test / 111111111111 | ${uptimeText} | ${coverageText} | 99.9 % | ${((2220 / (watchedSec * 0.001)) * 100).toFixed(1)} % of ${allowedText} | ${done} | 37 | 60 | 3 |`);
    expect(md.stdout).toContain('coverage = runs done ÷ runs that should have happened');
    expect(md.stdout).toContain(`| api | report-test / 111111111111 | ${new Date(day(3, 10) + 123).toISOString().slice(0, 19).replace('T', ' ')} UTC | ${new Date(day(3, 10, 30) + 123).toISOString().slice(0, 19).replace('T', ' ')} UTC | 30 min | timeout |`);
    expect(md.stdout).toContain('| 5 min | refused, timeout |');
    expect(md.stdout).toContain('| ongoing | 2 min | dns |');
    expect(md.stdout).toMatch(/\| never \| report-web \| — \| no data \| — \|/);

    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'month,target,group,stage,account,uptime_percent,coverage_percent,expected_runs,done_runs,successful_runs,failed_runs,missing_runs,slo_percent,error_budget_used_percent,incident_start,incident_end,incident_duration_seconds,incident_reasons',
    );
    expect(rows.filter((r) => r.split(',')[1] === 'api')).toHaveLength(3);
    expect(rows).toContain(`${month},api,report-web,report-test,111111111111,${(((done - 37) / done) * 100).toFixed(4)},${((done / totalMinutes) * 100).toFixed(4)},${totalMinutes},${done},${done - 37},37,60,99.9,${((2220 / watchedSec / 0.001) * 100).toFixed(2)},${new Date(day(20, 22, 15) + 123).toISOString()},${new Date(day(20, 22, 20) + 123).toISOString()},300,refused timeout`);

    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain('<td>refused, timeout</td>');
  }, 240_000);

  it('rejects a malformed month, an unknown format and a month that has not started', async () => {
    const [bad, future, format] = await Promise.all([
      run(process.execPath, [join(ROOT, 'bin/periscope.js'), 'report', '--month', '2026-13', '--config', config, '--vm-url', vm.url]).catch((e: { code: number; stderr: string }) => e),
      run(process.execPath, [join(ROOT, 'bin/periscope.js'), 'report', '--month', '2999-01', '--config', config, '--vm-url', vm.url]).catch((e: { code: number; stderr: string }) => e),
      run(process.execPath, [join(ROOT, 'bin/periscope.js'), 'report', '--month', month, '--format', 'pdf', '--config', config]).catch((e: { code: number; stderr: string }) => e),
    ]);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('--month: "2026-13" is not a month; use YYYY-MM');
    expect((future as { stderr: string }).stderr).toContain('2999-01 has not started yet');
    expect(format).toMatchObject({ code: 2 });
  }, 240_000);
});
