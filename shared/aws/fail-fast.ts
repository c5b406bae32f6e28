// One unreachable AWS API per invocation costs one timeout, not one per call: after a call that failed slowly
// (it ran into its timeouts: no route, an endpoint that never answers), the next calls within `holdMs` fail at
// once with the same reason. A quick failure (AccessDenied, a throttle) does not trip it: those answer in
// milliseconds and each call's own answer is the better report.
import { errorMessage } from '../observability/error-message.js';
import { AWS_TIMEOUTS } from '../aws-sdk/timeouts.js';

export function failFastAfterTimeout<A extends unknown[], T>(call: (...args: A) => Promise<T>, options: { name: string; holdMs?: number; slowMs?: number; now?: () => number }): (...args: A) => Promise<T> {
  const now = options.now ?? Date.now;
  const holdMs = options.holdMs ?? 30_000;
  const slowMs = options.slowMs ?? AWS_TIMEOUTS.requestMs;
  let open: { untilMs: number; reason: string } | undefined;
  return async (...args: A) => {
    if (open && now() < open.untilMs) throw new Error(`${options.name} not tried: it did not answer ${Math.round((open.untilMs - holdMs - now()) / -1000)} s ago (${open.reason})`);
    const started = now();
    try {
      const value = await call(...args);
      open = undefined;
      return value;
    } catch (err) {
      if (now() - started >= slowMs) open = { untilMs: now() + holdMs, reason: errorMessage(err) };
      throw err;
    }
  };
}
