// Alerts in the terminal: the local run's notifier and `periscope check`'s report.
import type { GroupReport } from '../shared/alerting/evaluation/evaluate-group.js';
import { formatNumber } from '../shared/alerting/evaluation/evaluate-group.js';
import type { Notification } from '../shared/notify/types.js';

export function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== 'alertname' && k !== 'alertgroup')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

export function formatNotification(n: Notification): string {
  const head = `ALERT ${n.status.toUpperCase()}${n.reminder ? ' (reminder)' : ''}  ${n.alertname}  severity=${n.severity}  ${n.alerts.length} alert${n.alerts.length === 1 ? '' : 's'}`;
  const lines = n.alerts.map((a) => {
    const summary = a.annotations.summary ?? a.annotations.description ?? '';
    return `    ${summary ? `${summary}  ` : ''}value=${formatNumber(a.value)}  {${labelText(a.labels)}}`;
  });
  return [head, ...lines].join('\n');
}

export function formatGroupReport(report: GroupReport): string {
  const lines = [`group ${report.group} at ${report.evaluated_at}`];
  for (const rule of report.rules) {
    const value = rule.value === undefined ? '' : `  value=${formatNumber(rule.value)}`;
    if (rule.type === 'recording' && rule.error === undefined) {
      lines.push(`  RECORD   ${rule.rule}  ${rule.series ?? 0} series${value}`);
      continue;
    }
    lines.push(`  ${rule.state.toUpperCase().padEnd(8)} ${rule.rule}${value}${rule.error ? `  error: ${rule.error}` : ''}`);
    for (const alert of rule.alerts) {
      lines.push(`      ${alert.phase} since ${alert.active_since}  value=${formatNumber(alert.value)}  {${labelText(alert.labels)}}${alert.muted_by ? `  muted by ${alert.muted_by}` : ''}`);
    }
    for (const a of rule.anomaly ?? []) {
      if (!a.verdict.anomalous) lines.push(`      not anomalous: ${a.verdict.why}  value=${formatNumber(a.value)}  {${labelText(a.labels)}}`);
    }
  }
  return lines.join('\n');
}
