// Calendar periods for reports: a month in UTC, named as 2026-11.

export interface Period {
  /** Inclusive start, Unix ms. */
  startMs: number;
  /** Exclusive end, Unix ms: the month's end, or now for the month in progress. */
  endMs: number;
  label: string;
  /** True when the month is still running and endMs is now. */
  partial: boolean;
}

export class PeriodError extends Error {}

export function monthPeriod(text: string, nowMs: number): Period {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) throw new PeriodError(`--month: "${text}" is not a month; use YYYY-MM, e.g. 2026-11`);
  const startMs = Date.UTC(Number(match[1]), month - 1, 1);
  const monthEnd = Date.UTC(Number(match[1]), month, 1);
  if (startMs >= nowMs) throw new PeriodError(`--month: ${text} has not started yet`);
  return { startMs, endMs: Math.min(monthEnd, nowMs), label: text, partial: monthEnd > nowMs };
}
