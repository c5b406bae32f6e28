// A probe's time budget: its own timeout and the run's deadline merged, so every await of a prober can be
// cut short and every socket closed when either fires. Plain callbacks rather than an AbortController per
// probe: at thousands of probes a second the EventTarget machinery shows up in the CPU profile.
import { setMaxListeners } from 'node:events';
import { ProbeFailure } from './failure.js';
import type { FailureReason } from './types.js';

type Cause = 'timeout' | 'deadline';

export class ProbeBudget {
  private readonly timer: NodeJS.Timeout;
  private cause: Cause | undefined;
  private listeners: Array<(failure: ProbeFailure) => void> | undefined;
  private controller: AbortController | undefined;
  private readonly onOuterAbort: () => void;

  constructor(
    readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
    this.onOuterAbort = () => this.abort('deadline');
    // Every probe of a run listens on the run's one deadline signal: thousands of listeners are expected.
    if (outer) setMaxListeners(0, outer);
    if (outer?.aborted) this.abort('deadline');
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  private abort(cause: Cause): void {
    if (this.cause) return;
    this.cause = cause;
    clearTimeout(this.timer);
    const failure = this.failure(true);
    this.controller?.abort(failure);
    const listeners = this.listeners;
    this.listeners = undefined;
    listeners?.forEach((fn) => fn(failure));
  }

  get aborted(): boolean {
    return this.cause !== undefined;
  }

  /** An AbortSignal for APIs that take one; created only when asked for. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cause) this.controller.abort(this.failure(true));
    }
    return this.controller.signal;
  }

  /** Calls `fn` when the budget runs out (at once if it already has); returns the unsubscribe function. */
  onAbort(fn: (failure: ProbeFailure) => void): () => void {
    if (this.cause) {
      fn(this.failure(true));
      return () => {};
    }
    (this.listeners ??= []).push(fn);
    return () => {
      const list = this.listeners;
      if (!list) return;
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
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
      const off = this.onAbort(() => reject(this.failure(connected)));
      promise.then(
        (value) => {
          off();
          resolve(value);
        },
        (err: unknown) => {
          off();
          reject(err);
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.listeners = undefined;
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}

/** What runWithinBudget drives: one probe's work and how it records and cleans up a failure. */
export interface BudgetedRun {
  execute(): Promise<void>;
  /** Records why the work stopped (a ProbeFailure, the budget, a socket error). */
  fail(err: unknown): void;
  /** Called when the budget runs out, to close what is open so the work ends now. */
  abort?(reason: unknown): void;
  /** Releases what the work opened, once it has ended either way. */
  close?(): void;
}

/**
 * Runs a prober's work under its budget. The race makes the probe return at its deadline even if a close is
 * slow to surface as an error; when the budget wins, the work's own late rejection is already accounted for.
 */
export async function runWithinBudget(budget: ProbeBudget, run: BudgetedRun): Promise<void> {
  const offAbort = budget.onAbort((failure) => (run.abort ? run.abort(failure) : run.close?.()));
  try {
    const work = run.execute();
    work.catch(() => undefined);
    await budget.race(work, true);
  } catch (err) {
    run.fail(err);
  } finally {
    offAbort();
    budget.dispose();
    run.close?.();
  }
}
