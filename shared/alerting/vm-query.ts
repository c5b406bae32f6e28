// Reading from VictoriaMetrics for the alerting engine: instant queries (/api/v1/query) and raw state
// series (/api/v1/export). Errors are typed: a bad expression (422) is the rule's fault, the rest is not.
import { fetchProblem, vmAuthHeaders } from '../storage/write-batch.js';
import type { VmAuth } from '../storage/write-batch.js';
import { redactUrl, vmEndpoint } from '../storage/vm-url.js';

export interface VmReadConfig {
  /** Base URL: http://vm:8428, http://vmselect:8481/select/0/prometheus or vmauth in front. */
  url: string;
  auth?: VmAuth;
  timeoutMs?: number;
}

export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

export class QueryError extends Error {
  constructor(
    message: string,
    readonly kind: 'bad_query' | 'unreachable' | 'server',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

async function get(config: VmReadConfig, path: string, params: URLSearchParams): Promise<string> {
  const url = vmEndpoint(config.url, path);
  url.search = params.toString();
  const timeout = config.timeoutMs ?? 10_000;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'GET', headers: vmAuthHeaders(config.auth), signal: AbortSignal.timeout(timeout) });
    text = await response.text();
  } catch (err) {
    throw new QueryError(`cannot reach VictoriaMetrics at ${redactUrl(vmEndpoint(config.url, path))}: ${fetchProblem(err)}`, 'unreachable');
  }
  if (response.status === 200) return text;
  let detail = text.trim().slice(0, 500);
  try {
    detail = (JSON.parse(text) as { error?: string }).error ?? detail;
  } catch {
    // not JSON: keep the text
  }
  const kind = response.status === 422 || response.status === 400 ? 'bad_query' : 'server';
  throw new QueryError(`VictoriaMetrics answered ${response.status}: ${detail}`, kind, response.status);
}

function parseNumber(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * Instant query at `timeSec`; a scalar result comes back as one sample with no labels. `stepSec` is the
 * evaluation interval: VictoriaMetrics derives the look-back of selectors without a window from it, so an
 * instant query with the interval as step equals the range query the replay makes with that step.
 */
export async function queryInstant(config: VmReadConfig, expr: string, timeSec: number, stepSec?: number, options: { keepName?: boolean } = {}): Promise<InstantSample[]> {
  const params = new URLSearchParams({ query: expr, time: String(timeSec), nocache: '1' });
  if (stepSec !== undefined) params.set('step', `${stepSec}s`);
  const body = await get(config, '/api/v1/query', params);
  const parsed = JSON.parse(body) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (parsed.status !== 'success' || !parsed.data) throw new QueryError(`query failed: ${parsed.error ?? 'no data'}`, 'server');
  const { resultType, result } = parsed.data;
  if (resultType === 'scalar') {
    const [, value] = result as [number, string];
    return [{ labels: {}, value: parseNumber(value) }];
  }
  if (resultType !== 'vector') throw new QueryError(`expression returns a ${resultType}, not an instant vector`, 'bad_query');
  return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
    labels: options.keepName ? r.metric : withoutName(r.metric),
    value: parseNumber(r.value[1]),
  }));
}

export interface RangeSeries {
  labels: Record<string, string>;
  values: number[];
  /** Milliseconds since the epoch. */
  timestamps: number[];
}

/** Range query from `startSec` to `endSec` every `stepSec` (both ends on the step grid). */
export async function queryRange(config: VmReadConfig, expr: string, range: { startSec: number; endSec: number; stepSec: number }): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query: expr, start: String(range.startSec), end: String(range.endSec), step: `${range.stepSec}s`, nocache: '1' });
  const parsed = JSON.parse(await get(config, '/api/v1/query_range', params)) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
  if (parsed.status !== 'success' || !parsed.data) throw new QueryError(`query failed: ${parsed.error ?? 'no data'}`, 'server');
  if (parsed.data.resultType !== 'matrix') throw new QueryError(`range query returned a ${parsed.data.resultType}, not a matrix`, 'server');
  return (parsed.data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((r) => ({
    labels: withoutName(r.metric),
    values: r.values.map(([, v]) => parseNumber(v)),
    timestamps: r.values.map(([t]) => Math.round(t * 1000)),
  }));
}

function withoutName(metric: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...labels } = metric;
  return labels;
}

export interface ExportedSeries {
  labels: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** Raw samples of the matching series between two times (ms), names kept: used to restore alert state. */
export async function exportRaw(config: VmReadConfig, match: string, startMs: number, endMs: number): Promise<ExportedSeries[]> {
  const body = await get(
    config,
    '/api/v1/export',
    new URLSearchParams({ 'match[]': match, start: String(startMs / 1000), end: String(endMs / 1000) }),
  );
  const out: ExportedSeries[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    const parsed = JSON.parse(line.replace(/([[,])([+-]?Inf|NaN)(?=[,\]])/g, '$1null')) as {
      metric: Record<string, string>;
      values: Array<number | null>;
      timestamps: number[];
    };
    out.push({ labels: parsed.metric, values: parsed.values.map((v) => v ?? NaN), timestamps: parsed.timestamps });
  }
  return out;
}
