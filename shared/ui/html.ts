// HTML building blocks shared by the UI pages and the status page: escaping, the page frame, formatting.
import { percent } from '../reporting/durations.js';
import type { Uptime } from '../reporting/uptime.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template that escapes every interpolated value unless it is Html (already built). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = v instanceof Html ? v.text : Array.isArray(v) ? v.map((x) => (x instanceof Html ? x.text : escapeHtml(String(x)))).join('') : v === undefined || v === null || v === false ? '' : escapeHtml(String(v));
    out += part + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export const raw = (text: string): Html => new Html(text);

export interface PageFrame {
  title: string;
  /** Which nav entry is current; no nav at all on the status page. */
  nav?: 'overview' | 'alerts' | 'target';
  meta?: string;
  /** Inline the stylesheet (static pages) instead of linking /static/style.css. */
  inlineStyles?: string;
  scripts?: string[];
  body: Html;
}

export function page(frame: PageFrame): string {
  const nav = frame.nav
    ? html`<nav><a href="/" class="${frame.nav === 'overview' ? 'on' : ''}">Overview</a><a href="/alerts" class="${frame.nav === 'alerts' ? 'on' : ''}">Alerts</a></nav>`
    : html``;
  const head = frame.inlineStyles !== undefined ? raw(`<style>${frame.inlineStyles}</style>`) : html`<link rel="stylesheet" href="/static/style.css"><link rel="stylesheet" href="/static/uPlot.min.css">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(frame.title)}</title><link rel="icon" href="data:,">${head}</head>
<body><header class="top"><span class="brand">Periscope</span>${nav}<span class="meta">${escapeHtml(frame.meta ?? '')}</span></header>
<main>${frame.body.text}</main>
${(frame.scripts ?? []).map((s) => `<script src="${escapeHtml(s)}"></script>`).join('\n')}
</body></html>
`;
}

export function uptimeCell(u: Uptime | undefined, slo?: number): Html {
  if (!u) return html`<td class="num muted">—</td>`;
  const target = slo ?? 99;
  const cls = u.ratio * 100 >= target ? 'good' : u.ratio * 100 >= target - 1 ? 'warn' : 'bad';
  return html`<td class="num ${cls}" title="${u.successful} of ${u.expected} runs succeeded, ${u.failed} failed, ${u.missing} missing">${percent(u.ratio)}</td>`;
}

export function latency(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
}

export function certDays(expiryMs: number | undefined, nowMs: number): Html {
  if (expiryMs === undefined) return html`<td class="num muted">—</td>`;
  const days = (expiryMs - nowMs) / 86_400_000;
  const cls = days < 0 ? 'bad' : days < 14 ? 'bad' : days < 30 ? 'warn' : '';
  return html`<td class="num ${cls}" title="${new Date(expiryMs).toISOString()}">${days < 0 ? 'expired' : `${Math.floor(days)} d`}</td>`;
}

export function ago(ms: number | undefined, nowMs: number): string {
  if (ms === undefined) return 'never';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} d ago`;
}
