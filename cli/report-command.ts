// `periscope report [--month 2026-11|last|current]`: the monthly uptime report (Markdown, HTML, CSV or JSON) on
// stdout. Without --month it reports the last complete month: the figures a monthly report is sent with, which
// no longer change; `--month current` is the running month up to now (said on stderr either way).
import { ConfigError, createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { vmAuthFromEnv } from '../shared/victoria-metrics/index.js';
import { catalogFromFile, collectMonthlyReport, createVmReader, formatReport, monthPeriod, PeriodError, REPORT_FORMATS, type ReportFormat } from '../shared/reporting/index.js';
import { vmUrlFor } from './run-state.js';

export interface ReportFlags {
  /** YYYY-MM, `last` (the default) or `current`. */
  month?: string;
  format: string;
  config: string;
  vmUrl?: string;
  stage?: string;
  group?: string;
  dataDir?: string;
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** The month --month names: `last` (or nothing) is the last complete month (UTC), `current` the running one. */
export function monthArgument(text: string | undefined, nowMs: number): { month: string; note?: string } {
  const now = new Date(nowMs);
  const current = monthOf(nowMs);
  const last = monthOf(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  if (text === undefined || text === 'last') {
    return { month: last, note: `report for ${last}, the last complete month (UTC); --month current for ${current} so far, --month YYYY-MM for another` };
  }
  if (text === 'current') return { month: current, note: `report for ${current} up to now (the month is not over: figures will still change)` };
  return { month: text };
}

export async function reportCommand(flags: ReportFlags, now = Date.now()): Promise<number> {
  if (!REPORT_FORMATS.includes(flags.format as ReportFormat)) {
    throw new ConfigError('command line', [{ path: '--format', message: `"${flags.format}" is not one of ${REPORT_FORMATS.join(', ')}` }]);
  }
  const { month, note } = monthArgument(flags.month, now);
  let period;
  try {
    period = monthPeriod(month, now);
  } catch (err) {
    if (err instanceof PeriodError) {
      throw new ConfigError('command line', [{ path: '--month', message: `${err.message.replace(/^--month: /, '')} (or last, current)` }]);
    }
    throw err;
  }
  const catalog = catalogFromFile(await loadTargetsFile(flags.config));
  const vmUrl = await vmUrlFor(flags.vmUrl, flags.dataDir);
  if (note) process.stderr.write(`${note}\n`);
  const auth = await vmAuthFromEnv(process.env, createSecretResolver(), 'VM_QUERY');
  const reader = createVmReader({ url: vmUrl, ...(auth ? { auth } : {}), timeoutMs: 60_000 });
  const report = await collectMonthlyReport(reader, catalog, period, now, { ...(flags.stage ? { stage: flags.stage } : {}), ...(flags.group ? { group: flags.group } : {}) });
  process.stdout.write(formatReport(report, flags.format as ReportFormat));
  return 0;
}
