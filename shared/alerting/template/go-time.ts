// time.Time as templates see it (from toTime): printed like Go's Time.String() and formatted with Go
// reference layouts ("2006-01-02 15:04:05"). Always UTC, as Prometheus' toTime returns UTC times.
import { ArgTypeError, FuncError } from './errors.js';
import { GoTime, typeName, type Value } from './values.js';

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Parts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
}

function partsOf(ms: number): Parts {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new FuncError(`time ${ms}ms is out of range`);
  const year = d.getUTCFullYear();
  // setUTCFullYear rather than Date.UTC, which maps years 0-99 to 1900-1999.
  const yearStart = new Date(0);
  yearStart.setUTCFullYear(year, 0, 1);
  const dayStart = new Date(0);
  dayStart.setUTCFullYear(year, d.getUTCMonth(), d.getUTCDate());
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanos: (((ms % 1000) + 1000) % 1000) * 1e6,
    weekday: d.getUTCDay(),
    yearDay: Math.round((dayStart.getTime() - yearStart.getTime()) / 86_400_000) + 1,
  };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

function fraction(nanos: number, digits: number, trim: boolean, sep: string): string {
  let s = String(nanos).padStart(9, '0').slice(0, digits);
  if (trim) {
    s = s.replace(/0+$/, '');
    if (s === '') return '';
  }
  return sep + s;
}

/** Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST" in UTC. */
export function timeString(t: GoTime): string {
  const p = partsOf(t.ms);
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)} ${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}${fraction(p.nanos, 9, true, '.')} +0000 UTC`;
}

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
const startsWithLower = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 97 && s.charCodeAt(i) <= 122;

/** One layout element at position i: [length consumed, rendering] or undefined for a literal char. */
function layoutElement(layout: string, i: number, p: Parts): [number, string] | undefined {
  const rest = layout.slice(i);
  switch (layout[i]) {
    case 'J':
      if (rest.startsWith('January')) return [7, LONG_MONTHS[p.month - 1] as string];
      if (rest.startsWith('Jan') && !startsWithLower(layout, i + 3)) return [3, (LONG_MONTHS[p.month - 1] as string).slice(0, 3)];
      return undefined;
    case 'M':
      if (rest.startsWith('Monday')) return [6, LONG_DAYS[p.weekday] as string];
      if (rest.startsWith('Mon') && !startsWithLower(layout, i + 3)) return [3, (LONG_DAYS[p.weekday] as string).slice(0, 3)];
      if (rest.startsWith('MST')) return [3, 'UTC'];
      return undefined;
    case '0': {
      const c = layout[i + 1];
      if (c === '1') return [2, pad(p.month, 2)];
      if (c === '2') return [2, pad(p.day, 2)];
      if (c === '3') return [2, pad(p.hour % 12 === 0 ? 12 : p.hour % 12, 2)];
      if (c === '4') return [2, pad(p.minute, 2)];
      if (c === '5') return [2, pad(p.second, 2)];
      if (c === '6') return [2, pad(((p.year % 100) + 100) % 100, 2)];
      if (rest.startsWith('002')) return [3, pad(p.yearDay, 3)];
      return undefined;
    }
    case '1':
      if (layout[i + 1] === '5') return [2, pad(p.hour, 2)];
      return [1, String(p.month)];
    case '2':
      if (rest.startsWith('2006')) return [4, pad(p.year, 4)];
      return [1, String(p.day)];
    case '_':
      if (layout[i + 1] === '2') {
        if (rest.startsWith('_2006')) return [5, '_' + pad(p.year, 4)];
        return [2, String(p.day).padStart(2, ' ')];
      }
      if (rest.startsWith('__2')) return [3, String(p.yearDay).padStart(3, ' ')];
      return undefined;
    case '3':
      return [1, String(p.hour % 12 === 0 ? 12 : p.hour % 12)];
    case '4':
      return [1, String(p.minute)];
    case '5':
      return [1, String(p.second)];
    case 'P':
      if (layout[i + 1] === 'M') return [2, p.hour >= 12 ? 'PM' : 'AM'];
      return undefined;
    case 'p':
      if (layout[i + 1] === 'm') return [2, p.hour >= 12 ? 'pm' : 'am'];
      return undefined;
    case '-':
      for (const [zone, text] of [['-07:00:00', '+00:00:00'], ['-070000', '+000000'], ['-07:00', '+00:00'], ['-0700', '+0000'], ['-07', '+00']] as const) {
        if (rest.startsWith(zone)) return [zone.length, text];
      }
      return undefined;
    case 'Z':
      for (const zone of ['Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07']) {
        if (rest.startsWith(zone)) return [zone.length, 'Z'];
      }
      return undefined;
    case '.':
    case ',': {
      const ch = layout[i + 1];
      if (ch !== '0' && ch !== '9') return undefined;
      let j = i + 1;
      while (j < layout.length && layout[j] === ch) j++;
      if (isDigit(layout, j)) return undefined;
      return [j - i, fraction(p.nanos, j - i - 1, ch === '9', layout[i] as string)];
    }
    default:
      return undefined;
  }
}

/** Time.Format(layout) with Go's reference-time layout. */
export function formatTime(t: GoTime, layout: string): string {
  const p = partsOf(t.ms);
  let out = '';
  let literal = 0;
  for (let i = 0; i < layout.length; ) {
    const el = layoutElement(layout, i, p);
    if (!el) {
      i++;
      continue;
    }
    out += layout.slice(literal, i) + el[1];
    i += el[0];
    literal = i;
  }
  return out + layout.slice(literal);
}

/** The time.Time methods a template may call. */
export function timeMethod(t: GoTime, name: string, args: Value[]): Value {
  const want = (count: number): void => {
    if (args.length !== count) throw new ArgTypeError(`wrong number of args for ${name}: want ${count} got ${args.length}`);
  };
  switch (name) {
    case 'Format': {
      want(1);
      const layout = args[0] as Value;
      if (typeof layout !== 'string') throw new ArgTypeError(`wrong type for value; expected string; got ${typeName(layout)}`);
      return formatTime(t, layout);
    }
    case 'Unix':
      want(0);
      return BigInt(Math.floor(t.ms / 1000));
    case 'UnixMilli':
      want(0);
      return BigInt(Math.floor(t.ms));
    case 'UnixNano':
      want(0);
      return BigInt(Math.floor(t.ms)) * 1_000_000n;
    case 'UTC':
    case 'Local':
      want(0);
      return t;
    case 'String':
      want(0);
      return timeString(t);
    case 'Year':
      want(0);
      return BigInt(partsOf(t.ms).year);
    case 'YearDay':
      want(0);
      return BigInt(partsOf(t.ms).yearDay);
    case 'Day':
      want(0);
      return BigInt(partsOf(t.ms).day);
    case 'Hour':
      want(0);
      return BigInt(partsOf(t.ms).hour);
    case 'Minute':
      want(0);
      return BigInt(partsOf(t.ms).minute);
    case 'Second':
      want(0);
      return BigInt(partsOf(t.ms).second);
    default:
      throw new ArgTypeError(`can't evaluate field ${name} in type time.Time`);
  }
}
