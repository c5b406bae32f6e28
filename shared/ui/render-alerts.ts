// The alerts page: what fires or is pending now, and the episodes of the last 24 hours from ALERTS.
import type { ActiveAlert, AlertEpisode } from '../reporting/alerts.js';
import { humanDuration, utcTime } from '../reporting/durations.js';
import { html, type Html } from './html.js';
import { alertsTable } from './render-overview.js';

export function renderAlertsBody(active: ActiveAlert[], history: AlertEpisode[], nowMs: number): Html {
  const rows = history.map((e) => {
    const { alertname: _n, ...labels } = e.labels;
    const shown = Object.entries(labels)
      .filter(([k]) => k !== 'job')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return html`<tr class="episode"><td><b>${e.alertname}</b></td><td class="mono small">${shown}</td><td>${utcTime(e.startMs)}</td><td>${e.firingMs !== undefined ? utcTime(e.firingMs) : html`<span class="muted">never fired</span>`}</td>
<td>${e.endMs !== undefined ? utcTime(e.endMs) : html`<span class="bad">active</span>`}</td><td class="num">${humanDuration((e.endMs ?? nowMs) - e.startMs)}</td></tr>`;
  });
  return html`<h1>Alerts</h1><h2>Firing and pending now</h2>${alertsTable(active, nowMs)}
<h2>History, last 24 hours</h2>
${history.length ? html`<table id="alert-history"><thead><tr><th>alert</th><th>labels</th><th>pending since</th><th>firing since</th><th>ended</th><th class="num">duration</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="empty">No alert in the last 24 hours.</p>`}`;
}
