// Reading: instant queries (/api/v1/query), range queries (/api/v1/query_range) and raw samples
// (/api/v1/export). Errors are typed: a bad expression (400/422) is the rule's fault, the rest is not.
// Queries are not retried: the alert evaluation and the pages have their own next round.
import type { VmConnection } from './auth.js';
import { QueryError, vmErrorDetail, vmFetch } from './http.js';
import { vmEndpoint } from './url.js';

export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  labels: Record<string, string>;
  values: number[];
  /** Milliseconds since the epoch. */
  timestamps: number[];
}

export interface ExportedSeries {
  labels: Record<string, string>;
  values: number[];
  /** Milliseconds since the epoch. */
  timestamps: number[];
}

/** GET an endpoint; anything but 200 throws QueryError with VictoriaMetrics' message. */
async function get(conn: VmConnection, path: string, params: URLSearchParams): Promise<string> {
  const { status, text } = await vmFetch(conn, vmEndpoint(conn.url, path, params));
  if (status === 200) return text;
  const kind = status === 422 || status === 400 ? 'bad_query' : 'server';
  throw new QueryError(`VictoriaMetrics answered ${status}: ${vmErrorDetail(text, conn)}`, kind, status);
}

interface QueryAnswer {
  status?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

async function getData(conn: VmConnection, path: string, params: URLSearchParams): Promise<{ resultType: string; result: unknown }> {
  const text = await get(conn, path, params);
  let parsed: QueryAnswer;
  try {
    parsed = JSON.parse(text) as QueryAnswer;
  } catch {
    throw new QueryError(`VictoriaMetrics answered 200 with no JSON: ${text.trim().slice(0, 300)}`, 'server', 200);
  }
  if (parsed.status !== 'success' || !parsed.data) throw new QueryError(`query failed: ${parsed.error ?? 'no data'}`, 'server');
  return parsed.data;
}

export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function withoutName(metric: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...labels } = metric;
  return labels;
}

/**
 * Instant query at `timeSec`; a scalar result comes back as one sample with no labels. `stepSec` is the
 * evaluation interval: VictoriaMetrics derives the look-back of selectors without a window from it, so an
 * instant query with the interval as step equals the range query the replay makes with that step.
 */
export async function queryInstant(conn: VmConnection, expr: string, timeSec: number, stepSec?: number, options: { keepName?: boolean } = {}): Promise<InstantSample[]> {
  const params = new URLSearchParams({ query: expr, time: String(timeSec), nocache: '1' });
  if (stepSec !== undefined) params.set('step', `${stepSec}s`);
  const { resultType, result } = await getData(conn, '/api/v1/query', params);
  if (resultType === 'scalar') {
    const [, value] = result as [number, string];
    return [{ labels: {}, value: parseSampleValue(value) }];
  }
  if (resultType !== 'vector') throw new QueryError(`expression returns a ${resultType}, not an instant vector`, 'bad_query');
  return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
    labels: options.keepName ? r.metric : withoutName(r.metric),
    value: parseSampleValue(r.value[1]),
  }));
}

/**
 * Range query from `startSec` to `endSec` every `stepSec` (both ends on the step grid); names dropped unless kept.
 * `cache` lets VictoriaMetrics answer past points from its rollup cache: only for windows that end in the
 * past, since a cached answer can miss samples written since.
 */
export async function queryRange(conn: VmConnection, expr: string, range: { startSec: number; endSec: number; stepSec: number }, options: { cache?: boolean; keepName?: boolean } = {}): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query: expr, start: String(range.startSec), end: String(range.endSec), step: `${range.stepSec}s` });
  if (!options.cache) params.set('nocache', '1');
  const data = await getData(conn, '/api/v1/query_range', params);
  if (data.resultType !== 'matrix') throw new QueryError(`range query returned a ${data.resultType}, not a matrix`, 'server');
  return (data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((r) => ({
    labels: options.keepName ? r.metric : withoutName(r.metric),
    values: r.values.map(([, v]) => parseSampleValue(v)),
    timestamps: r.values.map(([t]) => Math.round(t * 1000)),
  }));
}

/** Raw samples of the matching series between two times (ms), names kept in labels.__name__. */
export async function exportRaw(conn: VmConnection, match: string, startMs: number, endMs: number): Promise<ExportedSeries[]> {
  const body = await get(conn, '/api/v1/export', new URLSearchParams({ 'match[]': match, start: String(startMs / 1000), end: String(endMs / 1000) }));
  const out: ExportedSeries[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    // Infinities and NaN come as bare words, which JSON.parse rejects; NaN keeps its meaning, ±Inf too.
    const parsed = JSON.parse(line.replace(/([[,])([+-]?Inf|NaN)(?=[,\]])/g, '$1"$2"')) as {
      metric: Record<string, string>;
      values: Array<number | string>;
      timestamps: number[];
    };
    out.push({ labels: parsed.metric, values: parsed.values.map((v) => (typeof v === 'number' ? v : parseSampleValue(v))), timestamps: parsed.timestamps });
  }
  return out;
}
