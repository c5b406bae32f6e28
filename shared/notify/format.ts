// Formatting shared by the email text and the Slack message, so both say the same thing the same way.
import type { Notification, NotifiedAlert } from './types.js';

/** Alerts the notification stands for, including any left out of `alerts` to fit a size limit. */
export function alertCount(n: Notification): number {
  return n.alerts.length + (n.truncated_alerts ?? 0);
}

/**
 * Plain decimal for people: 25000, not 2.5e4. Integers are exact; fractions keep at most six significant
 * digits (never rounding the integer part). Exponents only at the extremes, where digits stop helping.
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e21 || abs < 1e-9) return String(Number(value.toPrecision(6)));
  if (Number.isInteger(value) || abs >= 1e6) return WHOLE.format(value);
  return SIGNIFICANT.format(value);
}

// Made once: a formatter per call costs more than the rest of a notification's text.
const WHOLE = new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 0 });
const SIGNIFICANT = new Intl.NumberFormat('en-US', { useGrouping: false, maximumSignificantDigits: 6 });

/** "45s", "12m", "1h 5m", "2d 3h": as precise as a reader of an alert needs. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(Number.isFinite(seconds) ? seconds : 0));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)}h${m ? ` ${m}m` : ''}`;
  }
  const h = Math.floor((s % 86_400) / 3600);
  return `${Math.floor(s / 86_400)}d${h ? ` ${h}h` : ''}`;
}

/** "2026-11-22 10:00 UTC"; a time that does not parse is shown as given. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const FIRST_LABELS = ['alertname', 'severity'];

/** Labels sorted by name, alertname and severity first: the order a reader scans them. */
export function orderedLabels(labels: Record<string, string>): Array<[string, string]> {
  const rank = (k: string) => {
    const i = FIRST_LABELS.indexOf(k);
    return i < 0 ? FIRST_LABELS.length : i;
  };
  return Object.entries(labels).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** "Firing since 2026-11-22 10:00 UTC (for 1h 5m)" or "Resolved at 2026-11-22 11:05 UTC after 1h 5m". */
export function activeText(n: Notification, alert: NotifiedAlert): string {
  if (n.status === 'resolved') {
    return `Resolved at ${formatUtc(alert.ended_at ?? n.evaluated_at)} after ${formatDuration(alert.duration_seconds)}`;
  }
  return `Firing since ${formatUtc(alert.started_at)} (for ${formatDuration(alert.duration_seconds)})`;
}

/**
 * One sentence saying what happened: the alerts' summary when they share one, else the alert name and
 * status. Resolved summaries are marked as such, since a summary usually describes the problem.
 */
export function headline(n: Notification): string {
  const total = alertCount(n);
  const count = total > 1 ? ` (${total} alerts)` : '';
  const summaries = new Set(n.alerts.map((a) => a.annotations.summary?.trim() ?? ''));
  const [summary] = summaries;
  if (summaries.size === 1 && summary) {
    return `${n.status === 'resolved' ? 'Resolved: ' : ''}${oneLine(summary)}${count}`;
  }
  return `${n.alertname} is ${n.status}${count}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts text to at most max characters, ending with the marker given, never splitting a surrogate pair. */
export function clipText(text: string, max: number, marker = '...'): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - marker.length);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return text.slice(0, cut) + marker;
}
