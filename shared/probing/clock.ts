// Monotonic time for phase durations (wall-clock time can jump); wall-clock only for sample timestamps.
import { performance } from 'node:perf_hooks';

/** Monotonic seconds since an arbitrary origin. */
export function monotonicSeconds(): number {
  return performance.now() / 1000;
}
