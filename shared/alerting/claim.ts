// Two evaluations of the same slot (overlapping invocations, a retry, a redeploy) must not both notify.
// VictoriaMetrics has no compare-and-set, so each writes a claim (its wall-clock time) for the slot, waits
// until the others' claims are visible, and only the earliest claimant sends. A claim that was slow to write
// is made again with a later value (see claimSlot), so two never both win; at worst none does and the
// notifications go out at the next evaluation.
import { writeBatch, type VmWriteConfig } from '../storage/write-batch.js';
import { encodeSample } from '../storage/exposition.js';
import { vmEndpoint } from '../storage/vm-url.js';
import { exportRaw, type VmReadConfig } from './vm-query.js';

export interface ClaimOptions {
  read: VmReadConfig;
  write: VmWriteConfig;
  group: string;
  /** Evaluation slot, epoch ms. */
  slot: number;
  waitMs: number;
  now?: () => number;
  random?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function forceFlush(base: string): Promise<void> {
  // Single-node VictoriaMetrics makes new samples searchable at once; elsewhere the wait covers it.
  try {
    await fetch(vmEndpoint(base, '/internal/force_flush'), { signal: AbortSignal.timeout(2_000) });
  } catch {
    // not available (cluster, vmauth): rely on the wait
  }
}

export async function claimSlot(options: ClaimOptions): Promise<boolean> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  // A claim's value is taken before it is written. If the write itself was slow, a competitor may already
  // have read the claims without seeing this one and decided it won: claim again with a later value, and
  // leave the abandoned claim out of our own comparison. The later value is taken after the slow write
  // landed, so a competitor that won without seeing it has the smaller value and still wins; one that saw
  // it lost to it, so at worst nobody sends and the notifications go out at the next evaluation, whose
  // state still says they are due. Two never both win.
  let mine = NaN;
  const abandoned: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    // Milliseconds since the slot began (plus a random fraction to break ties): few significant digits, so
    // the value survives VictoriaMetrics' decimal compression exactly enough to be recognised.
    const startedAt = now();
    const value = startedAt - options.slot + random() / 2;
    // Distinct timestamps inside the slot's first second keep deduplication from merging the claims.
    const timestampMs = options.slot + 1 + Math.floor(random() * 998);
    const line = encodeSample({ name: 'periscope_alert_claim', labels: { alertgroup: options.group }, value, timestampMs });
    const written = await writeBatch(`${line}\n`, options.write, { deadlineMs: now() + 5_000 });
    if (!written.ok) return true; // cannot coordinate: better a duplicate than a lost notification
    if (!Number.isNaN(mine)) abandoned.push(mine);
    mine = value;
    await forceFlush(options.write.url);
    if (now() - startedAt <= options.waitMs / 2) break;
  }
  await sleep(options.waitMs);
  await forceFlush(options.read.url);
  try {
    const series = await exportRaw(options.read, `periscope_alert_claim{alertgroup=${JSON.stringify(options.group)}}`, options.slot, options.slot + 1_000);
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-3; // float formatting on the way through VictoriaMetrics
    const claims = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && !abandoned.some((a) => close(a, v)));
    if (claims.length === 0) return true;
    return close(mine, Math.min(...claims));
  } catch {
    return true;
  }
}
