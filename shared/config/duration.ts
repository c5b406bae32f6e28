// Prometheus-style durations ("500ms", "1m30s", "2h", "1d"), as blackbox.yml and rule files write them.
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;

/** Parses a duration into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART_RE)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
  }
  return Math.round(total);
}

/**
 * Formats milliseconds the short way a person reads them ("1m30s", "250ms", "9.5s"), exactly: parseDuration
 * of the result is the same number of milliseconds (an imported 9.5 s timeout stays 9.5 s, not 10 s).
 */
export function formatDuration(ms: number): string {
  const total = Math.round(ms);
  if (total < 1000) return `${total}ms`;
  let rest = Math.floor(total / 1000);
  const millis = total % 1000;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || millis > 0) parts.push(millis > 0 ? `${rest}.${String(millis).padStart(3, '0').replace(/0+$/, '')}s` : `${rest}s`);
  return parts.join('');
}
