// The monthly report as Markdown, HTML, CSV or JSON. Times are UTC; durations are exact in JSON and CSV
// (seconds) and rounded for people in Markdown and HTML.
import { humanDuration, percent, utcTime } from './durations.js';
import type { MonthlyReport, ReportRow } from './monthly.js';

export type ReportFormat = 'md' | 'html' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'csv', 'json'];

const where = (r: ReportRow) => [r.stage, r.account].filter(Boolean).join(' / ') || '—';
const uptimeText = (r: ReportRow) => (r.uptime ? percent(r.uptime.ratio) : 'no data');
const coverageText = (r: ReportRow) => (r.uptime?.coverage !== undefined ? percent(r.uptime.coverage) : r.uptime ? 'unknown' : '—');
/** How both figures are counted, said once at the top of the report. */
const COUNTING =
  'Uptime = successful runs ÷ runs done; coverage = runs done ÷ runs that should have happened (the period over the probe interval). ' +
  'A missing run is a gap in coverage, not downtime; the error budget is spent by failed runs over the time watched.';
const budgetText = (r: ReportRow) =>
  r.budget ? `${(r.budget.usedFraction * 100).toFixed(1)} % of ${humanDuration(r.budget.allowedMs)}${r.budget.usedFraction > 1 ? ' (objective missed)' : ''}` : '—';
const reasons = (list: string[]) => list.join(', ');

function markdown(report: MonthlyReport): string {
  const lines = [
    `# Uptime report ${report.period.label}`,
    '',
    `Period ${utcTime(report.period.startMs)} to ${utcTime(report.period.endMs)}${report.period.partial ? ' (month in progress)' : ''}. ` +
      COUNTING,
    '',
    '| target | group | stage / account | uptime | coverage | objective | error budget used | runs done | failed runs | missing runs | incidents |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.rows) {
    lines.push(
      `| ${r.target} | ${r.group} | ${where(r)} | ${uptimeText(r)} | ${coverageText(r)} | ${r.slo !== undefined ? `${r.slo} %` : '—'} | ${budgetText(r)} | ${r.uptime?.done ?? '—'} | ${r.uptime?.failed ?? '—'} | ${r.uptime?.missing ?? '—'} | ${r.incidents.length} |`,
    );
  }
  const withIncidents = report.rows.filter((r) => r.incidents.length > 0);
  if (withIncidents.length) {
    lines.push('', '## Incidents', '', '| target | stage / account | start | end | duration | reason |', '| --- | --- | --- | --- | ---: | --- |');
    for (const r of withIncidents) {
      for (const i of r.incidents) {
        lines.push(`| ${r.target} | ${where(r)} | ${utcTime(i.startMs)} | ${i.endMs !== undefined ? utcTime(i.endMs) : 'ongoing'} | ${humanDuration(i.durationMs)} | ${reasons(i.reasons)} |`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function html(report: MonthlyReport): string {
  const cell = (text: string | number, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(String(text))}</td>`;
  const rows = report.rows
    .map((r) => {
      const bad = r.budget ? r.budget.usedFraction > 1 : false;
      return `<tr>${cell(r.target)}${cell(r.group)}${cell(where(r))}${cell(uptimeText(r), 'num')}${cell(coverageText(r), 'num')}${cell(r.slo !== undefined ? `${r.slo} %` : '—', 'num')}${cell(budgetText(r), bad ? 'num bad' : 'num')}${cell(r.uptime?.done ?? '—', 'num')}${cell(r.uptime?.failed ?? '—', 'num')}${cell(r.uptime?.missing ?? '—', 'num')}${cell(r.incidents.length, 'num')}</tr>`;
    })
    .join('\n');
  const incidents = report.rows
    .flatMap((r) => r.incidents.map((i) => `<tr>${cell(r.target)}${cell(where(r))}${cell(utcTime(i.startMs))}${cell(i.endMs !== undefined ? utcTime(i.endMs) : 'ongoing')}${cell(humanDuration(i.durationMs), 'num')}${cell(reasons(i.reasons))}</tr>`))
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Uptime report ${escapeHtml(report.period.label)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;margin:1rem 0}th,td{padding:.3rem .7rem;border-bottom:1px solid #d8dee4;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b42318;font-weight:600}</style>
</head><body>
<h1>Uptime report ${escapeHtml(report.period.label)}</h1>
<p>Period ${escapeHtml(utcTime(report.period.startMs))} to ${escapeHtml(utcTime(report.period.endMs))}${report.period.partial ? ' (month in progress)' : ''}. ${escapeHtml(COUNTING)}</p>
<table><thead><tr><th>target</th><th>group</th><th>stage / account</th><th>uptime</th><th>coverage</th><th>objective</th><th>error budget used</th><th>runs done</th><th>failed runs</th><th>missing runs</th><th>incidents</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Incidents</h2>
${incidents ? `<table><thead><tr><th>target</th><th>stage / account</th><th>start</th><th>end</th><th>duration</th><th>reason</th></tr></thead><tbody>\n${incidents}\n</tbody></table>` : '<p>None.</p>'}
</body></html>
`;
}

const csvField = (v: string | number | undefined) => {
  const text = v === undefined ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One line per incident (and one per target without incidents), so a spreadsheet needs no joins. */
function csv(report: MonthlyReport): string {
  const header = ['month', 'target', 'group', 'stage', 'account', 'uptime_percent', 'coverage_percent', 'expected_runs', 'done_runs', 'successful_runs', 'failed_runs', 'missing_runs', 'slo_percent', 'error_budget_used_percent', 'incident_start', 'incident_end', 'incident_duration_seconds', 'incident_reasons'];
  const lines = [header.join(',')];
  for (const r of report.rows) {
    const base = [
      report.period.label, r.target, r.group, r.stage, r.account,
      r.uptime ? (r.uptime.ratio * 100).toFixed(4) : undefined,
      r.uptime?.coverage !== undefined ? (r.uptime.coverage * 100).toFixed(4) : undefined,
      r.uptime?.expected, r.uptime?.done, r.uptime?.successful, r.uptime?.failed, r.uptime?.missing,
      r.slo, r.budget ? (r.budget.usedFraction * 100).toFixed(2) : undefined,
    ];
    const incidents = r.incidents.length ? r.incidents : [undefined];
    for (const i of incidents) {
      const extra = i ? [new Date(i.startMs).toISOString(), i.endMs !== undefined ? new Date(i.endMs).toISOString() : '', i.durationMs / 1000, i.reasons.join(' ')] : ['', '', '', ''];
      lines.push([...base, ...extra].map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

function json(report: MonthlyReport): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  return `${JSON.stringify(
    {
      month: report.period.label,
      start: iso(report.period.startMs),
      end: iso(report.period.endMs),
      partial: report.period.partial,
      targets: report.rows.map((r) => ({
        target: r.target,
        group: r.group,
        stage: r.stage,
        account: r.account,
        uptime_percent: r.uptime ? r.uptime.ratio * 100 : null,
        coverage_percent: r.uptime?.coverage !== undefined ? r.uptime.coverage * 100 : null,
        expected_runs: r.uptime?.expected ?? null,
        done_runs: r.uptime?.done ?? null,
        successful_runs: r.uptime?.successful ?? null,
        failed_runs: r.uptime?.failed ?? null,
        missing_runs: r.uptime?.missing ?? null,
        down_seconds: r.uptime ? r.uptime.downMs / 1000 : null,
        covered_seconds: r.uptime ? r.uptime.coveredMs / 1000 : null,
        gap_seconds: r.uptime ? r.uptime.gapMs / 1000 : null,
        slo_percent: r.slo ?? null,
        error_budget: r.budget ? { allowed_seconds: r.budget.allowedMs / 1000, used_seconds: r.budget.usedMs / 1000, used_percent: r.budget.usedFraction * 100 } : null,
        incidents: r.incidents.map((i) => ({ start: iso(i.startMs), end: i.endMs !== undefined ? iso(i.endMs) : null, duration_seconds: i.durationMs / 1000, reasons: i.reasons, failed_runs: i.failedRuns })),
      })),
    },
    null,
    2,
  )}\n`;
}

export function formatReport(report: MonthlyReport, format: ReportFormat): string {
  return { md: markdown, html, csv, json }[format](report);
}
