// Reading VictoriaMetrics for the pages and reports: instant and range queries (/api/v1/query,
// /api/v1/query_range) and raw samples (/api/v1/export). An interface, so the pure parts are tested with
// fixed data and the rest against a real VictoriaMetrics.
import { exportRaw, queryInstant, queryRange, type ExportedSeries, type InstantSample, type RangeSeries, type VmReadConfig } from '../victoria-metrics/index.js';

export type { ExportedSeries, InstantSample, RangeSeries, VmReadConfig };

export interface MetricsReader {
  instant(expr: string, timeMs: number): Promise<InstantSample[]>;
  /** cache: let VictoriaMetrics answer past points from its rollup cache (only for windows that end in the past). */
  range(expr: string, startMs: number, endMs: number, stepMs: number, options?: { cache?: boolean }): Promise<RangeSeries[]>;
  /** Raw samples, names kept in labels.__name__. */
  raw(match: string, startMs: number, endMs: number): Promise<ExportedSeries[]>;
}

export function createVmReader(config: VmReadConfig): MetricsReader {
  return {
    instant: (expr, timeMs) => queryInstant(config, expr, timeMs / 1000),
    range: (expr, startMs, endMs, stepMs, options) =>
      queryRange(config, expr, { startSec: startMs / 1000, endSec: endMs / 1000, stepSec: Math.max(1, Math.round(stepMs / 1000)) }, { cache: options?.cache ?? false }),
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
