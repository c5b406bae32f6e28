// Reading VictoriaMetrics for the pages and reports: instant and range queries (/api/v1/query,
// /api/v1/query_range) and raw samples (/api/v1/export). An interface, so the pure parts are tested with
// fixed data and the rest against a real VictoriaMetrics.
import { exportRaw, queryInstant, QueryError, type ExportedSeries, type InstantSample, type VmReadConfig } from '../alerting/vm-query.js';
import { fetchProblem, vmAuthHeaders } from '../storage/write-batch.js';
import { redactUrl, vmEndpoint } from '../storage/vm-url.js';

export type { ExportedSeries, InstantSample, VmReadConfig };

export interface RangeSeries {
  labels: Record<string, string>;
  /** Unix ms. */
  timestamps: number[];
  values: number[];
}

export interface MetricsReader {
  instant(expr: string, timeMs: number): Promise<InstantSample[]>;
  /** cache: let VictoriaMetrics answer past points from its rollup cache (only for windows that end in the past). */
  range(expr: string, startMs: number, endMs: number, stepMs: number, options?: { cache?: boolean }): Promise<RangeSeries[]>;
  /** Raw samples, names kept in labels.__name__. */
  raw(match: string, startMs: number, endMs: number): Promise<ExportedSeries[]>;
}

async function queryRange(config: VmReadConfig, expr: string, startMs: number, endMs: number, stepMs: number, cache = false): Promise<RangeSeries[]> {
  const url = vmEndpoint(config.url, '/api/v1/query_range');
  const params = new URLSearchParams({ query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: `${Math.max(1, Math.round(stepMs / 1000))}s` });
  if (!cache) params.set('nocache', '1');
  url.search = params.toString();
  let text: string;
  let status: number;
  try {
    const response = await fetch(url, { headers: vmAuthHeaders(config.auth), signal: AbortSignal.timeout(config.timeoutMs ?? 10_000) });
    status = response.status;
    text = await response.text();
  } catch (err) {
    throw new QueryError(`cannot reach VictoriaMetrics at ${redactUrl(vmEndpoint(config.url, '/api/v1/query_range'))}: ${fetchProblem(err)}`, 'unreachable');
  }
  let parsed: { status?: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new QueryError(`VictoriaMetrics answered ${status}: ${text.trim().slice(0, 300)}`, 'server', status);
  }
  if (status !== 200 || parsed.status !== 'success' || !parsed.data) {
    throw new QueryError(`VictoriaMetrics answered ${status}: ${parsed.error ?? 'no data'}`, status === 422 || status === 400 ? 'bad_query' : 'server', status);
  }
  return parsed.data.result.map((r) => {
    const { __name__: _name, ...labels } = r.metric;
    return { labels, timestamps: r.values.map(([t]) => Math.round(t * 1000)), values: r.values.map(([, v]) => Number(v)) };
  });
}

export function createVmReader(config: VmReadConfig): MetricsReader {
  return {
    instant: (expr, timeMs) => queryInstant(config, expr, timeMs / 1000),
    range: (expr, startMs, endMs, stepMs, options) => queryRange(config, expr, startMs, endMs, stepMs, options?.cache ?? false),
    raw: (match, startMs, endMs) => exportRaw(config, match, startMs, endMs),
  };
}

function matchers(labels: Record<string, string | undefined>): string[] {
  return Object.entries(labels)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/** A series selector with exact-match label values, escaped. */
export function selector(name: string, labels: Record<string, string | undefined>): string {
  return `${name}{${matchers(labels).join(',')}}`;
}

/** A selector of every metric whose name matches `nameRegex`. */
export function selectorByName(nameRegex: string, labels: Record<string, string | undefined>): string {
  return `{${[`__name__=~${JSON.stringify(nameRegex)}`, ...matchers(labels)].join(',')}}`;
}

/** A PromQL duration for a window in ms: 86400s. */
export function window(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}
