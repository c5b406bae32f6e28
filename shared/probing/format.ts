// Human-readable rendering of probe results: the one-line summary used by the local run and the waterfall
// printed by `periscope probe`. Pure functions: text in, text out.
import { statusName } from './grpc/status-names.js';
import type { PhaseTiming, ProbeResult } from './types.js';

const BAR_WIDTH = 40;

function ms(seconds: number): string {
  const value = seconds * 1000;
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** "OK    api-health   https://…  200  41.2 ms" or "FAIL  db  10.0.0.5:5432/app  auth  12.0 ms  password authentication failed" */
export function formatSummaryLine(result: ProbeResult): string {
  const status = result.success ? 'OK  ' : 'FAIL';
  const detail = result.http
    ? String(result.http.status_code || '-')
    : result.dns?.rcode ?? (result.grpc ? result.grpc.serving_status ?? statusName(result.grpc.status_code) : undefined) ?? (result.steps ? result.steps.map((s) => s.status_code || '-').join('→') : result.module);
  const why = result.success ? '' : `  ${result.reason ?? ''}${result.message ? `: ${result.message}` : ''}`;
  return `${status}  ${result.target.padEnd(20)} ${result.instance.padEnd(40)} ${detail.padStart(5)} ${ms(result.duration_seconds).padStart(7)} ms${why}`;
}

/** Days until a Unix-seconds timestamp, rounded down (negative when past). */
export function daysUntil(unixSeconds: number, nowMs = Date.now()): number {
  return Math.floor((unixSeconds * 1000 - nowMs) / 86_400_000);
}

/** Control characters (C0, DEL, C1) as \DDD, the way miekg/dns escapes bytes it does not print. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`);
}

const TIMED_OUT = new Set(['timeout', 'connect_timeout', 'deadline']);

/**
 * The phases as the waterfall shows them: a phase the probe was still in when it ended gets the time the
 * measured phases leave out (the prober's metrics give it 0, as blackbox's do), so a timeout shows where the
 * time went instead of 0.0 ms everywhere.
 */
function shownPhases(result: ProbeResult): Array<PhaseTiming & { unfinished: boolean }> {
  const measured = result.phases.reduce((sum, p) => sum + p.seconds, 0);
  const rest = Math.max(0, result.duration_seconds - measured);
  return result.phases.map((p) => (p.phase === result.unfinished_phase ? { ...p, seconds: p.seconds + rest, unfinished: true } : { ...p, unfinished: false }));
}

export function formatWaterfall(result: ProbeResult, nowMs = Date.now()): string {
  const lines: string[] = [];
  lines.push(
    `${result.success ? 'OK' : 'FAIL'}  ${result.module} ${result.instance}  ${ms(result.duration_seconds)} ms` +
      (result.success ? '' : `  reason=${result.reason ?? 'unknown'}`),
  );
  if (!result.success && result.message) lines.push(`  ${result.message}`);
  const phases = shownPhases(result);
  const total = Math.max(result.duration_seconds, phases.reduce((sum, p) => sum + p.seconds, 0), 1e-9);
  const nameWidth = Math.max(10, ...phases.map((p) => p.phase.length));
  const endedHere = TIMED_OUT.has(result.reason ?? '') ? '  ← timed out in this phase' : '  ← ended in this phase';
  let offset = 0;
  for (const { phase, seconds, unfinished } of phases) {
    const start = Math.round((offset / total) * BAR_WIDTH);
    const width = seconds > 0 ? Math.max(1, Math.round((seconds / total) * BAR_WIDTH)) : 0;
    const bar = ' '.repeat(Math.min(start, BAR_WIDTH)) + '█'.repeat(Math.min(width, BAR_WIDTH - Math.min(start, BAR_WIDTH)));
    lines.push(`  ${phase.padEnd(nameWidth)} ${ms(seconds).padStart(8)} ms  |${bar.padEnd(BAR_WIDTH)}|${unfinished ? endedHere : ''}`);
    offset += seconds;
  }
  const facts: string[] = [];
  if (result.http) {
    facts.push(`status ${result.http.status_code || 'none'}`);
    if (result.http.version) facts.push(result.http.version);
    if (result.http.redirects) facts.push(`${result.http.redirects} redirect${result.http.redirects === 1 ? '' : 's'}`);
    facts.push(`${result.http.body_length} bytes`);
  }
  if (result.dns) {
    const dns = result.dns;
    facts.push(`${dns.rcode ?? 'no reply'}`, `${dns.answer_rrs} answer, ${dns.authority_rrs} authority, ${dns.additional_rrs} additional`, dns.transport);
    if (dns.serial !== undefined) facts.push(`serial ${dns.serial}`);
  }
  if (result.grpc) {
    const { status_code: code, status_message: message } = result.grpc;
    facts.push(`gRPC status ${statusName(code)} (${code})${message ? `: ${message}` : ''}`);
    if (result.grpc.serving_status) facts.push(result.grpc.serving_status);
  }
  if (result.steps) facts.push(result.steps.map((s) => `${s.name} ${s.status_code || '-'}${s.success ? '' : ' ✗'}`).join(' → '));
  if (result.postgres?.server_version) facts.push(`PostgreSQL ${result.postgres.server_version}`);
  if (result.postgres?.value !== undefined) facts.push(`value ${result.postgres.value}`);
  if (result.tls) {
    const days = daysUntil(result.tls.earliest_cert_expiry, nowMs);
    const when = new Date(result.tls.earliest_cert_expiry * 1000).toISOString().slice(0, 10);
    facts.push(`${result.tls.version} ${result.tls.cipher}`);
    facts.push(days >= 0 ? `cert expires in ${days} days (${when})` : `cert EXPIRED ${-days} days ago (${when})`);
    if (!result.tls.verified) facts.push(`not verified: ${result.tls.verify_error ?? 'skipped'}`);
  }
  if (facts.length) lines.push(`  ${facts.join(' · ')}`);
  // The records themselves, tabs as spaces: what a person checking a DNS target wants to see first. A name is the
  // server's bytes: control characters are written as miekg writes them (\DDD), never sent to the terminal.
  const answers = result.dns?.answers ?? [];
  for (const record of answers) lines.push(`  answer: ${printable(record.replace(/\t/g, ' '))}`);
  if (result.dns && result.dns.answer_rrs > answers.length && answers.length > 0) lines.push(`  … ${result.dns.answer_rrs - answers.length} more answers (--json has the first ${answers.length})`);
  return lines.join('\n');
}

/** The --debug section: request, each response's headers, a body excerpt and the prober's step log. */
export function formatDebug(result: ProbeResult): string {
  const debug = result.debug;
  if (!debug) return '';
  const lines: string[] = [];
  if (debug.request) {
    lines.push(`> ${debug.request.method} ${debug.request.url}`);
    for (const [name, value] of Object.entries(debug.request.headers)) lines.push(`> ${name}: ${value}`);
  }
  for (const response of debug.responses ?? []) {
    lines.push(`< ${response.status} from ${response.url}`);
    for (const [name, value] of Object.entries(response.headers)) lines.push(`< ${name}: ${value}`);
  }
  if (debug.body_excerpt !== undefined) {
    lines.push('--- body (first KiB) ---', debug.body_excerpt, '--- end of excerpt ---');
  }
  if (debug.log.length) lines.push('--- log ---', ...debug.log);
  return lines.join('\n');
}
