// Writes dashboards/periscope.json, the Grafana dashboard for teams with Grafana: `node --import tsx
// dashboards/build.ts`. Kept as code so panels stay consistent (same selector, units, variables); the
// JSON is committed and tested (test/integration/grafana-dashboard.test.ts evaluates every query).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SEL = 'job="periscope", stage=~"$stage", group=~"$group"';
const TSEL = `${SEL}, target=~"$target"`;
const DS = { type: 'prometheus', uid: '${datasource}' };

interface Panel {
  title: string;
  type: 'stat' | 'timeseries' | 'table' | 'row';
  exprs?: Array<{ expr: string; legend?: string; instant?: boolean }>;
  unit?: string;
  w?: number;
  h?: number;
  stack?: boolean;
  description?: string;
  thresholds?: Array<{ color: string; value: number | null }>;
}

const panels: Panel[] = [
  { title: 'Overview', type: 'row' },
  { title: 'Targets', type: 'stat', w: 4, h: 4, exprs: [{ expr: `count(count by (target, stage, account) (last_over_time(probe_success{${SEL}}[5m])))`, instant: true }] },
  { title: 'Targets down', type: 'stat', w: 4, h: 4, exprs: [{ expr: `sum(1 - min by (target, stage, account) (last_over_time(probe_success{${SEL}}[5m])))`, instant: true }], thresholds: [{ color: 'green', value: null }, { color: 'red', value: 1 }] },
  { title: 'Uptime over the range', type: 'stat', w: 4, h: 4, unit: 'percentunit', exprs: [{ expr: `avg(avg_over_time(probe_success{${SEL}}[$__range]))`, instant: true }], description: 'Share of probe runs that succeeded (runs that did not happen are not counted here; the monthly report counts them as down).' },
  { title: 'Certificates expiring within 14 days', type: 'stat', w: 4, h: 4, exprs: [{ expr: `count(min by (target, instance) (last_over_time(probe_ssl_earliest_cert_expiry{${SEL}}[1h])) - time() < 14 * 86400) or vector(0)`, instant: true }], thresholds: [{ color: 'green', value: null }, { color: 'orange', value: 1 }] },
  { title: 'Probe duration p95 (all targets)', type: 'stat', w: 8, h: 4, unit: 's', exprs: [{ expr: `quantile(0.95, last_over_time(probe_duration_seconds{${SEL}}[5m]))`, instant: true }] },
  { title: 'Status by target', type: 'table', w: 12, h: 10, exprs: [{ expr: `min by (group, target, instance, stage, account) (last_over_time(probe_success{${SEL}}[5m]))`, instant: true }], description: '1 = the last probe succeeded, 0 = it failed.' },
  { title: 'Availability by target', type: 'timeseries', w: 12, h: 10, unit: 'percentunit', exprs: [{ expr: `avg by (target) (avg_over_time(probe_success{${SEL}}[$__interval]))`, legend: '{{target}}' }] },
  { title: 'Target drill-down ($target)', type: 'row' },
  { title: 'Latency by phase', type: 'timeseries', w: 12, h: 9, unit: 's', stack: true, exprs: [{ expr: `max by (phase) (probe_http_duration_seconds{${TSEL}})`, legend: '{{phase}}' }] },
  { title: 'Probe duration', type: 'timeseries', w: 12, h: 9, unit: 's', exprs: [{ expr: `max by (target, account) (probe_duration_seconds{${TSEL}})`, legend: '{{target}} ({{account}})' }] },
  { title: 'Success', type: 'timeseries', w: 8, h: 7, exprs: [{ expr: `min by (target, account) (probe_success{${TSEL}})`, legend: '{{target}} ({{account}})' }] },
  { title: 'HTTP status code', type: 'timeseries', w: 8, h: 7, exprs: [{ expr: `max by (target) (probe_http_status_code{${TSEL}})`, legend: '{{target}}' }] },
  { title: 'DNS lookup', type: 'timeseries', w: 8, h: 7, unit: 's', exprs: [{ expr: `max by (target) (probe_dns_lookup_time_seconds{${TSEL}})`, legend: '{{target}}' }] },
  { title: 'Failure reasons', type: 'row' },
  { title: 'Failed probes by reason', type: 'timeseries', w: 12, h: 9, stack: true, exprs: [{ expr: `sum by (reason) (count_over_time(probe_failure_info{${SEL}}[$__interval]))`, legend: '{{reason}}' }] },
  { title: 'Failed probes by target and reason over the range', type: 'table', w: 12, h: 9, exprs: [{ expr: `sum by (target, reason) (count_over_time(probe_failure_info{${SEL}}[$__range]))`, instant: true }] },
  { title: 'Certificates', type: 'row' },
  { title: 'Days until certificate expiry', type: 'table', w: 12, h: 8, exprs: [{ expr: `min by (target, instance) ((last_over_time(probe_ssl_earliest_cert_expiry{${SEL}}[1h]) - time()) / 86400)`, instant: true }] },
  { title: 'TLS versions in use', type: 'table', w: 12, h: 8, exprs: [{ expr: `count by (version) (last_over_time(probe_tls_version_info{${SEL}}[1h]))`, instant: true }] },
  { title: 'Periscope itself', type: 'row' },
  { title: 'Event-loop lag of the probe runs', type: 'timeseries', w: 8, h: 8, unit: 's', exprs: [{ expr: `max by (group, account) (periscope_probe_event_loop_lag_seconds{${SEL}})`, legend: '{{group}} ({{account}})' }], description: 'A busy prober inflates every duration of its run: high lag means slow numbers may be the prober, not the target.' },
  { title: 'Probe runs per group', type: 'timeseries', w: 8, h: 8, exprs: [{ expr: `sum by (group) (count_over_time(probe_success{${SEL}}[$__interval]))`, legend: '{{group}}' }] },
  { title: 'Samples written per group', type: 'timeseries', w: 8, h: 8, exprs: [{ expr: `sum by (group) (count_over_time({__name__=~"probe_.+", ${SEL}}[$__interval]))`, legend: '{{group}}' }] },
];

function build() {
  let y = 0;
  let x = 0;
  let rowHeight = 0;
  const out = panels.map((p, id) => {
    if (p.type === 'row') {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
      const row = { id: id + 1, type: 'row', title: p.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] };
      y += 1;
      return row;
    }
    const w = p.w ?? 12;
    const h = p.h ?? 8;
    if (x + w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: id + 1,
      type: p.type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DS,
      gridPos,
      targets: (p.exprs ?? []).map((e, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr: e.expr, ...(e.legend ? { legendFormat: e.legend } : {}), ...(e.instant ? { instant: true, range: false, format: p.type === 'table' ? 'table' : 'time_series' } : { range: true }) })),
      fieldConfig: {
        defaults: {
          ...(p.unit ? { unit: p.unit } : {}),
          ...(p.thresholds ? { thresholds: { mode: 'absolute', steps: p.thresholds } } : {}),
          ...(p.type === 'timeseries' ? { custom: { fillOpacity: p.stack ? 60 : 10, stacking: { mode: p.stack ? 'normal' : 'none' } } } : {}),
        },
        overrides: [],
      },
      options: p.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] } } : {},
    };
  });
  const variable = (name: string, label: string, query: string) => ({
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-values` },
    definition: query,
    refresh: 2,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    sort: 1,
  });
  return {
    title: 'Periscope',
    uid: 'periscope-overview',
    description: 'Synthetic monitoring by Periscope: status, uptime, latency by phase, failure reasons, certificates and the prober itself. Only series Periscope writes.',
    tags: ['periscope', 'synthetic-monitoring', 'blackbox'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        variable('stage', 'Stage', 'label_values(probe_success{job="periscope"}, stage)'),
        variable('group', 'Group', 'label_values(probe_success{job="periscope", stage=~"$stage"}, group)'),
        variable('target', 'Target', 'label_values(probe_success{job="periscope", stage=~"$stage", group=~"$group"}, target)'),
      ],
    },
    annotations: { list: [] },
    panels: out,
  };
}

await writeFile(join(import.meta.dirname, 'periscope.json'), `${JSON.stringify(build(), null, 2)}\n`);
