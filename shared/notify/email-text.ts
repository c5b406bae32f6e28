// The plain-text body people read in email (and any SNS protocol without its own format): what happened
// first, then each alert, then where to look. Prose is wrapped at 100 columns; URLs and labels are not,
// since a broken URL stops being a link.
import { activeText, alertCount, formatUtc, formatValue, headline, orderedLabels } from './format.js';
import type { Notification, NotifiedAlert } from './types.js';

const WIDTH = 100;
/** Annotations shown first and named for people; the rest follow under their own names. */
const NAMED_ANNOTATIONS: Array<[string, string]> = [
  ['summary', 'Summary'],
  ['description', 'Description'],
];

export function formatEmailText(n: Notification): string {
  const total = alertCount(n);
  const lines: string[] = [headline(n), ''];
  lines.push(`Status: ${n.status.toUpperCase()}${n.reminder ? ' (reminder: still firing)' : ''}`);
  lines.push(`Alert: ${n.alertname} (group ${n.group}), severity ${n.severity}`);
  lines.push(`Where: stage ${n.stage}, region ${n.region}`);
  if (total > 1) lines.push(`Alerts: ${total}`);

  n.alerts.forEach((alert, i) => {
    lines.push('');
    if (total > 1) lines.push(`--- Alert ${i + 1} of ${total} ---`);
    lines.push(...alertLines(n, alert));
  });
  const left = n.truncated_alerts ?? 0;
  if (left > 0) {
    lines.push('', `... and ${left} more alert${left === 1 ? '' : 's'} (left out to keep this message within the size limit)`);
  }

  lines.push('');
  if (n.query_url) lines.push(`Query: ${n.query_url}`);
  lines.push('Expression:', ...indent(n.expr.split('\n'), '  '));
  lines.push(`Stage: ${n.stage}`, `Region: ${n.region}`, `Evaluated at ${formatUtc(n.evaluated_at)}`);
  return `${lines.join('\n')}\n`;
}

function alertLines(n: Notification, alert: NotifiedAlert): string[] {
  const lines: string[] = [];
  for (const [key, title] of NAMED_ANNOTATIONS) {
    const text = alert.annotations[key];
    if (text) lines.push(...labelled(title, text));
  }
  const named = new Set(NAMED_ANNOTATIONS.map(([key]) => key));
  for (const [key, text] of Object.entries(alert.annotations).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!named.has(key) && text) lines.push(...labelled(key, text));
  }
  lines.push(`Value: ${formatValue(alert.value)}`);
  lines.push('Labels:', ...orderedLabels(alert.labels).map(([k, v]) => `  ${k}=${v}`));
  lines.push(activeText(n, alert));
  return lines;
}

/** "Title: text" when it fits one line, else the title alone and the text wrapped and indented below. */
function labelled(title: string, text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.includes('\n') && title.length + 2 + trimmed.length <= WIDTH) return [`${title}: ${trimmed}`];
  return [`${title}:`, ...trimmed.split('\n').flatMap((line) => wrap(line.trimEnd(), WIDTH - 2)).map((l) => `  ${l}`)];
}

/** Word-wraps one line; a word longer than the width (a URL) stays whole on its own line. */
export function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(/ +/)) {
    if (current && current.length + 1 + word.length > width) {
      out.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) out.push(current);
  return out;
}

function indent(lines: string[], prefix: string): string[] {
  return lines.map((l) => `${prefix}${l}`);
}
