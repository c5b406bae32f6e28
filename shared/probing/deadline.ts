// A probe's time budget: its own timeout and the run's deadline, merged into one AbortSignal, so every
// await of a prober can be cut short and every socket closed when either fires.
import { setMaxListeners } from 'node:events';
import { ProbeFailure } from './failure.js';
import type { FailureReason } from './types.js';

export class ProbeBudget {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private cause: 'timeout' | 'deadline' | undefined;
  private readonly onOuterAbort: () => void;

  constructor(
    readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
    this.onOuterAbort = () => this.abort('deadline');
    // Every probe of a run listens on the run's one deadline signal: thousands of listeners are expected.
    if (outer) setMaxListeners(0, outer);
    if (outer?.aborted) this.abort('deadline');
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  private abort(cause: 'timeout' | 'deadline'): void {
    if (this.cause) return;
    this.cause = cause;
    this.controller.abort(new ProbeFailure(cause === 'deadline' ? 'deadline' : 'timeout', `probe ${cause === 'deadline' ? 'cut short by the run deadline' : `timed out after ${this.timeoutMs} ms`}`));
  }

  get aborted(): boolean {
    return this.cause !== undefined;
  }

  /** The failure to report when the budget ran out, given whether a connection had been established. */
  failure(connected: boolean): ProbeFailure {
    const reason: FailureReason = this.cause === 'deadline' ? 'deadline' : connected ? 'timeout' : 'connect_timeout';
    const what = this.cause === 'deadline' ? 'cut short by the run deadline' : `timed out after ${this.timeoutMs} ms`;
    return new ProbeFailure(reason, `${connected ? '' : 'connect '}${what}`.trim());
  }

  throwIfAborted(connected: boolean): void {
    if (this.cause) throw this.failure(connected);
  }

  /** Races a promise against the budget; the loser's resources must be released by the caller. */
  race<T>(promise: Promise<T>, connected: boolean): Promise<T> {
    if (this.cause) return Promise.reject(this.failure(connected));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.failure(connected));
      this.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
