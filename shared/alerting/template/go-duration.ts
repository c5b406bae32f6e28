// time.Duration for templates (Prometheus' toDuration, vmalert's parseDurationTime, $for and $interval):
// a number of nanoseconds that prints as Go prints it (1h2m3s, 1.5s, 300ms, 0s).
import { ArgTypeError } from './errors.js';
import type { Value } from './values.js';
import { GoDuration } from './values.js';

const UNITS: ReadonlyArray<[bigint, string]> = [
  [1_000_000n, 'ms'],
  [1_000n, 'µs'],
  [1n, 'ns'],
];

/** Go's Duration.String. */
export function durationString(d: GoDuration): string {
  let ns = d.ns;
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns < 1_000_000_000n) {
    for (const [size, unit] of UNITS) {
      if (ns >= size) return sign + fraction(ns, size) + unit;
    }
  }
  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns / 60_000_000_000n) % 60n;
  const seconds = fraction(ns % 60_000_000_000n, 1_000_000_000n);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `ns / size` with the fraction Go prints (no trailing zeros). */
function fraction(ns: bigint, size: bigint): string {
  const whole = ns / size;
  const rest = ns % size;
  if (rest === 0n) return String(whole);
  const digits = String(size).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** The time.Duration methods a template may call. */
export function durationMethod(d: GoDuration, name: string, args: Value[]): Value {
  if (args.length !== 0) throw new ArgTypeError(`wrong number of args for ${name}: want 0 got ${args.length}`);
  const ns = Number(d.ns);
  switch (name) {
    case 'Hours':
      return ns / 3.6e12;
    case 'Minutes':
      return ns / 6e10;
    case 'Seconds':
      return ns / 1e9;
    case 'Milliseconds':
      return d.ns / 1_000_000n;
    case 'Nanoseconds':
      return d.ns;
    case 'String':
      return durationString(d);
    default:
      throw new ArgTypeError(`can't evaluate field ${name} in type time.Duration`);
  }
}

/** Seconds (a float) as a Duration, truncated to nanoseconds as Go's conversion does. */
export function secondsToDuration(seconds: number): GoDuration {
  if (!Number.isFinite(seconds)) throw new ArgTypeError(`cannot convert ${seconds} to a duration`);
  return new GoDuration(BigInt(Math.trunc(seconds * 1e9)));
}
