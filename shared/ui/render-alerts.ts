// The alerts tables (the overview's "alerts now" and the alerts page): what on-call reads first — the
// rule's summary and description, the target with a link to its page and the failure message its last
// probe printed — then the labels and times. History episodes come from alertHistory (times as
// `periscope check` reports them).
import type { ActiveAlert, AlertEpisode } from '../reporting/alerts.js';
import { humanDuration } from '../reporting/durations.js';
import type { TargetStatus } from '../reporting/overview.js';
import { ago, breakable, html, labelChips, utcStamp, type Html } from './html.js';
import { reasonPhrase } from './reasons.js';

/** What the tables need beyond the alert series: annotations (from the rules) and the alert's target. */
export interface AlertContext {
  /** The rule's annotations rendered for this alert; empty when the rule is not known here. */
  annotations(labels: Record<string, string>, value: number | undefined): Record<string, string>;
  /** The target an alert is about (by its target and instance labels), when the overview has it. */
  target(labels: Record<string, string>): { status: TargetStatus; href: string } | undefined;
}

export const noAlertContext: AlertContext = { annotations: () => ({}), target: () => undefined };

/** Labels the other columns already show. */
const SHOWN_ELSEWHERE = ['alertname', 'alertgroup', 'severity', 'target', 'instance', 'job'];

function alertCell(name: string, annotations: Record<string, string>, withDescription: boolean): Html {
  const summary = annotations.summary;
  const description = annotations.description;
  return html`<td class="alertname"><b>${breakable(name, { maxRun: 30 })}</b>${summary ? html`<div class="summary">${breakable(summary, { maxRun: 40 })}</div>` : ''}${
    withDescription && description ? html`<div class="description muted small">${breakable(description, { maxRun: 40 })}</div>` : ''
  }</td>`;
}

function targetCell(labels: Record<string, string>, context: AlertContext): Html {
  const found = context.target(labels);
  const name = labels.target;
  if (!name && !labels.instance) return html`<td class="muted">—</td>`;
  const link = found ? html`<a href="${found.href}" class="tlink">${breakable(name ?? found.status.target)}</a>` : name ? html`${breakable(name)}` : html``;
  const instance = labels.instance ?? found?.status.instance;
  const failure = found?.status.state === 'down' ? (found.status.message ?? (found.status.reason ? reasonPhrase(found.status.reason) : undefined)) : undefined;
  return html`<td class="target-cell">${link}${instance ? html`<div class="inst">${breakable(instance)}</div>` : ''}${
    failure ? html`<div class="msg" title="${found?.status.reason ?? ''}">${breakable(failure, { maxRun: 32 })}</div>` : ''
  }</td>`;
}

export function alertsTable(alerts: ActiveAlert[], nowMs: number, context: AlertContext = noAlertContext, options: { descriptions?: boolean } = {}): Html {
  if (!alerts.length) return html`<p class="empty" id="no-alerts">No alert is firing or pending.</p>`;
  const rows = alerts.map((a) => {
    const annotations = context.annotations(a.labels, a.value);
    const since = a.state === 'firing' && a.firedAtMs ? a.firedAtMs : a.activeAtMs;
    return html`<tr class="alert ${a.state}" data-alert="${a.alertname}"><td><span class="pill ${a.state}">${a.state}</span></td>${alertCell(a.alertname, annotations, options.descriptions ?? false)}
<td>${a.labels.severity ?? ''}</td>${targetCell(a.labels, context)}<td>${labelChips(a.labels, SHOWN_ELSEWHERE)}</td>
<td class="num">${since ? html`${utcStamp(since)}<div class="muted small">${ago(since, nowMs)}</div>` : ''}</td></tr>`;
  });
  return html`<table id="active-alerts" class="fit alerts"><colgroup><col class="c-state"><col class="c-alert"><col class="c-sev"><col class="c-target"><col class="c-labels"><col class="c-time"></colgroup>
<thead><tr><th>state</th><th>alert</th><th>severity</th><th>target</th><th>labels</th><th class="num">since (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function historyTable(history: AlertEpisode[], nowMs: number, context: AlertContext = noAlertContext): Html {
  if (!history.length) return html`<p class="empty">No alert in the last 24 hours.</p>`;
  const rows = history.map((e) => {
    const annotations = context.annotations(e.labels, e.value);
    return html`<tr class="episode" data-alert="${e.alertname}" data-start-ms="${e.startMs}" data-end-ms="${e.endMs ?? ''}">${alertCell(e.alertname, annotations, false)}${targetCell(e.labels, context)}<td>${labelChips(e.labels, SHOWN_ELSEWHERE)}</td>
<td class="num">${utcStamp(e.startMs)}</td><td class="num">${e.firingMs !== undefined ? utcStamp(e.firingMs) : html`<span class="muted">never fired</span>`}</td>
<td class="num">${e.endMs !== undefined ? utcStamp(e.endMs) : html`<span class="bad">active</span>`}</td><td class="num">${humanDuration((e.endMs ?? nowMs) - e.startMs)}</td></tr>`;
  });
  return html`<table id="alert-history" class="fit history"><colgroup><col class="c-alert"><col class="c-target"><col class="c-labels"><col class="c-time"><col class="c-time"><col class="c-time"><col class="c-dur"></colgroup>
<thead><tr><th>alert</th><th>target</th><th>labels</th><th class="num">pending since (UTC)</th><th class="num">firing since (UTC)</th><th class="num">ended (UTC)</th><th class="num">duration</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderAlertsBody(active: ActiveAlert[], history: AlertEpisode[], nowMs: number, context: AlertContext = noAlertContext): Html {
  return html`<h1>Alerts</h1><h2>Firing and pending now</h2><div data-live="alerts-now">${alertsTable(active, nowMs, context, { descriptions: true })}</div>
<h2>History, last 24 hours</h2><div data-live="alerts-history">${historyTable(history, nowMs, context)}</div>`;
}
