// The public status page: the overview of the public targets (no internal addresses, no links) and their
// incidents of the last 7 days, as one static HTML file and the same data as JSON.
import { humanDuration, utcTime } from '../reporting/durations.js';
import type { Incident } from '../reporting/incidents.js';
import type { Overview, TargetStatus } from '../reporting/overview.js';
import { html, page } from '../ui/html.js';
import { renderOverviewBody } from '../ui/render-overview.js';
import { STYLES } from '../ui/styles.js';

export interface PublicIncident extends Incident {
  target: string;
  group: string;
}

export interface StatusPage {
  html: string;
  json: string;
}

/** Only what a public page may show: the instance (an internal address) and the account are left out. */
function publicTarget(t: TargetStatus) {
  return {
    target: t.target,
    group: t.group,
    stage: t.stage,
    state: t.state,
    reason: t.reason ?? null,
    last_probe: t.lastRunMs !== undefined ? new Date(t.lastRunMs).toISOString() : null,
    uptime_percent: { '24h': pct(t.uptime.d1?.ratio), '7d': pct(t.uptime.d7?.ratio), '30d': pct(t.uptime.d30?.ratio) },
    latency_seconds: { p50: t.p50 ?? null, p95: t.p95 ?? null },
    certificate_expires: t.certExpiryMs !== undefined ? new Date(t.certExpiryMs).toISOString() : null,
  };
}

const pct = (ratio: number | undefined) => (ratio === undefined ? null : ratio * 100);

export function renderStatusPage(overview: Overview, incidents: PublicIncident[], title = 'Service status'): StatusPage {
  const down = overview.targets.filter((t) => t.state === 'down').length;
  const headline = down ? html`<p class="panel bad" id="headline">${down} of ${overview.targets.length} services are failing.</p>` : html`<p class="panel good" id="headline">All ${overview.targets.length} services are operating normally.</p>`;
  // The same overview table as the UI; accounts are internal, so rows are never grouped by them.
  const masked = { ...overview, targets: overview.targets.map((t) => ({ ...t, instance: '', account: '' })) };
  const table = renderOverviewBody({ overview: masked, alerts: [], groupBy: 'group', interactive: false });
  const rows = incidents.map(
    (i) => html`<tr><td>${i.target}</td><td>${utcTime(i.startMs)}</td><td>${i.endMs !== undefined ? utcTime(i.endMs) : html`<span class="bad">ongoing</span>`}</td><td class="num">${humanDuration(i.durationMs)}</td><td><span class="reason">${i.reasons.join(', ')}</span></td></tr>`,
  );
  const body = html`${headline}${table}
<h2>Incidents, last 7 days</h2>
${incidents.length ? html`<table id="incidents"><thead><tr><th>service</th><th>start</th><th>end</th><th class="num">duration</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="empty">No incidents in the last 7 days.</p>`}
<p class="muted small">Updated ${utcTime(overview.generatedMs)}. Uptime counts probe runs that succeeded out of those that should have run.</p>`;
  const htmlText = page({ title, meta: `updated ${utcTime(overview.generatedMs)}`, inlineStyles: STYLES, body });
  const json = JSON.stringify(
    {
      generated_at: new Date(overview.generatedMs).toISOString(),
      summary: { services: overview.targets.length, failing: down },
      services: overview.targets.map(publicTarget),
      incidents: incidents.map((i) => ({ service: i.target, group: i.group, start: new Date(i.startMs).toISOString(), end: i.endMs !== undefined ? new Date(i.endMs).toISOString() : null, duration_seconds: i.durationMs / 1000, reasons: i.reasons })),
    },
    null,
    2,
  );
  return { html: htmlText, json };
}

