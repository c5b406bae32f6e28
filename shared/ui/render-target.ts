// One target's page: status and uptime cards, a 24-hour availability strip, latency by phase (stacked
// chart, drawn in the browser by uPlot from the JSON embedded in the page), incidents with reasons, the last
// probe's waterfall and its certificate.
import { humanDuration, utcTime } from '../reporting/durations.js';
import type { TargetStatus } from '../reporting/overview.js';
import type { LastProbe, TargetDetail } from '../reporting/target-detail.js';
import { ago, certDays, html, latency, raw, uptimeCell, type Html } from './html.js';

function strip(detail: TargetDetail): Html {
  const cells = detail.availability.values.map((v, i) => {
    const at = detail.availability.timestamps[i] ?? 0;
    const cls = v === null ? '' : v >= 1 ? 'ok' : v > 0 ? 'part' : 'fail';
    const title = `${utcTime(at - detail.availability.bucketMs)} – ${utcTime(at).slice(11)}: ${v === null ? 'no run' : `${Math.round(v * 100)} % of runs ok`}`;
    return html`<span class="${cls}" title="${title}"></span>`;
  });
  return html`<div class="strip" id="availability">${cells}</div><div class="strip-axis"><span>24 h ago</span><span>now</span></div>`;
}

function incidents(detail: TargetDetail): Html {
  if (!detail.incidents.length) return html`<p class="empty">No failed probe in the last 24 hours.</p>`;
  const rows = detail.incidents.map(
    (i) => html`<tr><td>${utcTime(i.startMs)}</td><td>${i.endMs !== undefined ? utcTime(i.endMs) : html`<span class="bad">ongoing</span>`}</td><td class="num">${humanDuration(i.durationMs)}</td><td class="num">${i.failedRuns}</td><td><span class="reason">${i.reasons.join(', ')}</span></td></tr>`,
  );
  return html`<table id="incidents"><thead><tr><th>start</th><th>end</th><th class="num">duration</th><th class="num">failed runs</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The last probe's other samples worth reading, in this order, with how to show them. */
const VALUE_NAMES: Array<[string, string, (v: number) => string]> = [
  ['probe_http_status_code', 'HTTP status', String],
  ['probe_http_version', 'HTTP version', String],
  ['probe_http_redirects', 'redirects followed', String],
  ['probe_http_ssl', 'over TLS', (v) => (v === 1 ? 'yes' : 'no')],
  ['probe_http_content_length', 'content length', (v) => (v < 0 ? 'not sent' : `${v} bytes`)],
  ['probe_http_uncompressed_body_length', 'body length', (v) => `${v} bytes`],
  ['probe_ip_protocol', 'IP protocol', (v) => (v === 0 ? 'none (not resolved)' : `IPv${v}`)],
  ['probe_dns_lookup_time_seconds', 'DNS lookup', latency],
  ['probe_failed_due_to_regex', 'failed on a regex', (v) => (v === 1 ? 'yes' : 'no')],
  ['probe_timeout_seconds', 'timeout', latency],
];

function waterfall(last: LastProbe): Html {
  const total = last.durationSeconds ?? last.phases.reduce((s, p) => s + p.seconds, 0);
  let offset = 0;
  const bars = last.phases.map((p) => {
    const left = total > 0 ? (offset / total) * 100 : 0;
    const width = total > 0 ? Math.max(0.5, (p.seconds / total) * 100) : 0;
    offset += p.seconds;
    return html`<div>${p.phase}</div><div class="bar"><i style="${raw(`left:${left.toFixed(2)}%;width:${width.toFixed(2)}%`)}"></i></div><div class="num">${latency(p.seconds)}</div>`;
  });
  const values = VALUE_NAMES.filter(([name]) => last.values[name] !== undefined).map(([name, label, show]) => html`<dt>${label}</dt><dd>${show(last.values[name] as number)}</dd>`);
  return html`<div class="panel" id="last-probe"><p>${utcTime(last.timestampMs)} · <span class="pill ${last.success ? 'up' : 'down'}">${last.success ? 'ok' : 'failed'}</span>
${last.reason ? html` <span class="reason">${last.reason}</span>` : ''} · total ${latency(last.durationSeconds)}</p>
${last.phases.length ? html`<div class="wf">${bars}<div><b>total</b></div><div></div><div class="num"><b>${latency(total)}</b></div></div>` : html`<p class="muted">This module writes no per-phase timings.</p>`}
${values.length ? html`<dl class="kv" style="margin-top:.8rem">${values}</dl>` : ''}</div>`;
}

function certificate(last: LastProbe | undefined, nowMs: number): Html {
  if (!last?.cert && !last?.tls) return html`<p class="empty">No TLS in the last probe.</p>`;
  const c = last.cert ?? {};
  const days = c.expiryMs !== undefined ? (c.expiryMs - nowMs) / 86_400_000 : undefined;
  return html`<dl class="kv panel" id="certificate">
<dt>expires</dt><dd>${c.expiryMs !== undefined ? html`${utcTime(c.expiryMs)} <span class="${days !== undefined && days < 14 ? 'bad' : 'muted'}">(${days !== undefined && days < 0 ? 'expired' : `in ${Math.floor(days ?? 0)} days`})</span>` : '—'}</dd>
<dt>subject</dt><dd class="mono">${c.subject ?? '—'}</dd><dt>issuer</dt><dd class="mono">${c.issuer ?? '—'}</dd>
<dt>alternative names</dt><dd class="mono">${c.alternativeNames ?? '—'}</dd><dt>serial</dt><dd class="mono">${c.serial ?? '—'}</dd>
<dt>SHA-256 fingerprint</dt><dd class="mono">${c.fingerprint ?? '—'}</dd>
<dt>TLS</dt><dd>${[last.tls?.version, last.tls?.cipher].filter(Boolean).join(' · ') || '—'}</dd></dl>`;
}

const hoursText = (d: TargetDetail) => {
  const h = Math.round((d.toMs - d.fromMs) / 3_600_000);
  return h === 1 ? 'hour' : `${h} hours`;
};

function rangeLinks(detail: TargetDetail): Html {
  const links = [1, 6, 24].map((h) => {
    const q = new URLSearchParams({ ...detail.ref, hours: String(h) });
    return html`<a href="/target?${q.toString()}">${h} h</a>`;
  });
  return html`<span class="muted small" style="font-weight:400;margin-left:.6rem">${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</span>`;
}

/** The chart data for the browser; `<` is escaped so the JSON cannot close the script element. */
export function chartData(detail: TargetDetail): string {
  return JSON.stringify({ fromMs: detail.fromMs, toMs: detail.toMs, phases: detail.phases, total: detail.total }).replace(/</g, '\\u003c');
}

export function renderTargetBody(detail: TargetDetail, status: TargetStatus | undefined): Html {
  const now = detail.toMs;
  const { target, stage, account, group } = detail.ref;
  const state = status?.state ?? 'stale';
  return html`<h1><span class="pill ${state}">${state === 'stale' ? 'no data' : state}</span> ${target}</h1>
<p class="muted">group ${group} · stage ${stage} · account ${account}${status ? html` · <span class="mono">${status.instance}</span> · ${status.module}` : ''} · last probe ${ago(status?.lastRunMs, now)}
${status?.reason ? html` · <span class="reason">${status.reason}</span>` : ''}</p>
<div class="cards"><table style="width:auto"><thead><tr><th class="num">uptime 24 h</th><th class="num">7 d</th><th class="num">30 d</th><th class="num">p50 24 h</th><th class="num">p95 24 h</th><th class="num">cert expires</th></tr></thead>
<tbody><tr>${uptimeCell(status?.uptime.d1, status?.slo)}${uptimeCell(status?.uptime.d7, status?.slo)}${uptimeCell(status?.uptime.d30, status?.slo)}<td class="num">${latency(status?.p50)}</td><td class="num">${latency(status?.p95)}</td>${certDays(status?.certExpiryMs, now)}</tr></tbody></table></div>
<h2>Availability, last 24 hours (15-minute buckets)</h2>${strip(detail)}
<h2>${detail.phases.names.length ? 'Latency by phase' : 'Probe duration'}, last ${hoursText(detail)} ${rangeLinks(detail)}</h2>
<div class="panel"><div id="latency-chart" class="chart"></div></div>
<h2>Failures</h2>${incidents(detail)}
<div class="grid2"><div><h2>Last probe</h2>${detail.last ? waterfall(detail.last) : html`<p class="empty">No probe in the last 15 minutes.</p>`}</div>
<div><h2>Certificate</h2>${certificate(detail.last, now)}</div></div>
<script type="application/json" id="chart-data">${raw(chartData(detail))}</script>`;
}
