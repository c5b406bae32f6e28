// A rule's query results for every step of a range, fetched with range queries (/api/v1/query_range) in
// chunks VictoriaMetrics accepts (-search.maxPointsPerTimeseries is 30 000 by default). With the step as
// the instant query's step, a range query's point at t equals the instant query at t (test/integration/replay.test.ts
// proves it), so one request covers thousands of evaluations.
import { queryRange, type InstantSample, type VmReadConfig } from '../../victoria-metrics/index.js';

export interface ResultsTable {
  at(ts: number): readonly InstantSample[];
  /** Range requests made to fill it. */
  requests: number;
}

export interface TableRange {
  /** First and last evaluation time, ms, on the step grid. */
  startMs: number;
  endMs: number;
  stepMs: number;
}

const EMPTY: readonly InstantSample[] = [];

export function chunkRange(range: TableRange, maxPoints: number): TableRange[] {
  const chunks: TableRange[] = [];
  const span = (maxPoints - 1) * range.stepMs;
  for (let start = range.startMs; start <= range.endMs; start += span + range.stepMs) {
    chunks.push({ startMs: start, endMs: Math.min(range.endMs, start + span), stepMs: range.stepMs });
  }
  return chunks;
}

/**
 * Results of `expr` at every step of each range (several ranges: an anomaly rule also needs the same steps
 * whole seasons back). Chunks are fetched `concurrency` at a time.
 */
export async function fetchResults(read: VmReadConfig, expr: string, ranges: readonly TableRange[], options: { maxPoints?: number; concurrency?: number } = {}): Promise<ResultsTable> {
  const chunks = ranges.flatMap((r) => chunkRange(r, options.maxPoints ?? 10_000));
  const byTime = new Map<number, InstantSample[]>();
  const overlapping = ranges.length > 1;
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as TableRange;
      const series = await queryRange(read, expr, { startSec: chunk.startMs / 1000, endSec: chunk.endMs / 1000, stepSec: chunk.stepMs / 1000 });
      for (const s of series) {
        s.timestamps.forEach((t, i) => {
          const value = s.values[i] as number;
          const list = byTime.get(t);
          const entry = { labels: s.labels, value };
          if (!list) byTime.set(t, [entry]);
          else if (!overlapping || !list.some((e) => sameLabels(e.labels, s.labels))) list.push(entry);
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, chunks.length) }, worker));
  return { at: (ts) => byTime.get(ts) ?? EMPTY, requests: chunks.length };
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
