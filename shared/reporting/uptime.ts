// How uptime is counted, in one place for the report, the UI and the status page.
//
// Uptime is the share of the probe runs that should have happened in a period which did happen and
// succeeded: successful runs / expected runs. Expected runs are the period (from the target's first run,
// when it started probing inside the period) divided by the probe interval. A run that did not happen —
// the schedule stopped, the Lambda failed, the samples never arrived — is not uptime: it counts as down.
// Without a known interval only the runs that did happen can be counted (missing runs are then invisible).

export interface RunCounts {
  /** Probe runs with a probe_success sample in the period. */
  runs: number;
  /** Of those, the ones with probe_success = 1. */
  successes: number;
  /** When the target was first probed, if it started inside the period; else the period start counts. */
  firstRunMs?: number;
  /**
   * The newest run's time, when the period ends now (the UI, the status page). The run due after it may
   * still be probing or writing: it counts as missing only once a whole interval has passed without it.
   */
  lastRunMs?: number;
}

export interface Uptime {
  /** 0…1. */
  ratio: number;
  expected: number;
  successful: number;
  failed: number;
  missing: number;
  /** Time not up: (expected − successful) × interval; 0 when the interval is unknown and nothing failed. */
  downMs: number;
}

/** Uptime over [fromMs, toMs) for a target probed every `intervalMs` (undefined: unknown). Undefined without runs. */
export function computeUptime(counts: RunCounts, fromMs: number, toMs: number, intervalMs: number | undefined): Uptime | undefined {
  if (counts.runs <= 0) return undefined;
  const successes = Math.min(counts.successes, counts.runs);
  const activeFrom = Math.max(fromMs, counts.firstRunMs ?? fromMs);
  const scheduled = intervalMs && intervalMs > 0 ? expectedRuns(counts, activeFrom, toMs, intervalMs) : counts.runs;
  const expected = Math.max(1, scheduled);
  const successful = Math.min(successes, expected);
  const failed = Math.min(counts.runs - successes, expected - successful);
  const missing = Math.max(0, expected - successful - failed);
  const perRun = intervalMs ?? (toMs - activeFrom) / expected;
  return { ratio: successful / expected, expected, successful, failed, missing, downMs: Math.round((expected - successful) * perRun) };
}

/** The runs that should have happened in [activeFrom, toMs), for a target probed every intervalMs. */
function expectedRuns(counts: RunCounts, activeFrom: number, toMs: number, intervalMs: number): number {
  const last = counts.lastRunMs;
  // Runs start at activeFrom, activeFrom + interval, …, before toMs.
  if (last === undefined || last < activeFrom || last > toMs) return Math.ceil((toMs - activeFrom) / intervalMs);
  // On the newest run's phase: the runs up to it (from the first run, rounded, since both times jitter by
  // the seconds a run takes to start), then those due after it whose interval has fully passed.
  const fromFirstRun = counts.firstRunMs !== undefined && counts.firstRunMs >= activeFrom;
  const upToLast = (fromFirstRun ? Math.round((last - activeFrom) / intervalMs) : Math.floor((last - activeFrom) / intervalMs)) + 1;
  const dueSince = Math.max(0, Math.floor((toMs - last) / intervalMs) - 1);
  return upToLast + dueSince;
}

export interface ErrorBudget {
  slo: number;
  /** Down time the objective allows in the period. */
  allowedMs: number;
  usedMs: number;
  /** usedMs / allowedMs: above 1 means the objective was missed. */
  usedFraction: number;
}

export function errorBudget(uptime: Uptime, sloPercent: number, periodMs: number): ErrorBudget {
  const allowedFraction = 1 - sloPercent / 100;
  const usedFraction = (1 - uptime.ratio) / allowedFraction;
  return { slo: sloPercent, allowedMs: Math.round(allowedFraction * periodMs), usedMs: Math.round((1 - uptime.ratio) * periodMs), usedFraction };
}
