// Reading right after writing: single-node VictoriaMetrics makes new samples searchable at once on
// /internal/force_flush (else a new series can take ~8 s). A cluster or vmauth has no such endpoint; then
// the samples become searchable on VictoriaMetrics' own schedule, which the next evaluation slot outlasts.
import type { VmConnection } from './auth.js';
import { vmFetch } from './http.js';
import { baseOfWriteUrl, vmEndpoint } from './url.js';

/** Asks VictoriaMetrics to make what was written searchable; best effort, never throws. */
export async function forceFlush(conn: VmConnection): Promise<void> {
  try {
    await vmFetch(conn, vmEndpoint(baseOfWriteUrl(conn.url), '/internal/force_flush'), { timeoutMs: 2_000 });
  } catch {
    // not available: see above
  }
}

/** True when /health answers 200 within `timeoutMs`. */
export async function isHealthy(conn: VmConnection, timeoutMs = 1_000): Promise<boolean> {
  try {
    return (await vmFetch(conn, vmEndpoint(conn.url, '/health'), { timeoutMs })).status === 200;
  } catch {
    return false;
  }
}
