// A seeded month of pizza-service orders with known incidents, for the replay tests, the replay benchmark
// and the README's worked example (scripts/seed-pizza-month.ts). Four quiet weeks of history come first,
// so seasonal anomaly rules have their baseline; then four weeks with the spikes listed in SPIKES.
// Deterministic: the same start gives the same samples.
import { prometheusLine } from './victoria-metrics.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const WEEK = 7 * DAY;

export interface Spike {
  name: string;
  /** Offset from the start of the replayed month. */
  atMs: number;
  minutes: number;
  /** Extra orders per minute while it lasts. */
  extraPerMinute: number;
}

/** Three large spikes (over 20 000 orders an hour) and one small one (unusual, under the threshold). */
export const SPIKES: readonly Spike[] = [
  { name: 'lunch rush on day 3', atMs: 2 * DAY + 12 * 60 * MIN, minutes: 90, extraPerMinute: 300 },
  { name: 'match night on day 12', atMs: 11 * DAY + 19 * 60 * MIN, minutes: 60, extraPerMinute: 300 },
  { name: 'small bump on day 17', atMs: 16 * DAY + 15 * 60 * MIN, minutes: 60, extraPerMinute: 70 },
  { name: 'promotion on day 24', atMs: 23 * DAY + 13 * 60 * MIN, minutes: 120, extraPerMinute: 400 },
];
export const LARGE_SPIKES = SPIKES.filter((s) => s.extraPerMinute >= 300);

/** Each week's level, so past weeks differ a little and the baseline has a typical deviation. */
const WEEK_FACTORS = [0.94, 1.03, 0.98, 1.06, 1.0, 0.97, 1.04, 0.99];

/** Normal orders per minute at `t`: busy from late morning to late evening, more at weekends. */
export function normalRate(t: number, monthStartMs: number): number {
  const week = Math.floor((t - (monthStartMs - 4 * WEEK)) / WEEK);
  const hour = ((t % DAY) / (60 * MIN)) as number;
  const day = new Date(t).getUTCDay();
  const daytime = hour >= 10 && hour < 23 ? Math.sin((Math.PI * (hour - 10)) / 13) : 0;
  const weekend = day === 0 || day === 6 ? 1.25 : 1;
  return (30 + 130 * daytime) * weekend * (WEEK_FACTORS[week] ?? 1);
}

export function spikeRate(t: number, monthStartMs: number): number {
  let extra = 0;
  for (const s of SPIKES) {
    const from = monthStartMs + s.atMs;
    if (t >= from && t < from + s.minutes * MIN) extra += s.extraPerMinute;
  }
  return extra;
}

export const PIZZA_SERIES = { name: 'orders_created_total', labels: { service: 'pizza-service' } } as const;

/**
 * Exposition lines, one sample a minute, from four weeks before `monthStartMs` (a UTC midnight) to four
 * weeks after it, in chunks of `chunk` lines.
 */
export function* pizzaMonthLines(monthStartMs: number, chunk = 20_000): Generator<string[]> {
  let total = 0;
  let lines: string[] = [];
  for (let t = monthStartMs - 4 * WEEK; t <= monthStartMs + 4 * WEEK; t += MIN) {
    lines.push(prometheusLine(PIZZA_SERIES.name, PIZZA_SERIES.labels, Math.round(total), t));
    total += normalRate(t, monthStartMs) + spikeRate(t, monthStartMs);
    if (lines.length >= chunk) {
      yield lines;
      lines = [];
    }
  }
  if (lines.length) yield lines;
}

/** The start of a month that ended at least a day ago: a UTC midnight 29 days back. */
export function monthStartBefore(nowMs: number): number {
  return Math.floor(nowMs / DAY) * DAY - 29 * DAY;
}
