// Writing a run's samples: check and encode, split into batches, send each (with retries), and put what
// still fails into the spool. Every sample is accounted for: written, spooled, rejected by VictoriaMetrics
// (4xx, logged with its message) or invalid (logged, never sent because VictoriaMetrics would drop it).
import { gzipSync } from 'node:zlib';
import { mapLimit } from '../async/map-limit.js';
import type { Logger } from '../observability/logger.js';
import { writeBatch, type VmConnection, type WriteBatchOptions } from '../victoria-metrics/index.js';
import { encodeSamples, sampleProblem, type TimedSample } from './exposition.js';
import type { Spool } from './spool.js';

export interface WriteSamplesResult {
  written: number;
  spooled: number;
  spooledBatches: number;
  rejected: number;
  invalid: number;
  failures: number;
}

export interface WriteSamplesOptions extends WriteBatchOptions {
  vm: VmConnection;
  spool: Spool;
  logger: Logger;
  /** Samples per request; SQS takes at most 256 KiB per message, which 5 000 gzip-compressed samples fit. */
  batchSize?: number;
  /** Batches in flight at once. */
  parallel?: number;
}

export function splitBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

export async function writeSamples(samples: readonly TimedSample[], options: WriteSamplesOptions): Promise<WriteSamplesResult> {
  const result: WriteSamplesResult = { written: 0, spooled: 0, spooledBatches: 0, rejected: 0, invalid: 0, failures: 0 };
  const valid: TimedSample[] = [];
  for (const sample of samples) {
    const problem = sampleProblem(sample);
    if (problem) {
      result.invalid++;
      options.logger.error('sample not written: VictoriaMetrics would drop it', { problem, target: sample.labels.target });
    } else valid.push(sample);
  }
  const batches = splitBatches(valid, options.batchSize ?? 5_000);
  await mapLimit(batches, options.parallel ?? 4, async (batch) => {
    const payload = gzipSync(encodeSamples(batch));
    const outcome = await writeBatch(payload, options.vm, options);
    if (outcome.ok) {
      result.written += batch.length;
      return;
    }
    result.failures++;
    if (!outcome.retriable) {
      result.rejected += batch.length;
      options.logger.error('VictoriaMetrics rejected a batch; not retried', { samples: batch.length, status: outcome.status, error: outcome.message });
      return;
    }
    options.logger.warn('batch not written; spooling it for the next run', { samples: batch.length, attempts: outcome.attempts, error: outcome.message });
    await options.spool.put({ createdMs: batch[0]?.timestampMs ?? Date.now(), samples: batch.length, payload });
    result.spooled += batch.length;
    result.spooledBatches++;
  });
  return result;
}

export interface ReplayResult {
  replayedBatches: number;
  replayedSamples: number;
  /** True when VictoriaMetrics failed again and replay stopped, leaving the rest for later. */
  stopped: boolean;
}

/** Replays spooled batches oldest first until the spool is empty, VictoriaMetrics fails again, or time runs out. */
export async function replaySpool(options: WriteSamplesOptions): Promise<ReplayResult> {
  const result: ReplayResult = { replayedBatches: 0, replayedSamples: 0, stopped: false };
  const now = options.now ?? Date.now;
  let batch = 1;
  while (now() < options.deadlineMs) {
    // One batch first: while VictoriaMetrics is still down, a run then touches (and, for SQS, counts a
    // receive of) only the oldest entry instead of ten, so long outages do not push batches to the DLQ.
    const entries = await options.spool.take(batch);
    batch = 10;
    if (entries.length === 0) break;
    for (const entry of entries) {
      const outcome = await writeBatch(entry.payload, options.vm, options);
      if (outcome.ok) {
        await entry.ack();
        result.replayedBatches++;
        result.replayedSamples += entry.samples;
      } else if (!outcome.retriable) {
        // A batch VictoriaMetrics refuses will never be accepted: set it aside (not deleted) and say so loudly.
        options.logger.error('VictoriaMetrics rejected a spooled batch; moved to dead letters', { spool_entry: entry.id, samples: entry.samples, error: outcome.message });
        await entry.reject();
      } else {
        result.stopped = true;
        return result;
      }
    }
  }
  return result;
}
