// The spool as one run uses it: every operation contained and bounded by the run's deadline. SQS denied
// (AccessDenied), unreachable (a VPC without a route) or throttled must not end the run: before this, a
// failed replay rejected a promise nobody caught and the process exited with the run's samples unwritten.
//   - A failure is logged and counted (SpoolFailures, which an alarm watches); the primary spool is not used
//     again in this run, so one unreachable queue costs one timeout, not one per batch.
//   - put falls back to the fallback spool (the Lambda container's /tmp): samples stay in the container and its
//     next run replays them; only when that fails too does put throw (the caller counts the samples as lost).
//   - take returns what it could get (fallback entries first: they are the ones at risk), [] on failure.
//   - depth is undefined when it cannot be known.
import { errorMessage } from '../observability/error-message.js';
import type { Logger } from '../observability/logger.js';
import type { NewSpoolEntry, Spool, SpoolCallOptions, SpoolEntry } from './spool.js';

export interface RunSpool extends Spool {
  /** The same spool (state shared) with an earlier deadline: the replay, which runs while probing. */
  until(deadlineMs: number): Spool;
  /** undefined: the depth could not be read. */
  depthOrUndefined(): Promise<number | undefined>;
  /** Failed spool operations so far (SpoolFailures). */
  readonly failures: number;
  /** Batches that went to the fallback spool because the primary failed. */
  readonly fellBack: number;
}

export interface RunSpoolOptions {
  primary: Spool;
  /** Where batches go when the primary fails (in Lambda: a file spool in /tmp). */
  fallback?: Spool;
  logger: Logger;
  /** Epoch ms by which every spool operation must be over. */
  deadlineMs: number;
  /** The last part of the time, kept for the fallback (default 0.5 s). */
  fallbackMarginMs?: number;
  now?: () => number;
}

class SpoolDeadline extends Error {}

/** `work` abandoned (its signal aborted, its promise no longer awaited) at the deadline. */
async function withinDeadline<T>(deadlineMs: number, now: () => number, work: (options: SpoolCallOptions) => Promise<T>): Promise<T> {
  const left = Math.floor(deadlineMs - now());
  if (left <= 0) throw new SpoolDeadline('no time left in this run');
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new SpoolDeadline(`no answer within the ${left} ms left in this run`));
      reject(new SpoolDeadline(`no answer within the ${left} ms left in this run`));
    }, left);
  });
  try {
    return await Promise.race([work({ signal: controller.signal }), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function createRunSpool(options: RunSpoolOptions): RunSpool {
  const now = options.now ?? Date.now;
  const { primary, fallback, logger } = options;
  // The primary gets less time than the whole: what it could not take still reaches the fallback in time.
  const fallbackMarginMs = fallback ? (options.fallbackMarginMs ?? 500) : 0;
  const state = { failures: 0, fellBack: 0, primaryFailed: undefined as string | undefined };

  const call = async <T>(deadlineMs: number, which: 'primary' | 'fallback', operation: string, work: (o: SpoolCallOptions) => Promise<T>): Promise<T> => {
    if (which === 'primary' && state.primaryFailed !== undefined) throw new Error(`not tried: the spool failed earlier in this run (${state.primaryFailed})`);
    try {
      return await withinDeadline(which === 'primary' ? deadlineMs - fallbackMarginMs : deadlineMs, now, work);
    } catch (err) {
      state.failures++;
      const error = errorMessage(err);
      if (which === 'primary') state.primaryFailed = error;
      logger.error('spool operation failed', { spool: which, operation, error });
      throw err;
    }
  };
  const contain = async <T>(work: () => Promise<T>, otherwise: T): Promise<T> => {
    try {
      return await work();
    } catch {
      return otherwise;
    }
  };

  const view = (deadlineMs: number): Spool & Pick<RunSpool, 'depthOrUndefined'> => {
    /** An entry whose ack and reject are contained too (a failed ack: the entry comes back and is written again). */
    const guarded = (entry: SpoolEntry, which: 'primary' | 'fallback'): SpoolEntry => ({
      ...entry,
      ack: () => contain(() => call(deadlineMs, which, 'ack', (o) => entry.ack(o)), undefined),
      reject: () => contain(() => call(deadlineMs, which, 'reject', (o) => entry.reject(o)), undefined),
    });
    const depthOrUndefined = async (): Promise<number | undefined> => {
      const counts = await Promise.all([
        contain(() => call(deadlineMs, 'primary', 'depth', (o) => primary.depth(o)), undefined),
        fallback ? contain(() => call(deadlineMs, 'fallback', 'depth', (o) => fallback.depth(o)), undefined) : 0,
      ]);
      return counts.some((c) => c === undefined) ? undefined : counts.reduce<number>((sum, c) => sum + (c ?? 0), 0);
    };
    return {
      async put(entry: NewSpoolEntry) {
        try {
          await call(deadlineMs, 'primary', 'put', (o) => primary.put(entry, o));
          return;
        } catch (err) {
          if (!fallback) throw err;
        }
        await call(deadlineMs, 'fallback', 'put', (o) => fallback.put(entry, o));
        state.fellBack++;
        logger.error('batch kept in the fallback spool: the spool failed', { samples: entry.samples });
      },
      async take(limit: number) {
        const fromFallback = fallback ? await contain(() => call(deadlineMs, 'fallback', 'take', (o) => fallback.take(limit, o)), []) : [];
        const entries = fromFallback.map((e) => guarded(e, 'fallback'));
        if (entries.length < limit) {
          const fromPrimary = await contain(() => call(deadlineMs, 'primary', 'take', (o) => primary.take(limit - entries.length, o)), []);
          entries.push(...fromPrimary.map((e) => guarded(e, 'primary')));
        }
        return entries;
      },
      depth: async () => (await depthOrUndefined()) ?? 0,
      depthOrUndefined,
      async deadLetter(entry: NewSpoolEntry) {
        const [primaryLetters, fallbackLetters] = [primary.deadLetter?.bind(primary), fallback?.deadLetter?.bind(fallback)];
        if (primaryLetters) {
          try {
            await call(deadlineMs, 'primary', 'dead-letter', (o) => primaryLetters(entry, o));
            return;
          } catch (err) {
            if (!fallbackLetters) throw err;
          }
        }
        if (!fallbackLetters) throw new Error('this spool has no dead letters');
        await call(deadlineMs, 'fallback', 'dead-letter', (o) => fallbackLetters(entry, o));
      },
    };
  };

  return {
    ...view(options.deadlineMs),
    until: (earlierMs) => view(Math.min(options.deadlineMs, earlierMs)),
    get failures() {
      return state.failures;
    },
    get fellBack() {
      return state.fellBack;
    },
  };
}
