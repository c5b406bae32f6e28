// Keeps the prober's own measurements honest. A probe's timings are taken in event-loop callbacks; when the
// loop is busy, every running probe looks slower than its endpoint is. The monitor samples the loop's lag
// and probe-group holds back new probes while it is high; the lag seen is reported with the run, so a
// user can tell a slow endpoint from a busy prober.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

const SAMPLE_MS = 10;

export class LagMonitor {
  /** Lag seen by the most recent tick, milliseconds. */
  current = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly histogram: IntervalHistogram;
  private expected = performance.now() + SAMPLE_MS;

  constructor() {
    this.histogram = monitorEventLoopDelay({ resolution: SAMPLE_MS });
    this.histogram.enable();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.current = Math.max(0, now - this.expected);
      this.expected = now + SAMPLE_MS;
    }, SAMPLE_MS);
    this.timer.unref();
  }

  /** Maximum and 99th percentile lag over the monitor's life, milliseconds. */
  stop(): { max_ms: number; p99_ms: number } {
    clearInterval(this.timer);
    this.histogram.disable();
    // The histogram records whole timer periods: an idle loop shows the resolution itself, not zero.
    const toMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - SAMPLE_MS) * 10) / 10);
    return { max_ms: toMs(this.histogram.max), p99_ms: toMs(this.histogram.percentile(99)) };
  }
}
