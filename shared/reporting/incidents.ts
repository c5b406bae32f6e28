// Downtime incidents from raw probe results: an incident starts with a failed probe and ends with the next
// successful one. Runs that did not happen inside an incident do not end it (nothing showed it was back).

export interface ProbePoint {
  timestampMs: number;
  success: boolean;
  /** probe_failure_info's reason for a failed run. */
  reason?: string;
}

export interface Incident {
  startMs: number;
  /** The first successful probe after it; undefined while it lasts (at the end of the data). */
  endMs?: number;
  /** To endMs, or to `untilMs` while it lasts. */
  durationMs: number;
  /** Reasons of its failed runs, the most frequent first. */
  reasons: string[];
  failedRuns: number;
}

export function findIncidents(points: readonly ProbePoint[], untilMs: number): Incident[] {
  const sorted = [...points].sort((a, b) => a.timestampMs - b.timestampMs);
  const incidents: Incident[] = [];
  let open: { startMs: number; reasons: Map<string, number>; failedRuns: number } | undefined;
  const close = (endMs: number | undefined) => {
    if (!open) return;
    const reasons = [...open.reasons.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r]) => r);
    incidents.push({
      startMs: open.startMs,
      ...(endMs !== undefined ? { endMs } : {}),
      durationMs: (endMs ?? untilMs) - open.startMs,
      reasons,
      failedRuns: open.failedRuns,
    });
    open = undefined;
  };
  for (const p of sorted) {
    if (p.success) {
      close(p.timestampMs);
      continue;
    }
    open ??= { startMs: p.timestampMs, reasons: new Map(), failedRuns: 0 };
    open.failedRuns++;
    const reason = p.reason ?? 'unknown';
    open.reasons.set(reason, (open.reasons.get(reason) ?? 0) + 1);
  }
  close(undefined);
  return incidents;
}

/** Joins raw probe_success samples with probe_failure_info samples of the same runs (same timestamp). */
export function probePoints(success: { timestamps: number[]; values: number[] }, failures: ReadonlyArray<{ reason: string; timestamps: number[] }>): ProbePoint[] {
  const reasonAt = new Map<number, string>();
  for (const f of failures) for (const t of f.timestamps) reasonAt.set(t, f.reason);
  return success.timestamps.map((t, i) => {
    const ok = success.values[i] === 1;
    const reason = ok ? undefined : reasonAt.get(t);
    return { timestampMs: t, success: ok, ...(reason !== undefined ? { reason } : {}) };
  });
}

/**
 * Incidents closer than `gapMs` to the next one, merged: a flapping endpoint is one disruption to the people
 * reading a status page, not thirty. Reasons keep their order of first appearance; failed runs add up.
 */
export function mergeIncidents<T extends Incident>(incidents: readonly T[], gapMs: number): T[] {
  const sorted = [...incidents].sort((a, b) => a.startMs - b.startMs);
  const out: T[] = [];
  for (const incident of sorted) {
    const last = out.at(-1);
    if (last && last.endMs !== undefined && incident.startMs - last.endMs <= gapMs) {
      const { endMs: _end, ...rest } = last;
      out[out.length - 1] = {
        ...rest,
        ...(incident.endMs !== undefined ? { endMs: incident.endMs } : {}),
        // Each duration runs to its end (or to the end of the data): the merged one from the first start.
        durationMs: incident.startMs + incident.durationMs - last.startMs,
        reasons: [...new Set([...last.reasons, ...incident.reasons])],
        failedRuns: last.failedRuns + incident.failedRuns,
      } as T;
    } else out.push(incident);
  }
  return out;
}
