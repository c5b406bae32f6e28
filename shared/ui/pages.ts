// The UI's pages from what they read: each returns its title, its body and the regions the live refresh
// replaces (the same render code for both, so a refreshed page is what a reload would show).
import { activeAlerts, alertHistory, type ActiveAlert } from '../reporting/alerts.js';
import { catalogKey, ruleKey, type Catalog } from '../reporting/catalog.js';
import { collectOverview, type Overview, type OverviewFilter, type TargetStatus } from '../reporting/overview.js';
import { collectTargetDetail, type TargetRef } from '../reporting/target-detail.js';
import type { MetricsReader } from '../reporting/vm-reader.js';
import { renderTemplate } from '../alerting/template/index.js';
import type { Html } from './html.js';
import { renderAlertsBody, historyTable, alertsTable, type AlertContext } from './render-alerts.js';
import { overviewRegions, renderOverviewBody, targetHref, type GroupBy } from './render-overview.js';
import { renderTargetBody, targetRegions } from './render-target.js';

export interface PageDeps {
  reader: MetricsReader;
  catalog: Catalog;
}

export interface RenderedPage {
  title: string;
  nav: 'overview' | 'alerts' | 'target';
  body: Html;
  regions: Record<string, Html>;
  scripts: string[];
  generatedMs: number;
}

/** Annotations from the rules the catalog holds, and each alert's target from the overview. */
export function alertContext(catalog: Catalog, overview: Overview): AlertContext {
  const byName = new Map<string, TargetStatus[]>();
  for (const t of overview.targets) byName.set(t.target, [...(byName.get(t.target) ?? []), t]);
  return {
    annotations(labels, value) {
      const rule = catalog.rules?.get(ruleKey(labels.alertgroup ?? '', labels.alertname ?? ''));
      if (!rule) return {};
      const data = { value: value ?? Number.NaN, labels, externalLabels: catalog.externalLabels ?? {}, expr: rule.expr };
      return Object.fromEntries(rule.annotations.map(([name, template]) => [name, renderTemplate(template, data)]));
    },
    target(labels) {
      const candidates = byName.get(labels.target ?? '') ?? [];
      const match =
        candidates.find((t) => t.instance === labels.instance && (!labels.stage || t.stage === labels.stage) && (!labels.group || t.group === labels.group)) ??
        candidates.find((t) => !labels.instance || t.instance === labels.instance) ??
        (labels.target ? undefined : overview.targets.find((t) => t.instance === labels.instance));
      return match ? { status: match, href: targetHref(match) } : undefined;
    },
  };
}

export async function overviewPage(deps: PageDeps, nowMs: number, filter: OverviewFilter, groupBy: GroupBy, filterText: string): Promise<RenderedPage> {
  const [overview, alerts] = await Promise.all([collectOverview(deps.reader, deps.catalog, nowMs, filter), activeAlerts(deps.reader, nowMs)]);
  const view = { overview, alerts, groupBy, filterText, context: alertContext(deps.catalog, overview) };
  return { title: 'Periscope — overview', nav: 'overview', body: renderOverviewBody(view), regions: overviewRegions(view), scripts: ['/static/live.js', '/static/overview.js'], generatedMs: nowMs };
}

export async function targetPage(deps: PageDeps, nowMs: number, ref: TargetRef, hours: number): Promise<RenderedPage> {
  const info = deps.catalog.targets.get(catalogKey(ref.group, ref.target));
  const [detail, overview] = await Promise.all([
    collectTargetDetail(deps.reader, ref, nowMs, { hours, ...(info ? { intervalMs: info.intervalMs } : {}) }),
    collectOverview(deps.reader, deps.catalog, nowMs, { group: ref.group, stage: ref.stage, account: ref.account }, { daily: true }),
  ]);
  const status = overview.targets.find((t) => t.target === ref.target);
  return {
    title: `Periscope — ${ref.target}`,
    nav: 'target',
    body: renderTargetBody(detail, status),
    regions: targetRegions(detail, status),
    scripts: ['/static/uPlot.iife.min.js', '/static/live.js', '/static/target.js'],
    generatedMs: nowMs,
  };
}

export async function alertsPage(deps: PageDeps, nowMs: number): Promise<RenderedPage> {
  const [active, history, overview] = await Promise.all([activeAlerts(deps.reader, nowMs), alertHistory(deps.reader, nowMs - 86_400_000, nowMs), collectOverview(deps.reader, deps.catalog, nowMs)]);
  const context = alertContext(deps.catalog, overview);
  return {
    title: 'Periscope — alerts',
    nav: 'alerts',
    body: renderAlertsBody(active, history, nowMs, context),
    regions: { 'alerts-now': alertsTable(active, nowMs, context, { descriptions: true }), 'alerts-history': historyTable(history, nowMs, context) },
    scripts: ['/static/live.js'],
    generatedMs: nowMs,
  };
}

/** The live refresh's answer: the regions' HTML, keyed by their data-live name. */
export function liveJson(rendered: RenderedPage): string {
  return JSON.stringify({ generatedMs: rendered.generatedMs, regions: Object.fromEntries(Object.entries(rendered.regions).map(([k, v]) => [k, v.text])) });
}

export type { ActiveAlert };
