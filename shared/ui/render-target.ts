// One target's page: status and uptime cards, a 24-hour availability strip, latency by phase (stacked
// chart, drawn in the browser by uPlot from the JSON embedded in the page), incidents with reasons, the last
// probe's waterfall and its certificate.
import { humanDuration, utcTime } from '../reporting/durations.js';
import type { DayUptime, TargetStatus } from '../reporting/overview.js';
import type { LastProbe, TargetDetail } from '../reporting/target-detail.js';
import { availabilityBars, BAR_LEGEND } from './bars.js';
import { ago, breakable, certDays, html, latency, raw, uptimeCell, utcStamp, type Html } from './html.js';
import { reasonPhrase } from './reasons.js';

function strip(detail: TargetDetail): Html {
  const a = detail.availability;
  const bars = a.values.map((u, i) => {
    const start = a.timestamps[i] ?? 0;
    const end = Math.min(start + a.bucketMs, detail.toMs);
    return { label: `${utcTime(start).slice(0, 16)}–${utcTime(end).slice(11, 16)} UTC`, uptime: u };
  });
  return html`${availabilityBars(bars, { id: 'availability' })}<div class="strip-axis"><span>${utcTime(a.timestamps[0] ?? detail.fromMs).slice(5, 16)}</span><span>now</span></div>`;
}

/** The 30 days of the 30 d window, one bar a day. */
export function dailyBars(days: readonly DayUptime[] | undefined, id: string): Html {
  if (!days?.length) return html``;
  const bars = days.map((d) => ({ label: utcTime(d.startMs).slice(0, 10), uptime: d.uptime ?? null }));
  return html`${availabilityBars(bars, { id, cls: 'days' })}<div class="strip-axis"><span>${utcTime(days[0]?.startMs ?? 0).slice(0, 10)}</span><span>today</span></div>`;
}

function incidents(detail: TargetDetail): Html {
  if (!detail.incidents.length) return html`<p class="empty">No failed probe in the last 24 hours.</p>`;
  const rows = detail.incidents.map(
    (i) =>
      html`<tr><td class="num">${utcStamp(i.startMs)}</td><td class="num">${i.endMs !== undefined ? utcStamp(i.endMs) : html`<span class="bad">ongoing</span>`}</td><td class="num">${humanDuration(i.durationMs)}</td><td class="num">${i.failedRuns}</td><td>${i.reasons.map((r, k) => html`${k ? ', ' : ''}<span class="reason" title="${r}">${reasonPhrase(r)}</span> <code class="code">${r}</code>`)}</td></tr>`,
  );
  return html`<table id="incidents" class="fit"><colgroup><col class="c-time"><col class="c-time"><col class="c-dur"><col class="c-runs"><col></colgroup><thead><tr><th class="num">start (UTC)</th><th class="num">end (UTC)</th><th class="num">duration</th><th class="num">failed runs</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
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
  const total = last.durationSeconds ?? last.phases.reduce((sum, p) => sum + p.seconds, 0);
  let offset = 0;
  // Each phase an SVG bar on a 0…1000 scale: attributes, not style="", so a strict CSP allows it.
  const bars = last.phases.map((p) => {
    const left = total > 0 ? (offset / total) * 1000 : 0;
    const width = total > 0 ? Math.max(5, (p.seconds / total) * 1000) : 0;
    offset += p.seconds;
    return html`<div>${p.phase}</div><svg class="bar" viewBox="0 0 1000 14" preserveAspectRatio="none"><rect class="track" x="0" y="0" width="1000" height="14"></rect><rect x="${left.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="14"></rect></svg><div class="num">${latency(p.seconds)}</div>`;
  });
  const values = VALUE_NAMES.filter(([name]) => last.values[name] !== undefined).map(([name, label, show]) => html`<dt>${label}</dt><dd>${show(last.values[name] as number)}</dd>`);
  return html`<div class="panel" id="last-probe"><p>${utcTime(last.timestampMs)} · <span class="pill ${last.success ? 'up' : 'down'}">${last.success ? 'ok' : 'failed'}</span>
${last.reason ? html` <span class="reason">${breakable(last.message ?? reasonPhrase(last.reason), { maxRun: 32 })}</span> <code class="code">${last.reason}</code>` : ''} · total ${latency(last.durationSeconds)}</p>
${last.phases.length ? html`<div class="wf">${bars}<div><b>total</b></div><div></div><div class="num"><b>${latency(total)}</b></div></div>` : html`<p class="muted">This module writes no per-phase timings.</p>`}
${values.length ? html`<dl class="kv spaced">${values}</dl>` : ''}</div>`;
}

function certificate(last: LastProbe | undefined, nowMs: number): Html {
  if (!last?.cert && !last?.tls) return html`<p class="empty">No TLS in the last probe.</p>`;
  const c = last.cert ?? {};
  const days = c.expiryMs !== undefined ? (c.expiryMs - nowMs) / 86_400_000 : undefined;
  const hex = (text: string | undefined) => (text ? breakable(text, { maxRun: 16, chunk: true }) : '—');
  return html`<dl class="kv panel" id="certificate">
<dt>expires</dt><dd>${c.expiryMs !== undefined ? html`${utcTime(c.expiryMs)} <span class="${days !== undefined && days < 14 ? 'bad' : 'muted'}">(${days !== undefined && days < 0 ? 'expired' : `in ${Math.floor(days ?? 0)} days`})</span>` : '—'}</dd>
<dt>subject</dt><dd class="mono">${c.subject ? breakable(c.subject, { maxRun: 40 }) : '—'}</dd><dt>issuer</dt><dd class="mono">${c.issuer ? breakable(c.issuer, { maxRun: 40 }) : '—'}</dd>
<dt>alternative names</dt><dd class="mono">${c.alternativeNames ? breakable(c.alternativeNames, { maxRun: 40 }) : '—'}</dd><dt>serial</dt><dd class="mono">${hex(c.serial)}</dd>
<dt>SHA-256 fingerprint</dt><dd class="mono">${hex(c.fingerprint)}</dd>
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
  return html`<span class="muted small range-links">${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</span>`;
}

/** The chart data for the browser; `<` is escaped so the JSON cannot close the script element. */
export function chartData(detail: TargetDetail): string {
  return JSON.stringify({ fromMs: detail.fromMs, toMs: detail.toMs, phases: detail.phases, total: detail.total }).replace(/</g, '\\u003c');
}

function head(detail: TargetDetail, status: TargetStatus | undefined): Html {
  const now = detail.toMs;
  const { target, stage, account, group } = detail.ref;
  const state = status?.state ?? 'stale';
  return html`<h1><span class="pill ${state}">${state === 'stale' ? 'no data' : state}</span> ${breakable(target)}</h1>
<p class="muted info">group ${group} · stage ${stage} · account ${account}${status ? html` · <span class="mono">${breakable(status.instance)}</span> · ${status.module}` : ''} · last probe ${ago(status?.lastRunMs, now)}
${status?.reason ? html` · <span class="reason">${breakable(status.message ?? reasonPhrase(status.reason), { maxRun: 32 })}</span> <code class="code">${status.reason}</code>` : ''}</p>`;
}

function figures(detail: TargetDetail, status: TargetStatus | undefined): Html {
  return html`<table class="fit figures" id="figures"><thead><tr><th class="num">uptime 24&nbsp;h<span class="sub">coverage</span></th><th class="num">uptime 7&nbsp;d<span class="sub">coverage</span></th><th class="num">uptime 30&nbsp;d<span class="sub">coverage</span></th><th class="num">p50 24&nbsp;h</th><th class="num">p95 24&nbsp;h</th><th class="num">cert expires</th></tr></thead>
<tbody><tr>${uptimeCell(status?.uptime.d1, status?.slo)}${uptimeCell(status?.uptime.d7, status?.slo)}${uptimeCell(status?.uptime.d30, status?.slo)}<td class="num">${latency(status?.p50)}</td><td class="num">${latency(status?.p95)}</td>${certDays(status?.certExpiryMs, detail.toMs)}</tr></tbody></table>`;
}

/** The parts the live refresh replaces, by the name of their data-live region. */
export function targetRegions(detail: TargetDetail, status: TargetStatus | undefined): Record<string, Html> {
  return {
    head: head(detail, status),
    figures: figures(detail, status),
    strip: html`${strip(detail)}${BAR_LEGEND}`,
    days: dailyBars(status?.daily, 'days'),
    'chart-data': raw(chartData(detail)),
    failures: incidents(detail),
    last: html`<div><h2>Last probe</h2>${detail.last ? waterfall(detail.last) : html`<p class="empty">No probe in the last 15 minutes.</p>`}</div>
<div><h2>Certificate</h2>${certificate(detail.last, detail.toMs)}</div>`,
  };
}

export function renderTargetBody(detail: TargetDetail, status: TargetStatus | undefined): Html {
  const r = targetRegions(detail, status);
  return html`<div data-live="head">${r.head}</div>
<div data-live="figures">${r.figures}</div>
<h2>Availability, last 24 hours</h2><div data-live="strip">${r.strip}</div>
${status?.daily?.length ? html`<h2>Last 30 days</h2><div data-live="days">${r.days}</div>` : ''}
<h2>${detail.phases.names.length ? 'Latency by phase' : 'Probe duration'}, last ${hoursText(detail)} ${rangeLinks(detail)}</h2>
<div class="panel"><div id="latency-chart" class="chart"></div></div>
<h2>Failures</h2><div data-live="failures">${r.failures}</div>
<div class="grid2" data-live="last">${r.last}</div>
<script type="application/json" id="chart-data" data-live="chart-data">${r['chart-data']}</script>`;
}
