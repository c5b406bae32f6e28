// A circuit breaker for one run's writes to VictoriaMetrics. Without it a run facing a dead VictoriaMetrics
// retried every batch (and the spool replay) until its deadline — 23 attempts over 46 s of a 50 s budget —
// leaving about a second to spool the samples. With it, VictoriaMetrics gets `budgetMs` from its first failure
// (retries with backoff, a hanging attempt counted from its start); after that no attempt is made in this run
// and the batches go to the spool at once. An answer that no retry changes soon (401, 403, 404, …) opens it at
// once. A success closes it. One circuit per run: the next run tries VictoriaMetrics afresh.

export interface WriteCircuit {
  isOpen(nowMs: number): boolean;
  /** Epoch ms until which retries may start (the failure budget's end), or Infinity while nothing failed. */
  retryUntil(nowMs: number): number;
  /** An attempt that began at `startedMs` failed; `now`: open at once. */
  failed(startedMs: number, message: string, options?: { now?: boolean }): void;
  succeeded(): void;
  /** Why writes are not attempted, for the log. */
  reason(): string;
  /** Whether it opened at any time of the run (the summary says so). */
  readonly tripped: boolean;
}

export const DEFAULT_FAILURE_BUDGET_MS = 5_000;

export function createWriteCircuit(budgetMs: number = DEFAULT_FAILURE_BUDGET_MS): WriteCircuit {
  let failingSince: number | undefined;
  let openedNow = false;
  let lastError = '';
  let tripped = false;
  const isOpen = (nowMs: number) => {
    const open = openedNow || (failingSince !== undefined && nowMs - failingSince >= budgetMs);
    if (open) tripped = true;
    return open;
  };
  return {
    isOpen,
    retryUntil: (nowMs) => (openedNow ? nowMs : failingSince === undefined ? Infinity : failingSince + budgetMs),
    failed(startedMs, message, options = {}) {
      failingSince = Math.min(failingSince ?? startedMs, startedMs);
      lastError = message;
      if (options.now) openedNow = true;
    },
    succeeded() {
      failingSince = undefined;
      openedNow = false;
    },
    reason: () => `not attempted: VictoriaMetrics keeps failing in this run (${lastError})`,
    get tripped() {
      return tripped;
    },
  };
}
