// Probing a group: every target once, with bounded concurrency, each within its timeout and the run's
// deadline. Results come back in target order; a prober bug becomes a failed result, never a lost target.
import type { GroupSpec, SecretResolver, TargetsFile } from '../config/index.js';
import { runProbe, type ProbeResult } from '../probing/index.js';

export interface ProbeGroupOptions {
  concurrency: number;
  secrets: SecretResolver;
  /** Aborts probes still running when the run reaches its deadline (they end with reason "deadline"). */
  signal?: AbortSignal;
  debug?: boolean;
  /** Called as each probe finishes (the local run prints a line per target). */
  onResult?: (result: ProbeResult) => void;
}

export async function probeGroup(file: TargetsFile, group: GroupSpec, options: ProbeGroupOptions): Promise<ProbeResult[]> {
  const timeoutMs = group.timeout ?? file.defaults.timeout;
  const results = new Array<ProbeResult>(group.targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < group.targets.length) {
      const index = next++;
      const target = group.targets[index];
      if (!target) continue;
      const result = await runProbe(target, {
        timeoutMs,
        secrets: options.secrets,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.debug ? { debug: true } : {}),
      });
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, group.targets.length)) }, worker);
  await Promise.all(workers);
  return results;
}
