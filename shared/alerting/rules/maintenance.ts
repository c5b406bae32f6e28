// Maintenance windows mute notifications (evaluation goes on, so state stays right): a fixed start/end, a
// weekly recurring time range in a time zone, or both; selected by label matchers (value or /regex/).
import { cachedRe2 } from '../../regex/index.js';
import type { MaintenanceWindow } from './schema.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The RE2 pattern of a matcher written as /…/ (anchored at both ends, as Alertmanager's =~), or undefined. */
export function matcherRegex(want: string): string | undefined {
  return want.length >= 2 && want.startsWith('/') && want.endsWith('/') ? want.slice(1, -1) : undefined;
}

function matches(matchers: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(matchers).every(([name, want]) => {
    const have = labels[name] ?? '';
    const pattern = matcherRegex(want);
    if (pattern !== undefined) return cachedRe2(pattern).testWhole(have);
    return have === want;
  });
}

/** Day of week and minutes since midnight of `ms` in `timeZone`. */
function localTime(ms: number, timeZone: string): { day: (typeof DAYS)[number]; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number];
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function windowActive(window: MaintenanceWindow, ms: number): boolean {
  if (window.start && ms < Date.parse(window.start)) return false;
  if (window.end && ms >= Date.parse(window.end)) return false;
  if (!window.every) return true;
  const { day, minutes } = localTime(ms, window.every.timezone);
  const from = toMinutes(window.every.from);
  const to = toMinutes(window.every.to);
  if (from <= to) return window.every.days.includes(day) && minutes >= from && minutes < to;
  // Over midnight (22:00–02:00): the evening belongs to the listed day, the early morning to the next.
  const previous = DAYS[(DAYS.indexOf(day) + 6) % 7] as (typeof DAYS)[number];
  return (window.every.days.includes(day) && minutes >= from) || (window.every.days.includes(previous) && minutes < to);
}

/** The name of the first window that mutes an alert with these labels at `ms`, or undefined. */
export function mutedBy(windows: readonly MaintenanceWindow[], labels: Record<string, string>, ms: number): string | undefined {
  return windows.find((w) => matches(w.matchers, labels) && windowActive(w, ms))?.name;
}
