// The overview: counters, alerts now, and one row per target grouped by group, stage or account. Pure:
// the UI server renders it from collected data, for a full page and for the live refresh's regions.
import type { ActiveAlert } from '../reporting/alerts.js';
import type { Overview, TargetStatus } from '../reporting/overview.js';
import { ago, breakable, certDays, html, latency, uptimeCell, type Html } from './html.js';
import { reasonPhrase } from './reasons.js';
import { alertsTable, noAlertContext, type AlertContext } from './render-alerts.js';

export type GroupBy = 'group' | 'stage' | 'account';
export const GROUP_BY: readonly GroupBy[] = ['group', 'stage', 'account'];

export interface OverviewView {
  overview: Overview;
  alerts: ActiveAlert[];
  groupBy: GroupBy;
  filterText?: string;
  context?: AlertContext;
}

export function targetHref(t: Pick<TargetStatus, 'target' | 'stage' | 'account' | 'group'>): string {
  return `/target?${new URLSearchParams({ target: t.target, group: t.group, stage: t.stage, account: t.account })}`;
}

export function counters(view: OverviewView): Html {
  const count = (state: TargetStatus['state']) => view.overview.targets.filter((t) => t.state === state).length;
  const firing = view.alerts.filter((a) => a.state === 'firing').length;
  const pending = view.alerts.length - firing;
  const card = (value: number, label: string, cls: string, id: string) => html`<div class="card ${value > 0 ? cls : ''}" id="count-${id}"><div class="v">${value}</div><div class="l">${label}</div></div>`;
  return html`${card(view.overview.targets.length, 'targets', '', 'targets')}${card(count('up'), 'up', 'good', 'up')}${card(count('down'), 'down', 'bad', 'down')}${card(count('stale'), 'no recent result', 'warn', 'stale')}
${card(firing, 'alerts firing', 'bad', 'firing')}${card(pending, 'alerts pending', 'warn', 'pending')}`;
}

/** The failure column: the message the probe printed (as `periscope probe` does), and its reason code. */
function failureCell(t: TargetStatus, nowMs: number): Html {
  if (t.state === 'stale') return html`<td class="failure"><span class="muted">no result for ${ago(t.lastRunMs, nowMs).replace(/ ago$/, '')}</span></td>`;
  if (!t.reason) return html`<td class="failure"></td>`;
  return html`<td class="failure"><div class="msg">${breakable(t.message ?? reasonPhrase(t.reason), { maxRun: 32 })}</div><code class="code">${t.reason}</code></td>`;
}

function row(t: TargetStatus, view: OverviewView): Html {
  const now = view.overview.generatedMs;
  const where = GROUP_BY.filter((g) => g !== view.groupBy).map((g) => t[g]).filter(Boolean).join(' · ');
  const text = [t.target, t.group, t.stage, t.account, t.instance, t.module, t.reason ?? '', t.message ?? '', t.state].join(' ').toLowerCase();
  return html`<tr class="target ${t.state}" data-state="${t.state}" data-text="${text}" data-target="${t.target}">
<td><span class="pill ${t.state}">${t.state === 'stale' ? 'no data' : t.state}</span></td>
<td class="name"><a href="${targetHref(t)}" class="tlink">${breakable(t.target)}</a><div class="inst">${breakable(t.instance)}</div><div class="muted small">${breakable(where)}</div></td>
${failureCell(t, now)}
<td class="num small muted" data-last-run-ms="${t.lastRunMs ?? ''}">${ago(t.lastRunMs, now)}</td>
${uptimeCell(t.uptime.d1, t.slo)}${uptimeCell(t.uptime.d7, t.slo)}${uptimeCell(t.uptime.d30, t.slo)}
<td class="num lat"><span>${latency(t.p50)}</span><span class="small muted">${latency(t.p95)}</span></td>${certDays(t.certExpiryMs, now)}</tr>`;
}

/** Rows per chunk: each chunk is its own fixed-layout table that the browser lays out only near the viewport. */
const CHUNK_ROWS = 40;

/** Column widths by class (styles.ts), so every chunk table lines up with the header without measuring cells. */
const COLUMNS = html`<colgroup><col class="c-status"><col class="c-name"><col class="c-failure"><col class="c-last"><col class="c-win"><col class="c-win"><col class="c-win"><col class="c-lat"><col class="c-cert"></colgroup>`;

export function targetsTable(view: OverviewView): Html {
  const groups = new Map<string, TargetStatus[]>();
  for (const t of view.overview.targets) {
    const list = groups.get(t[view.groupBy]);
    if (list) list.push(t);
    else groups.set(t[view.groupBy], [t]);
  }
  if (!groups.size) return html`<p class="empty">No probe results in the last 24 hours.</p>`;
  // A thousand rows in one auto-layout table cost the browser most of a second of layout; fixed-layout
  // chunks under content-visibility:auto are laid out when scrolled near, so the page is ready at once.
  const sections = [...groups.entries()].map(([name, list]) => {
    const down = list.filter((t) => t.state === 'down').length;
    const counts = `${list.length} target${list.length === 1 ? '' : 's'}${down ? `, ${down} down` : ''}`;
    const chunks: Html[] = [];
    for (let i = 0; i < list.length; i += CHUNK_ROWS) {
      const rows = list.slice(i, i + CHUNK_ROWS);
      chunks.push(html`<div class="chunk"><table class="rows">${COLUMNS}<tbody>${rows.map((t) => row(t, view))}</tbody></table></div>`);
    }
    return html`<section class="section"><div class="grouphead">${view.groupBy} ${name || '—'}<span class="counts">${counts}</span></div>${chunks}</section>`;
  });
  // Chunks are laid out only near the viewport (content-visibility) when there are many rows.
  const many = view.overview.targets.length > 4 * CHUNK_ROWS;
  return html`<div id="targets" class="targets${many ? ' many' : ''}"><table class="rows head">${COLUMNS}<thead><tr><th>status</th><th>target</th><th>failure</th><th class="num">last probe</th>
<th class="num">uptime 24&nbsp;h<span class="sub">coverage</span></th><th class="num">uptime 7&nbsp;d<span class="sub">coverage</span></th><th class="num">uptime 30&nbsp;d<span class="sub">coverage</span></th><th class="num">p50 24&nbsp;h<span class="sub">p95</span></th><th class="num">cert expires</th></tr></thead></table>${sections}</div>`;
}

function toolbar(view: OverviewView): Html {
  const options = GROUP_BY.map((g) => html`<option value="${g}"${g === view.groupBy ? html` selected` : html``}>${g}</option>`);
  return html`<form class="toolbar" id="toolbar" method="get" action="/">
<input id="filter" name="q" type="search" placeholder="Filter: target, instance, reason, group…" value="${view.filterText ?? ''}" autocomplete="off">
<select id="state" name="state"><option value="">any status</option><option value="down">down</option><option value="up">up</option><option value="stale">no data</option></select>
<label class="muted small">group by <select id="by" name="by">${options}</select></label>
<span id="shown" class="muted small"></span></form>`;
}

/** The parts the live refresh replaces, by the name of their data-live region. */
export function overviewRegions(view: OverviewView): Record<string, Html> {
  return {
    counters: counters(view),
    'alerts-now': alertsTable(view.alerts, view.overview.generatedMs, view.context ?? noAlertContext),
    targets: targetsTable(view),
  };
}

export function renderOverviewBody(view: OverviewView): Html {
  const regions = overviewRegions(view);
  return html`<h1>Overview</h1>
<div class="cards" id="counters" data-live="counters">${regions.counters}</div>
<h2>Alerts now</h2><div data-live="alerts-now">${regions['alerts-now']}</div>
<h2>Targets</h2>${toolbar(view)}
<div data-live="targets">${regions.targets}</div>
<p class="muted small legend">Uptime: successful runs ÷ runs done. Coverage (below it): runs done ÷ runs expected — a missing run is a monitoring gap, not downtime.</p>`;
}
