// What a handler writes to stdout (its JSON log lines and EMF self-metrics), captured while still printed.
import { vi } from 'vitest';

export interface CapturedStdout {
  /** Every JSON line written since the capture started. */
  records(): Array<Record<string, unknown>>;
}

/** Call in beforeEach; vi.restoreAllMocks() in afterEach ends it. */
export function captureStdout(): CapturedStdout {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  return {
    records: () =>
      chunks
        .flatMap((c) => c.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
