// Collects the public part of the overview and its incidents and writes index.html and status.json through
// `put` (S3 in the Lambda, anything in tests). Only targets marked public in the targets file (or in a
// public group) are queried in detail and shown.
import { catalogKey, type Catalog } from '../reporting/catalog.js';
import { findIncidents, probePoints } from '../reporting/incidents.js';
import { collectOverview } from '../reporting/overview.js';
import { selector, type MetricsReader } from '../reporting/vm-reader.js';
import type { StatusPageContent } from './content.js';
import { renderStatusPage, type PublicIncident } from './render.js';

export type PutObject = (key: string, body: string, contentType: string) => Promise<void>;

export interface PublishResult {
  services: number;
  failing: number;
  incidents: number;
  keys: string[];
}

const HISTORY_MS = 7 * 86_400_000;

export async function publishStatusPage(reader: MetricsReader, catalog: Catalog, put: PutObject, nowMs: number, options: { prefix?: string; title?: string; content?: StatusPageContent } = {}): Promise<PublishResult> {
  const overview = await collectOverview(reader, catalog, nowMs, {}, { daily: true });
  const targets = overview.targets.filter((t) => catalog.targets.get(catalogKey(t.group, t.target))?.public === true);
  const incidents: PublicIncident[] = [];
  for (const t of targets) {
    // Raw samples only for targets that failed in the window: bounded by what went wrong, not by history.
    if ((t.uptime.d7?.failed ?? 0) === 0 && t.state !== 'down') continue;
    const ident = { job: 'periscope', target: t.target, group: t.group, stage: t.stage, account: t.account };
    const [runs, failures] = await Promise.all([
      reader.raw(selector('probe_success', ident), nowMs - HISTORY_MS, nowMs),
      reader.raw(selector('probe_failure_info', ident), nowMs - HISTORY_MS, nowMs),
    ]);
    const points = runs.flatMap((s) => probePoints(s, failures.filter((f) => f.labels.instance === s.labels.instance).map((f) => ({ reason: f.labels.reason ?? 'unknown', timestamps: f.timestamps }))));
    incidents.push(...findIncidents(points, nowMs).map((i) => ({ ...i, target: t.target, group: t.group })));
  }
  incidents.sort((a, b) => b.startMs - a.startMs);
  const publicOverview = { ...overview, targets };
  const page = renderStatusPage(publicOverview, incidents, options.content ?? options.title);
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
  const keys = [`${prefix}index.html`, `${prefix}status.json`];
  await put(keys[0] as string, page.html, 'text/html; charset=utf-8');
  await put(keys[1] as string, page.json, 'application/json');
  return { services: targets.length, failing: targets.filter((t) => t.state === 'down').length, incidents: incidents.length, keys };
}
