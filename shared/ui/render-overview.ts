// The overview: counters, alerts now, and one row per target grouped by group, stage or account. Pure:
// the UI server and the status-page function both render it from collected data.
import type { ActiveAlert } from '../reporting/alerts.js';
import type { Overview, TargetStatus } from '../reporting/overview.js';
import { ago, certDays, html, latency, uptimeCell, type Html } from './html.js';

export type GroupBy = 'group' | 'stage' | 'account';
export const GROUP_BY: readonly GroupBy[] = ['group', 'stage', 'account'];

export interface OverviewView {
  overview: Overview;
  alerts: ActiveAlert[];
  groupBy: GroupBy;
  /** Links to target pages and the filter toolbar (the live UI); off on the static status page. */
  interactive: boolean;
  filterText?: string;
}

export function targetHref(t: Pick<TargetStatus, 'target' | 'stage' | 'account' | 'group'>): string {
  return `/target?${new URLSearchParams({ target: t.target, group: t.group, stage: t.stage, account: t.account })}`;
}

function counters(view: OverviewView): Html {
  const count = (state: TargetStatus['state']) => view.overview.targets.filter((t) => t.state === state).length;
  const firing = view.alerts.filter((a) => a.state === 'firing').length;
  const pending = view.alerts.length - firing;
  const card = (value: number, label: string, cls: string) => html`<div class="card ${value > 0 ? cls : ''}"><div class="v">${value}</div><div class="l">${label}</div></div>`;
  return html`<div class="cards" id="counters">
${card(view.overview.targets.length, 'targets', '')}${card(count('up'), 'up', 'good')}${card(count('down'), 'down', 'bad')}${card(count('stale'), 'no recent result', 'warn')}
${view.interactive ? html`${card(firing, 'alerts firing', 'bad')}${card(pending, 'alerts pending', 'warn')}` : html``}</div>`;
}

export function alertsTable(alerts: ActiveAlert[], nowMs: number): Html {
  if (!alerts.length) return html`<p class="empty" id="no-alerts">No alert is firing or pending.</p>`;
  const rows = alerts.map((a) => {
    const { alertname: _name, ...rest } = a.labels;
    const labels = Object.entries(rest)
      .filter(([k]) => !['job'].includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return html`<tr class="alert"><td><span class="pill ${a.state}">${a.state}</span></td><td><b>${a.alertname}</b></td><td>${a.labels.severity ?? ''}</td><td class="mono small">${labels}</td><td class="num">${a.activeAtMs ? ago(a.activeAtMs, nowMs) : ''}</td></tr>`;
  });
  return html`<table id="active-alerts"><thead><tr><th>state</th><th>alert</th><th>severity</th><th>labels</th><th class="num">active since</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function row(t: TargetStatus, view: OverviewView): Html {
  const now = view.overview.generatedMs;
  const name = view.interactive ? html`<a href="${targetHref(t)}">${t.target}</a>` : html`${t.target}`;
  const where = GROUP_BY.filter((g) => g !== view.groupBy).map((g) => t[g]).filter(Boolean).join(' · ');
  const text = [t.target, t.group, t.stage, t.account, t.instance, t.module, t.reason ?? '', t.state].join(' ').toLowerCase();
  return html`<tr class="target ${t.state}" data-state="${t.state}" data-text="${text}">
<td><span class="pill ${t.state}">${t.state === 'stale' ? 'no data' : t.state}</span></td>
<td class="name">${name}<div class="muted small">${where}</div></td>
${view.interactive ? html`<td class="mono small">${t.instance}</td>` : ''}
<td>${t.reason ? html`<span class="reason">${t.reason}</span>` : ''}</td>
<td class="num small muted">${ago(t.lastRunMs, now)}</td>
${uptimeCell(t.uptime.d1, t.slo)}${uptimeCell(t.uptime.d7, t.slo)}${uptimeCell(t.uptime.d30, t.slo)}
<td class="num">${latency(t.p50)}</td><td class="num">${latency(t.p95)}</td>${certDays(t.certExpiryMs, now)}</tr>`;
}

/** Rows per chunk: each chunk is its own fixed-layout table that the browser lays out only near the viewport. */
const CHUNK_ROWS = 40;

function columns(view: OverviewView): Html {
  // Fixed widths so every chunk table lines up with the header without measuring the cells (table-layout:fixed).
  const widths = ['5.5rem', '15%', ...(view.interactive ? ['20%'] : []), '', '6.5rem', '6.5rem', '5rem', '5rem', '5.5rem', '5.5rem', '7.5rem'];
  return html`<colgroup>${widths.map((w) => (w ? html`<col style="width:${w}">` : html`<col>`))}</colgroup>`;
}

export function targetsTable(view: OverviewView): Html {
  const groups = new Map<string, TargetStatus[]>();
  for (const t of view.overview.targets) {
    const list = groups.get(t[view.groupBy]);
    if (list) list.push(t);
    else groups.set(t[view.groupBy], [t]);
  }
  if (!groups.size) return html`<p class="empty">No probe results in the last 24 hours.</p>`;
  const cols = columns(view);
  // A thousand rows in one auto-layout table cost the browser most of a second of layout; fixed-layout
  // chunks under content-visibility:auto are laid out when scrolled near, so the page is ready at once.
  const sections = [...groups.entries()].map(([name, list]) => {
    const down = list.filter((t) => t.state === 'down').length;
    const counts = `${list.length} target${list.length === 1 ? '' : 's'}${down ? `, ${down} down` : ''}`;
    const chunks: Html[] = [];
    for (let i = 0; i < list.length; i += CHUNK_ROWS) {
      const rows = list.slice(i, i + CHUNK_ROWS);
      chunks.push(html`<div class="chunk" style="contain-intrinsic-size:auto ${rows.length * 44}px"><table class="rows">${cols}<tbody>${rows.map((t) => row(t, view))}</tbody></table></div>`);
    }
    return html`<section class="section"><div class="grouphead">${view.groupBy} ${name || '—'}<span class="counts">${counts}</span></div>${chunks}</section>`;
  });
  return html`<div id="targets" class="targets"><table class="rows head">${cols}<thead><tr><th>status</th><th>target</th>${view.interactive ? html`<th>instance</th>` : ''}<th>failure reason</th><th class="num">last probe</th>
<th class="num">uptime 24 h</th><th class="num">7 d</th><th class="num">30 d</th><th class="num">p50 24 h</th><th class="num">p95 24 h</th><th class="num">cert expires</th></tr></thead></table>${sections}</div>`;
}

function toolbar(view: OverviewView): Html {
  const options = GROUP_BY.map((g) => html`<option value="${g}"${g === view.groupBy ? html` selected` : html``}>${g}</option>`);
  return html`<form class="toolbar" id="toolbar" method="get" action="/">
<input id="filter" name="q" type="search" placeholder="Filter: target, instance, reason, group…" value="${view.filterText ?? ''}" autocomplete="off">
<select id="state" name="state"><option value="">any status</option><option value="down">down</option><option value="up">up</option><option value="stale">no data</option></select>
<label class="muted small">group by <select id="by" name="by">${options}</select></label>
<span id="shown" class="muted small"></span></form>`;
}

export function renderOverviewBody(view: OverviewView): Html {
  return html`<h1>${view.interactive ? 'Overview' : 'Service status'}</h1>
${counters(view)}
${view.interactive ? html`<h2>Alerts now</h2>${alertsTable(view.alerts, view.overview.generatedMs)}<h2>Targets</h2>${toolbar(view)}` : html``}
${targetsTable(view)}`;
}
