// Slack incoming-webhook messages: Block Kit with a coloured bar, within Slack's limits (a message that
// breaks one is rejected whole with "invalid_blocks", so every text is cut to fit before sending).
import { activeText, alertCount, clipText, formatDuration, formatUtc, formatValue, headline, oneLine, orderedLabels } from './format.js';
import type { Notification, NotifiedAlert } from './types.js';

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export interface SlackButton {
  type: 'button';
  text: SlackText;
  url: string;
  action_id: string;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: SlackButton[] };

export interface SlackAttachment {
  color: string;
  blocks: SlackBlock[];
}

export interface SlackPayload {
  /** Shown in notifications and where blocks cannot be; the message itself when there are no blocks. */
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
}

/** Slack's documented limits for the blocks used here. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  contextText: 3000,
  buttonText: 75,
  buttonUrl: 3000,
  blocksPerMessage: 50,
} as const;

/** More alerts than this make a message nobody reads; the rest are counted in the closing block. */
export const MAX_ALERT_SECTIONS = 20;
/** Top-level `text` is allowed up to 40 000 characters; a fallback needs far less. */
const FALLBACK_TEXT_MAX = 3000;

const COLOURS = { critical: '#d6232b', warning: '#f2a100', info: '#2f80ed', resolved: '#2eb67d' } as const;

function emoji(n: Notification): string {
  if (n.status === 'resolved') return '✅';
  if (n.severity === 'warning') return '⚠️';
  if (n.severity === 'info') return 'ℹ️';
  return '🔥';
}

function colour(n: Notification): string {
  if (n.status === 'resolved') return COLOURS.resolved;
  if (n.severity === 'warning') return COLOURS.warning;
  if (n.severity === 'info') return COLOURS.info;
  return COLOURS.critical;
}

/** Slack's mrkdwn needs only these three escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts escaped mrkdwn without leaving half an entity ("&am…") behind. */
function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${clipText(text, max - 1, '').replace(/&[a-z]{0,3}$/, '')}…`;
}

const mrkdwn = (text: string, max: number): SlackText => ({ type: 'mrkdwn', text: clipMrkdwn(text, max) });
const field = (title: string, value: string): SlackText => mrkdwn(`*${title}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.fieldText);
/** Backticks would end the code span early; a look-alike keeps the text readable. */
const code = (text: string) => `\`${text.replace(/`/g, 'ˋ')}\``;

export function buildSlackMessage(n: Notification): SlackPayload {
  const total = alertCount(n);
  const notes = [total > 1 ? `${total} alerts` : '', n.reminder ? 'reminder' : ''].filter(Boolean).join(', ');
  const title = `${emoji(n)} ${n.status.toUpperCase()}: ${oneLine(n.alertname)}${notes ? ` (${notes})` : ''}`;
  const summary = headline(n);

  const top: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clipText(title, SLACK_LIMITS.headerText, '…'), emoji: true } },
    { type: 'section', text: mrkdwn(escapeMrkdwn(summary), SLACK_LIMITS.sectionText) },
  ];
  const details: SlackBlock[] = [{ type: 'section', fields: summaryFields(n).slice(0, SLACK_LIMITS.fieldsPerSection) }];

  // Room for the closing blocks (more-alerts note, button, context) within the per-message limit.
  const room = SLACK_LIMITS.blocksPerMessage - top.length - details.length - 3;
  const shown = n.alerts.slice(0, Math.min(MAX_ALERT_SECTIONS, room));
  for (const alert of shown) {
    const text = alertText(n, alert, total > 1);
    // Slack rejects a section with empty text; a bare lone alert is fully told by the fields.
    if (text) details.push({ type: 'section', text: mrkdwn(text, SLACK_LIMITS.sectionText) });
  }
  const more = total - shown.length;
  if (more > 0) details.push({ type: 'context', elements: [mrkdwn(`… and ${more} more alert${more === 1 ? '' : 's'}`, SLACK_LIMITS.contextText)] });

  if (n.query_url && /^https?:\/\//.test(n.query_url) && n.query_url.length <= SLACK_LIMITS.buttonUrl) {
    details.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open query in vmui' }, url: n.query_url, action_id: 'open_query' }],
    });
  }
  const footer = `${escapeMrkdwn(`${n.stage} · ${n.region} · group ${n.group} · evaluated ${formatUtc(n.evaluated_at)}`)}\n${code(escapeMrkdwn(oneLine(n.expr)))}`;
  details.push({ type: 'context', elements: [mrkdwn(footer, SLACK_LIMITS.contextText)] });

  const fallback = `${n.status.toUpperCase()}: ${n.alertname}${notes ? ` (${notes})` : ''} - ${n.stage} ${n.region}: ${summary}`;
  return {
    text: clipMrkdwn(escapeMrkdwn(fallback), FALLBACK_TEXT_MAX),
    blocks: top,
    attachments: [{ color: colour(n), blocks: details }],
  };
}

function summaryFields(n: Notification): SlackText[] {
  const fields = [field('Severity', n.severity), field('Stage', n.stage), field('Region', n.region), field('Group', n.group)];
  const [only] = n.alerts;
  if (alertCount(n) === 1 && only) {
    fields.push(field('Value', formatValue(only.value)));
    fields.push(
      n.status === 'resolved'
        ? field('Resolved after', `${formatDuration(only.duration_seconds)} (at ${formatUtc(only.ended_at ?? n.evaluated_at)})`)
        : field('Firing since', `${formatUtc(only.started_at)} (${formatDuration(only.duration_seconds)})`),
    );
  } else {
    fields.push(field('Alerts', String(alertCount(n))));
    const earliest = n.alerts.reduce<NotifiedAlert | undefined>((e, a) => (!e || a.started_at < e.started_at ? a : e), undefined);
    if (earliest && n.status === 'firing') fields.push(field('First firing since', formatUtc(earliest.started_at)));
  }
  return fields;
}

/** One alert: its summary and (when several) value and time, its description, then its labels as code. */
function alertText(n: Notification, alert: NotifiedAlert, several: boolean): string {
  const head: string[] = [];
  if (several && alert.annotations.summary) head.push(`*${escapeMrkdwn(oneLine(alert.annotations.summary))}*`);
  // A lone alert's value and time are already in the fields above.
  const tail: string[] = several ? [`Value *${escapeMrkdwn(formatValue(alert.value))}* · ${escapeMrkdwn(activeText(n, alert))}`] : [];
  const extra = Object.entries(alert.annotations)
    .filter(([k, v]) => k !== 'summary' && k !== 'description' && v)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${escapeMrkdwn(k)}: ${escapeMrkdwn(oneLine(v))}`);
  tail.push(...extra.map((line) => clipMrkdwn(line, 500)));
  const labels = orderedLabels(alert.labels)
    .filter(([k]) => k !== 'alertname' && k !== 'alertgroup')
    .map(([k, v]) => code(escapeMrkdwn(`${k}=${v}`)));
  if (labels.length) tail.push(clipMrkdwn(labels.join(' '), 1200));

  // The description gets what the other parts leave of the section's limit.
  const fixed = [...head, ...tail].join('\n').length + 2;
  const description = alert.annotations.description?.trim();
  const body = description ? [clipMrkdwn(escapeMrkdwn(description), Math.max(200, SLACK_LIMITS.sectionText - fixed))] : [];
  return [...head, ...body, ...tail].join('\n');
}

/** A message published to the topic by something else (not a Notification): its subject and text as is. */
export function buildSlackTextMessage(subject: string | null | undefined, message: string): SlackPayload {
  const title = subject ? `*${escapeMrkdwn(oneLine(subject))}*\n` : '';
  const parsed = parseJsonObject(message);
  const body = parsed ? `\`\`\`${escapeMrkdwn(JSON.stringify(parsed, null, 2))}\`\`\`` : escapeMrkdwn(message.trim());
  return { text: clipMrkdwn(`${title}${body}`, 4000) };
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
