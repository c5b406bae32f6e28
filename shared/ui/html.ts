// HTML building blocks shared by the UI pages and the status page: escaping, the page frame, formatting.
// Pages carry no style="" attribute and no inline script, so a strict Content-Security-Policy allows them
// (the stylesheet and the scripts are files the server serves; JSON data blocks are not scripts).
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
  /** The page refreshes itself every this many ms (the live UI): the header shows how fresh it is. */
  refreshMs?: number;
  /** When the data was read, Unix ms (the live indicator counts from it). */
  generatedMs?: number;
  body: Html;
}

export function page(frame: PageFrame): string {
  const nav = frame.nav
    ? html`<nav><a href="/" class="${frame.nav === 'overview' ? 'on' : ''}">Overview</a><a href="/alerts" class="${frame.nav === 'alerts' ? 'on' : ''}">Alerts</a></nav>`
    : html``;
  const head = frame.inlineStyles !== undefined ? raw(`<style>${frame.inlineStyles}</style>`) : html`<link rel="stylesheet" href="/static/style.css"><link rel="stylesheet" href="/static/uPlot.min.css">`;
  const live =
    frame.refreshMs !== undefined
      ? html`<span id="live" class="live" data-refresh-ms="${frame.refreshMs}" data-generated-ms="${frame.generatedMs ?? ''}" title="The page reads VictoriaMetrics again every ${Math.round(frame.refreshMs / 1000)} s"><i></i><span id="live-text">live</span></span>`
      : html``;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(frame.title)}</title><link rel="icon" href="data:,">${head}</head>
<body><header class="top"><span class="brand">Periscope</span>${nav}${live.text}<span class="meta">${escapeHtml(frame.meta ?? '')}</span></header>
<div id="offline" class="offline" hidden></div>
<main>${frame.body.text}</main>
${(frame.scripts ?? []).map((s) => `<script src="${escapeHtml(s)}"></script>`).join('\n')}
</body></html>
`;
}

/** Where a long value may break: after these characters (a URL's `/`, a host's `.`, a query's `?` and `&`…). */
const BREAK_AFTER = new Set(['/', '.', '?', '&', '=', ',', ';', ':', '_', '-', '@', '#', '|', '+']);

/**
 * A URL, address or label shown so it breaks only at sensible points: a <wbr> after each separator, and a
 * run without one longer than `maxRun` characters shortened with an ellipsis in its middle (the full value is
 * in the title). The CSS class `brk` turns off breaking anywhere else.
 */
export function breakable(text: string, options: { maxRun?: number; cls?: string; chunk?: boolean } = {}): Html {
  const maxRun = options.maxRun ?? 24;
  const chars = [...text];
  let out = '';
  let run: string[] = [];
  let shortened = false;
  const flush = () => {
    if (run.length > maxRun && options.chunk) {
      // Hex and the like: every character counts, so the run is cut into pieces instead of shortened.
      for (let i = 0; i < run.length; i += maxRun) out += `${i ? '<wbr>' : ''}${escapeHtml(run.slice(i, i + maxRun).join(''))}`;
    } else if (run.length > maxRun) {
      const keep = Math.max(4, Math.floor((maxRun - 1) / 2));
      out += escapeHtml(`${run.slice(0, keep).join('')}…${run.slice(run.length - keep).join('')}`);
      shortened = true;
    } else out += escapeHtml(run.join(''));
    run = [];
  };
  for (const c of chars) {
    run.push(c);
    if (BREAK_AFTER.has(c)) {
      flush();
      out += '<wbr>';
    } else if (c === ' ') flush();
  }
  flush();
  const cls = `brk${options.chunk ? ' hex' : ''}${options.cls ? ` ${options.cls}` : ''}`;
  return raw(`<span class="${escapeHtml(cls)}"${shortened || text.length > 48 ? ` title="${escapeHtml(text)}"` : ''}>${out}</span>`);
}

/** Labels as chips `name=value`, each breaking only at its separators. */
export function labelChips(labels: Record<string, string>, skip: readonly string[] = []): Html {
  const entries = Object.entries(labels).filter(([k]) => !skip.includes(k));
  return html`<span class="chips">${entries.map(([k, v]) => html`<span class="chip">${breakable(`${k}=${v}`, { maxRun: 28 })}</span> `)}</span>`;
}

/** How an uptime figure is coloured against the objective (99 % without one). */
export function uptimeClass(u: Uptime, slo?: number): 'good' | 'warn' | 'bad' {
  const target = slo ?? 99;
  return u.ratio * 100 >= target ? 'good' : u.ratio * 100 >= target - 1 ? 'warn' : 'bad';
}

/** What one uptime figure means, for its tooltip. */
export function uptimeTitle(u: Uptime): string {
  const coverage =
    u.coverage === undefined
      ? 'coverage unknown: no probe interval (run the UI with --config)'
      : `coverage ${percent(u.coverage)}: ${u.done} of ${u.expected} expected runs happened${u.missing ? `, ${u.missing} missing (not monitored, not counted as down)` : ''}`;
  return `uptime ${percent(u.ratio)}: ${u.successful} of ${u.done} runs succeeded, ${u.failed} failed; ${coverage}`;
}

/** Coverage as shown under the uptime: grey while complete, in the gap colour when runs are missing. */
export function coverageText(u: Uptime): Html {
  if (u.coverage === undefined) return html`<span class="cov" data-coverage="">cov —</span>`;
  return html`<span class="cov${u.coverage < 1 ? ' gap' : ''}" data-coverage="${u.coverage}">cov ${percent(u.coverage)}</span>`;
}

/** A table cell with uptime over the runs done and, below it, coverage (runs done ÷ expected). */
export function uptimeCell(u: Uptime | undefined, slo?: number): Html {
  if (!u) return html`<td class="num win muted" title="no run in this window">—</td>`;
  return html`<td class="num win" title="${uptimeTitle(u)}"><span class="up ${uptimeClass(u, slo)}" data-uptime="${u.ratio}">${percent(u.ratio)}</span>${coverageText(u)}</td>`;
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

/** A UTC time that may break between its date and its time: "2026-11-03 14:05:09". */
export function utcStamp(ms: number): Html {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" class="stamp"><span>${iso.slice(0, 10)}</span> <span>${iso.slice(11, 19)}</span></time>`;
}
