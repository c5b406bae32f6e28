// `periscope check --replay FROM..TO [--step 1m] [--json]`: the rules of a targets file evaluated over a
// past range of an existing VictoriaMetrics; prints every alert that would have fired and the
// notifications it would have sent. Writes nothing, sends nothing.
import { ConfigError, createSecretResolver, loadTargetsFile, parseDuration } from '../shared/config/index.js';
import { loadAlertingConfig } from '../shared/alerting/rules/load.js';
import { replayAlerting, type ReplayReport } from '../shared/alerting/replay/replay.js';
import { formatNumber } from '../shared/alerting/evaluation/anomaly.js';
import { vmAuthFromEnv } from '../shared/victoria-metrics/index.js';
import { formatDuration } from '../shared/config/duration.js';
import { labelText } from './alert-output.js';
import { vmUrlFor } from './run-state.js';
import { plural } from './plural.js';

export interface ReplayFlags {
  config: string;
  vmUrl?: string;
  json?: boolean;
  replay: string;
  step?: string;
  dataDir?: string;
}

const bad = (path: string, message: string) => new ConfigError('command line', [{ path, message }]);

/** A time as written on the command line: RFC 3339, a date (UTC midnight), `now` or `now-30d`. */
export function parseTimeArg(text: string, nowMs: number): number | undefined {
  const relative = /^now(?:-(.+))?$/.exec(text.trim());
  if (relative) {
    if (relative[1] === undefined) return nowMs;
    const ms = parseDuration(relative[1]);
    return ms === undefined ? undefined : nowMs - ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseRange(text: string, nowMs: number): { fromMs: number; toMs: number } {
  const parts = text.split('..');
  if (parts.length !== 2) throw bad('--replay', `"${text}" is not FROM..TO (e.g. 2026-11-01..2026-12-01 or now-7d..now)`);
  const [from, to] = parts.map((p) => parseTimeArg(p as string, nowMs)) as [number | undefined, number | undefined];
  if (from === undefined) throw bad('--replay', `"${parts[0]}" is not a time (RFC 3339, YYYY-MM-DD, now or now-DURATION)`);
  if (to === undefined) throw bad('--replay', `"${parts[1]}" is not a time (RFC 3339, YYYY-MM-DD, now or now-DURATION)`);
  if (to <= from) throw bad('--replay', 'the range ends before it starts');
  return { fromMs: from, toMs: to };
}

export function formatReplay(report: ReplayReport): string {
  const lines = [`replay ${report.from} .. ${report.to}: ${plural(report.rules, 'rule')}, ${plural(report.evaluations, 'evaluation')}, ${plural(report.incidents.length, 'alert')} would have fired`];
  for (const i of report.incidents) {
    const end = i.ended_at ? `until ${i.ended_at}` : 'still firing at the end';
    lines.push(`  ${i.alertname}  {${labelText(i.labels)}}`);
    lines.push(`      active ${i.started_at}, firing ${i.fired_at}, ${end} (${formatDuration(i.duration_seconds * 1000)}), max value ${formatNumber(i.max_value)}`);
    const sent = i.notifications.map((n) => `${n.kind} ${n.at}`);
    lines.push(`      notifications: ${sent.length ? sent.join(', ') : 'none'}${i.muted_by ? `  (muted by ${i.muted_by.join(', ')})` : ''}`);
  }
  if (report.pending_only) lines.push(`  ${report.pending_only} more became pending but never fired`);
  for (const e of report.errors) lines.push(`  rule ${e.rule} (group ${e.group}) NOT EVALUATED: ${e.error}`);
  if (report.recorded_samples) lines.push(`  recording rules wrote ${plural(report.recorded_samples, 'sample')} back to VictoriaMetrics`);
  lines.push(`  ${plural(report.notifications.length, 'notification')} would have been sent; ${plural(report.range_requests, 'range query', 'range queries')}, ${report.duration_ms} ms`);
  return lines.join('\n');
}

export async function replayCommand(flags: ReplayFlags, nowMs = Date.now()): Promise<number> {
  const range = parseRange(flags.replay, nowMs);
  let stepMs: number | undefined;
  if (flags.step !== undefined) {
    stepMs = parseDuration(flags.step);
    if (stepMs === undefined || stepMs < 1_000) throw bad('--step', `"${flags.step}" is not a duration of at least 1s`);
  }
  const file = await loadTargetsFile(flags.config);
  const config = await loadAlertingConfig(file, flags.config);
  const vmUrl = await vmUrlFor(flags.vmUrl, flags.dataDir);
  const secrets = createSecretResolver();
  const readAuth = await vmAuthFromEnv(process.env, secrets, 'VM_QUERY');
  // Recording rules' results are written back for the rules after them, as vmalert's replay does.
  const writeAuth = await vmAuthFromEnv(process.env, secrets, 'VM_WRITE');
  const report = await replayAlerting(
    config,
    { url: vmUrl, timeoutMs: 120_000, ...(readAuth ? { auth: readAuth } : {}) },
    { ...range, ...(stepMs ? { stepMs } : {}) },
    { url: vmUrl, ...(writeAuth ? { auth: writeAuth } : {}) },
  );
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReplay(report)}\n`);
  return report.errors.length > 0 ? 1 : 0;
}
