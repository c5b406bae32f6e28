// How a run (a scheduled group, or one manual probe) spends the time it has after probing: VictoriaMetrics
// first, with a circuit that stops retrying it after a few seconds, then the spool, then the spool's fallback,
// each with time of its own before the invocation's deadline, and every spool failure contained and counted.
//
//   probing ─────────────┤ vm writes ──┤ spool (SQS) ──┤ fallback ─┤ metrics │ deadline
//                   probeDeadline   vmDeadline                  spoolDeadline
import type { Logger } from '../observability/logger.js';
import { createRunSpool, type RunSpool } from '../storage/run-spool.js';
import type { Spool } from '../storage/spool.js';
import type { WriteSamplesOptions } from '../storage/write-samples.js';
import { createWriteCircuit, type VmWriteConfig, type WriteCircuit } from '../victoria-metrics/index.js';

export interface RunWritesInput {
  vm: VmWriteConfig;
  spool: Spool;
  fallbackSpool?: Spool;
  logger: Logger;
  /** Epoch ms by which everything, spooling included, must be done. */
  deadlineMs: number;
  /** When probing began (the budget is shared from there). */
  startedMs: number;
  /** Time kept back after probing for writing and spooling. */
  reserveMs?: number;
}

export interface RunWrites {
  /** Probes must end by then. */
  probeDeadlineMs: number;
  /** For the run's samples: VictoriaMetrics until vmDeadline, then the spool. */
  write: WriteSamplesOptions;
  /** For the replay while probing: nothing of it runs past the probe deadline. */
  replay: WriteSamplesOptions;
  spool: RunSpool;
  circuit: WriteCircuit;
}

/**
 * The reserve by default: a quarter of the run, between 2 and 6 seconds (less than 2 s left no room for a
 * busy process's late timers: a cold start that ate most of a short invocation then lost its samples).
 */
export function defaultReserveMs(totalMs: number): number {
  return Math.floor(Math.min(6_000, Math.max(2_000, totalMs / 4)));
}

export function planRunWrites(input: RunWritesInput): RunWrites {
  const reserve = input.reserveMs ?? defaultReserveMs(input.deadlineMs - input.startedMs);
  const probeDeadlineMs = input.deadlineMs - reserve;
  // 40 % of the reserve for VictoriaMetrics, the rest for the spool and its fallback (a fifth of the reserve, at
  // most 0.5 s), less a tenth (at most 0.2 s) for the self-metrics line and the answer. With a 50 s invocation:
  // probes until 42.5 s, VictoriaMetrics until 44.9 s, SQS until 47.8 s, /tmp until 48.3 s (deadline 48.5 s).
  const vmDeadlineMs = input.deadlineMs - Math.floor(reserve * 0.6);
  const spoolDeadlineMs = input.deadlineMs - Math.min(200, Math.floor(reserve / 10));
  const fallbackMarginMs = Math.min(500, Math.floor(reserve / 5));
  const spool = createRunSpool({ primary: input.spool, ...(input.fallbackSpool ? { fallback: input.fallbackSpool } : {}), logger: input.logger, deadlineMs: spoolDeadlineMs, fallbackMarginMs });
  const circuit = createWriteCircuit();
  return {
    probeDeadlineMs,
    write: { vm: input.vm, spool, logger: input.logger, deadlineMs: vmDeadlineMs, circuit },
    replay: { vm: input.vm, spool: spool.until(probeDeadlineMs), logger: input.logger, deadlineMs: probeDeadlineMs, circuit },
    spool,
    circuit,
  };
}
