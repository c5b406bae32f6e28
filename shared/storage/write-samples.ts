// Writing a run's samples: check and encode, split into batches, send each (with retries while the run's
// circuit allows), and keep what is not written. Every sample is accounted for:
//   written      VictoriaMetrics took it;
//   spooled      kept for a later run (VictoriaMetrics down, overloaded, refusing the credentials, …);
//   rejected     VictoriaMetrics refused it (400/422) on its own: set aside in the dead letters and logged
//                with its message — a batch refused as a whole is split in halves until the refused lines
//                are found, so one bad line never takes its batch with it (write-lines.ts);
//   invalid      never sent because VictoriaMetrics would drop it silently (logged);
//   lost         neither written nor kept: VictoriaMetrics and every spool failed (logged as an error; the
//                probe Lambda then fails the invocation so its Errors alarm fires).
import { gunzipSync, gzipSync } from 'node:zlib';
import { mapLimit } from '../async/map-limit.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../observability/error-message.js';
import type { VmConnection, WriteBatchOptions } from '../victoria-metrics/index.js';
import { encodeSample, sampleProblem, type TimedSample } from './exposition.js';
import type { Spool } from './spool.js';
import { writeLines, type LinesOutcome } from './write-lines.js';

export interface WriteSamplesResult {
  written: number;
  spooled: number;
  spooledBatches: number;
  rejected: number;
  invalid: number;
  /** Batches not written at the first try (retried, spooled or rejected). */
  failures: number;
  lost: number;
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

/** Exposition lines as a spool payload (and back). */
export function linesPayload(lines: readonly string[]): Buffer {
  return gzipSync(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

export function payloadLines(payload: Buffer): string[] {
  return gunzipSync(payload).toString('utf8').split('\n').filter((line) => line !== '');
}

/** The sample time a line carries (its last field, ms), for the spool entry's age. */
function lineTimestamp(line: string | undefined): number {
  const ms = Number(line?.slice(line.lastIndexOf(' ') + 1));
  return Number.isFinite(ms) && ms > 0 ? ms : Date.now();
}

/** Samples VictoriaMetrics refused: to the dead letters if the spool has them; logged with their lines either way. */
async function setAside(lines: string[], message: string, options: WriteSamplesOptions, context: string): Promise<boolean> {
  let kept = false;
  let keptIn = 'the log only (this spool has no dead letters)';
  if (options.spool.deadLetter) {
    try {
      await options.spool.deadLetter({ createdMs: lineTimestamp(lines[0]), samples: lines.length, payload: linesPayload(lines) });
      keptIn = 'the dead letters';
      kept = true;
    } catch (err) {
      keptIn = `the log only (dead letters failed: ${errorMessage(err)})`;
    }
  }
  // The lines themselves, bounded: what an operator needs to see why, and enough to rewrite a few samples.
  const shown = lines.slice(0, 20).map((line) => line.slice(0, 500));
  options.logger.error(`VictoriaMetrics rejected ${context}; not retried`, { samples: lines.length, error: message, kept_in: keptIn, lines: shown });
  return kept;
}

/** Where lines VictoriaMetrics did not take go: the spool, else they are lost (logged). */
async function keep(lines: string[], outcome: LinesOutcome, options: WriteSamplesOptions, result: WriteSamplesResult): Promise<void> {
  try {
    await options.spool.put({ createdMs: lineTimestamp(lines[0]), samples: lines.length, payload: linesPayload(lines) });
    options.logger.warn('batch not written; spooled for the next run', { samples: lines.length, error: outcome.message });
    result.spooled += lines.length;
    result.spooledBatches++;
  } catch (err) {
    result.lost += lines.length;
    options.logger.error('samples lost: VictoriaMetrics and the spool both failed', { samples: lines.length, write_error: outcome.message, spool_error: errorMessage(err) });
  }
}

export async function writeSamples(samples: readonly TimedSample[], options: WriteSamplesOptions): Promise<WriteSamplesResult> {
  const result: WriteSamplesResult = { written: 0, spooled: 0, spooledBatches: 0, rejected: 0, invalid: 0, failures: 0, lost: 0 };
  const lines: string[] = [];
  for (const sample of samples) {
    const problem = sampleProblem(sample);
    if (problem) {
      result.invalid++;
      options.logger.error('sample not written: VictoriaMetrics would drop it', { problem, target: sample.labels.target });
    } else lines.push(encodeSample(sample));
  }
  await mapLimit(splitBatches(lines, options.batchSize ?? 5_000), options.parallel ?? 4, async (batch) => {
    const outcome = await writeLines(batch, options);
    result.written += outcome.written;
    if (outcome.written === batch.length) return;
    result.failures++;
    if (outcome.rejected.length > 0) {
      result.rejected += outcome.rejected.length;
      await setAside(outcome.rejected, outcome.rejectedMessage ?? '', options, `${outcome.rejected.length} of ${batch.length} samples`);
    }
    if (outcome.unwritten.length > 0) await keep(outcome.unwritten, outcome, options, result);
  });
  return result;
}

export interface ReplayResult {
  replayedBatches: number;
  replayedSamples: number;
  /** True when VictoriaMetrics (or the spool) failed again and replay stopped, leaving the rest for later. */
  stopped: boolean;
}

/**
 * Replays spooled batches oldest first until the spool is empty, VictoriaMetrics fails again, or time runs
 * out. Never throws: a spool that fails ends the replay (the entries stay where they are).
 */
export async function replaySpool(options: WriteSamplesOptions): Promise<ReplayResult> {
  const result: ReplayResult = { replayedBatches: 0, replayedSamples: 0, stopped: false };
  const now = options.now ?? Date.now;
  let batch = 1;
  try {
    while (now() < options.deadlineMs) {
      // One batch first: while VictoriaMetrics is still down, a run then touches (and, for SQS, counts a
      // receive of) only the oldest entry instead of ten, so long outages do not push batches to the DLQ.
      const entries = await options.spool.take(batch);
      batch = 10;
      if (entries.length === 0) break;
      for (const entry of entries) {
        let lines: string[];
        try {
          lines = payloadLines(entry.payload);
        } catch (err) {
          options.logger.error('spooled batch unreadable; moved to dead letters', { spool_entry: entry.id, samples: entry.samples, error: errorMessage(err) });
          await entry.reject();
          continue;
        }
        const outcome = await writeLines(lines, options);
        if (outcome.unwritten.length > 0) {
          // Written halves of a split batch are written again with the rest later: identical samples, which
          // VictoriaMetrics' -dedup.minScrapeInterval collapses (docs/deploy.md).
          result.stopped = true;
          return result;
        }
        if (outcome.rejected.length > 0) {
          const all = outcome.rejected.length === lines.length;
          if (all || !(await setAside(outcome.rejected, outcome.rejectedMessage ?? '', options, `${outcome.rejected.length} samples of spooled batch ${entry.id}`))) {
            // The whole entry to the dead letters: nothing of it is deleted (a redrive writes its good lines again).
            options.logger.error('VictoriaMetrics rejected a spooled batch; moved to dead letters', { spool_entry: entry.id, samples: entry.samples, error: outcome.rejectedMessage });
            await entry.reject();
            continue;
          }
        }
        await entry.ack();
        result.replayedBatches++;
        result.replayedSamples += outcome.written;
      }
    }
  } catch (err) {
    options.logger.error('spool replay stopped: the spool failed', { error: errorMessage(err) });
    result.stopped = true;
  }
  return result;
}
