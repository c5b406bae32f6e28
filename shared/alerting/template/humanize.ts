// Prometheus' number and time helpers (template/template.go and common/helpers/templates), reproduced
// output for output: "%.4g" with SI prefixes, "1d 2h 3m 4s", Time.String() in UTC.
import { FuncError } from './errors.js';
import { formatFloat, formatFloatV } from './go-float.js';
import { timeString } from './go-time.js';
import { GoTime, typeName, type Value } from './values.js';

const g4 = (v: number): string => formatFloat(v, 'g', 4);

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT_RE = /^[+-]?0[xX](?:_?[0-9a-fA-F])*(?:\.[0-9a-fA-F]*)?[pP][+-]?\d+$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64). */
export function parseGoFloat(s: string): number {
  const special = SPECIAL_RE.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') {
      if (special[1] !== '') throw new FuncError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
      return NaN;
    }
    return special[1] === '-' ? -Infinity : Infinity;
  }
  // Underscores may only separate digits.
  const plain = /(?<!\d)_|_(?!\d)/.test(s) ? s : s.replace(/_/g, '');
  if (FLOAT_RE.test(plain)) {
    const v = Number(plain);
    if (!Number.isFinite(v)) throw new FuncError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
    return v;
  }
  if (HEX_FLOAT_RE.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s) as RegExpExecArray;
    const int = (m[2] as string).replace(/_/g, '');
    const frac = m[3] ?? '';
    const mant = parseInt(int + frac || '0', 16);
    const v = mant * 2 ** (Number(m[4]) - 4 * frac.length);
    return m[1] === '-' ? -v : v;
  }
  throw new FuncError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}

/** Prometheus' ConvertToFloat: numbers as they are, strings parsed. */
export function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseGoFloat(v);
  throw new FuncError(`can't convert ${typeName(v)} to float`);
}

function withPrefixes(v: number, scale: number, prefixes: readonly string[], growing: boolean): [number, string] {
  let prefix = '';
  for (const p of prefixes) {
    if (growing ? Math.abs(v) < scale : Math.abs(v) >= 1) break;
    prefix = p;
    v = growing ? v / scale : v * scale;
  }
  return [v, prefix];
}

const BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
// Prometheus writes micro as "u", not "µ".
const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const BINARY = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

export function humanize(input: Value): string {
  const v = toFloat(input);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  const [scaled, prefix] = Math.abs(v) >= 1 ? withPrefixes(v, 1000, BIG, true) : withPrefixes(v, 1000, SMALL, false);
  return g4(scaled) + prefix;
}

export function humanize1024(input: Value): string {
  const v = toFloat(input);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  const [scaled, prefix] = withPrefixes(v, 1024, BINARY, true);
  return g4(scaled) + prefix;
}

const MIN_INT64 = -(2n ** 63n);

/** Go's int64(v) on amd64: truncation, and the minimum int64 for values out of range. */
function goInt64(v: number): bigint {
  if (!(v > -(2 ** 63) && v < 2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(v));
}

export function humanizeDuration(input: Value): string {
  let v = toFloat(input);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + 's';
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const duration = goInt64(v);
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 3600n) % 24n;
    const days = duration / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  const [scaled, prefix] = withPrefixes(v, 1000, SMALL, false);
  return `${g4(scaled)}${prefix}s`;
}

export function humanizePercentage(input: Value): string {
  return g4(toFloat(input) * 100) + '%';
}

// 2^63: the first float64 beyond int64.
const INT64_LIMIT = 2 ** 63;

/** Seconds since the epoch to a time (Prometheus' FloatToTime: nanoseconds, then millisecond resolution). */
export function floatToTime(v: number): GoTime {
  if (!Number.isFinite(v)) throw new FuncError('value is NaN or Inf');
  const nanos = v * 1e9;
  if (nanos >= INT64_LIMIT || nanos < -INT64_LIMIT) {
    throw new FuncError(`${formatFloatV(v)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  }
  // Integer division as Go does it: truncate toward zero.
  return new GoTime(Number(BigInt(Math.trunc(nanos)) / 1_000_000n));
}

export function humanizeTimestamp(input: Value): string {
  const v = toFloat(input);
  if (!Number.isFinite(v)) return g4(v);
  return timeString(floatToTime(v));
}

export function toTime(input: Value): GoTime {
  return floatToTime(toFloat(input));
}
