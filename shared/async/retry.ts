// The one retry loop: an attempt says whether it may be retried (and may ask for a wait, e.g. Retry-After);
// the loop stops on success or a final answer, after maxAttempts, or when the next attempt could not start
// (after its wait plus `reserveMs`) before the deadline. The first attempt is always made.
import { sleep as realSleep } from './sleep.js';

export interface AttemptOutcome<T> {
  value: T;
  /** False for success and for answers no retry can change (a 4xx). */
  retry: boolean;
  /** A wait the other side asked for (Retry-After); else the policy's backoff applies. */
  waitMs?: number;
}

export interface RetryPolicy<T = unknown> {
  /** The wait before attempt n + 1 after attempt n failed (n from 1). */
  backoffMs: (attempt: number) => number;
  maxAttempts?: number;
  /** Epoch ms: no attempt starts after it. */
  deadlineMs?: number;
  /** Time a retry needs for itself: no retry when less than this is left after the wait. */
  reserveMs?: number;
  /** Called before each wait, e.g. to log the failed attempt. */
  onRetry?: (attempt: number, waitMs: number, value: T) => void;
  /** For tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RetryResult<T> {
  value: T;
  attempts: number;
  /** Why the loop ended with a retriable answer: no attempts or no time left. */
  exhausted?: 'attempts' | 'deadline';
}

export async function retry<T>(attempt: (n: number) => Promise<AttemptOutcome<T>>, policy: RetryPolicy<T>): Promise<RetryResult<T>> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? realSleep;
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if (!outcome.retry) return { value: outcome.value, attempts: n };
    if (n >= (policy.maxAttempts ?? Infinity)) return { value: outcome.value, attempts: n, exhausted: 'attempts' };
    const wait = Math.max(0, outcome.waitMs ?? policy.backoffMs(n));
    if (now() + wait + (policy.reserveMs ?? 0) >= (policy.deadlineMs ?? Infinity)) return { value: outcome.value, attempts: n, exhausted: 'deadline' };
    policy.onRetry?.(n, wait, outcome.value);
    await sleep(wait);
  }
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /**
   * full: a random wait up to the doubled base (spreads retries most; AWS' recommendation);
   * equal: half fixed, half random (never retries at once).
   */
  jitter: 'full' | 'equal';
  /** For tests: deterministic jitter. */
  random?: () => number;
}

/** Exponential backoff: base · 2^(n−1) capped, with jitter. */
export function exponentialBackoff(options: BackoffOptions): (attempt: number) => number {
  const random = options.random ?? Math.random;
  return (attempt) => {
    const doubling = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
    return options.jitter === 'full' ? Math.floor(random() * doubling) : Math.floor(doubling / 2 + (random() * doubling) / 2);
  };
}
