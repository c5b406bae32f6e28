// How uptime and coverage are counted, in one place for the report, the UI and the status page.
//
// Two figures, kept apart as Grafana Synthetic Monitoring (uptime vs reachability) and Gatus do:
// - **uptime** is the share of the probe runs that happened which succeeded: successful ÷ runs done. It says
//   how the endpoint did while it was watched.
// - **coverage** is the share of the runs that should have happened which did: runs done ÷ runs expected.
//   It says how well it was watched. Expected runs are the period (from the target's first run, when it
//   started probing inside the period) divided by the probe interval.
// A run that did not happen — the local run stopped, the schedule or the Lambda failed, the samples never
// arrived — is a gap in coverage: it is neither downtime of the endpoint nor uptime. Without a known
// interval only the runs that happened can be counted, and coverage is unknown.

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
  /** Uptime, 0…1: successful ÷ done. */
  ratio: number;
  /** Coverage, 0…1: done ÷ expected; undefined when the probe interval is unknown. */
  coverage?: number;
  /** Runs that should have happened (= done when the interval is unknown). */
  expected: number;
  /** Runs that happened: successful + failed. */
  done: number;
  successful: number;
  failed: number;
  /** Runs that should have happened and did not: a monitoring gap, not downtime. */
  missing: number;
  /** Time the endpoint was seen down: failed runs × interval. */
  downMs: number;
  /** Time it was watched: runs done × interval. */
  coveredMs: number;
  /** Time it was not watched: missing runs × interval. */
  gapMs: number;
}

/** Uptime over [fromMs, toMs) for a target probed every `intervalMs` (undefined: unknown). Undefined without runs. */
export function computeUptime(counts: RunCounts, fromMs: number, toMs: number, intervalMs: number | undefined): Uptime | undefined {
  if (counts.runs <= 0) return undefined;
  const known = intervalMs !== undefined && intervalMs > 0;
  const activeFrom = Math.max(fromMs, counts.firstRunMs ?? fromMs);
  // Overlapping runs (a retried write, two runs in one slot) never make more runs than were due.
  const expected = known ? Math.max(1, expectedRuns(counts, activeFrom, toMs, intervalMs)) : counts.runs;
  const done = Math.min(counts.runs, expected);
  // When runs overlap, the surplus is taken from the successes: a failure is never hidden by a duplicate.
  const failed = Math.min(Math.max(0, counts.runs - counts.successes), done);
  const successful = Math.max(0, Math.min(counts.successes, done - failed));
  const counted = successful + failed;
  const missing = expected - counted;
  const perRun = known ? intervalMs : (toMs - activeFrom) / expected;
  return {
    ratio: counted > 0 ? successful / counted : 0,
    ...(known ? { coverage: counted / expected } : {}),
    expected,
    done: counted,
    successful,
    failed,
    missing,
    downMs: Math.round(failed * perRun),
    coveredMs: Math.round(counted * perRun),
    gapMs: Math.round(missing * perRun),
  };
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
  /** Down time the objective allows over the time the target was watched (runs done × interval). */
  allowedMs: number;
  /** Down time seen: failed runs × interval. */
  usedMs: number;
  /** usedMs / allowedMs = (1 − uptime) ÷ (1 − slo): above 1 means the objective was missed. */
  usedFraction: number;
}

/**
 * The error budget over the runs that happened: a monitoring gap neither spends budget nor earns it, so a
 * month with a stopped schedule is judged on the time it was watched.
 */
export function errorBudget(uptime: Uptime, sloPercent: number): ErrorBudget {
  const allowedFraction = 1 - sloPercent / 100;
  return {
    slo: sloPercent,
    allowedMs: Math.round(allowedFraction * uptime.coveredMs),
    usedMs: uptime.downMs,
    usedFraction: allowedFraction > 0 ? (1 - uptime.ratio) / allowedFraction : uptime.ratio < 1 ? Infinity : 0,
  };
}
