// `periscope report --month 2026-11`: the monthly uptime report (Markdown, HTML, CSV or JSON) on stdout.
import { ConfigError, createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { vmAuthFromEnv } from '../shared/victoria-metrics/index.js';
import { catalogFromFile, collectMonthlyReport, createVmReader, formatReport, monthPeriod, PeriodError, REPORT_FORMATS, type ReportFormat } from '../shared/reporting/index.js';

export interface ReportFlags {
  month: string;
  format: string;
  config: string;
  vmUrl?: string;
  stage?: string;
  group?: string;
}

export async function reportCommand(flags: ReportFlags, now = Date.now()): Promise<number> {
  if (!REPORT_FORMATS.includes(flags.format as ReportFormat)) {
    throw new ConfigError('command line', [{ path: '--format', message: `"${flags.format}" is not one of ${REPORT_FORMATS.join(', ')}` }]);
  }
  let period;
  try {
    period = monthPeriod(flags.month, now);
  } catch (err) {
    if (err instanceof PeriodError) throw new ConfigError('command line', [{ path: '--month', message: err.message.replace(/^--month: /, '') }]);
    throw err;
  }
  const vmUrl = flags.vmUrl ?? process.env.VM_URL;
  if (!vmUrl) throw new ConfigError('command line', [{ path: '--vm-url', message: 'give the VictoriaMetrics to read (--vm-url URL or VM_URL)' }]);
  const catalog = catalogFromFile(await loadTargetsFile(flags.config));
  const auth = await vmAuthFromEnv(process.env, createSecretResolver(), 'VM_QUERY');
  const reader = createVmReader({ url: vmUrl, ...(auth ? { auth } : {}), timeoutMs: 60_000 });
  const report = await collectMonthlyReport(reader, catalog, period, now, { ...(flags.stage ? { stage: flags.stage } : {}), ...(flags.group ? { group: flags.group } : {}) });
  process.stdout.write(formatReport(report, flags.format as ReportFormat));
  return 0;
}
