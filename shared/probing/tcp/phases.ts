// Consecutive phases of a TCP probe for the CLI waterfall. blackbox_exporter has no per-phase metric for
// tcp, so these only go into result.phases. A phase that fails still gets the time it took, so the
// waterfall shows where the probe was when it ended.
import { monotonicSeconds } from '../clock.js';
import type { PhaseTiming } from '../types.js';

export class PhaseLog {
  readonly phases: PhaseTiming[] = [];
  private current: { phase: string; start: number } | undefined;

  /** Ends the running phase and starts `phase`; consecutive segments of one phase are merged. */
  begin(phase: string): void {
    this.end();
    this.current = { phase, start: monotonicSeconds() };
  }

  /** Records a phase measured elsewhere (name resolution reports its own time). */
  add(phase: string, seconds: number): void {
    this.end();
    this.phases.push({ phase, seconds });
  }

  end(): void {
    if (!this.current) return;
    const seconds = monotonicSeconds() - this.current.start;
    const last = this.phases[this.phases.length - 1];
    if (last && last.phase === this.current.phase) last.seconds += seconds;
    else this.phases.push({ phase: this.current.phase, seconds });
    this.current = undefined;
  }
}
