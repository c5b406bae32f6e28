// Go's fmt for the values templates handle: Sprintf (printf), Sprint (print, and how {{ x }} prints),
// Sprintln, with Go's verbs, flags, width and precision, and Go's in-band errors such as
// "%!d(float64=1.5)" — a rule copied from Prometheus prints here exactly what it printed there. Flags and
// padding are go-fmt-flags.ts, number verbs go-fmt-numbers.ts, quoting go-quote.ts.
import { formatFloatV } from './go-float.js';
import { fmtFloat, fmtIntegerVerb } from './go-fmt-numbers.js';
import { newFlags, NO_FLAGS, pad, padNoZero, type Flags } from './go-fmt-flags.js';
import { canBackquote, goQuote } from './go-quote.js';
import { timeString } from './go-time.js';
import { AlertRoot, GoDuration, GoTime, isMap, sortedKeys, typeName, type Value } from './values.js';
import { durationString } from './go-duration.js';

// --- verbs per type ----------------------------------------------------------------------------------

function badVerb(v: Value, verb: string, f: Flags): string {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${printArg(v, 'v', f)})`;
}

function truncate(s: string, f: Flags): string {
  if (!f.precPresent) return s;
  let n = f.prec;
  let i = 0;
  while (i < s.length && n > 0) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    n--;
  }
  return s.slice(0, i);
}

function fmtHexBytes(s: string, f: Flags, upper: boolean): string {
  let bytes = Buffer.from(s, 'utf8');
  if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
  if (bytes.length === 0) return f.widPresent ? ' '.repeat(f.wid) : '';
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  const prefix = upper ? '0X' : '0x';
  let out = f.sharp && !f.space ? prefix : '';
  bytes.forEach((b, i) => {
    if (f.space) {
      if (i > 0) out += ' ';
      if (f.sharp) out += prefix;
    }
    out += (digits[b >> 4] as string) + (digits[b & 15] as string);
  });
  return padNoZero(f, out);
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(f, goQuote(s));
      return pad(f, truncate(s, f));
    case 's':
      return pad(f, truncate(s, f));
    case 'x':
      return fmtHexBytes(s, f, false);
    case 'X':
      return fmtHexBytes(s, f, true);
    case 'q': {
      const t = truncate(s, f);
      if (f.sharp && canBackquote(t)) return pad(f, '`' + t + '`');
      return pad(f, goQuote(t, '"', f.plus));
    }
    default:
      return badVerb(s, verb, f);
  }
}

/** fmt's printArg: one operand with one verb. */
function printArg(v: Value, verb: string, f: Flags): string {
  if (v === null) return verb === 'T' || verb === 'v' ? padNoZero(f, '<nil>') : badVerb(v, verb, f);
  if (verb === 'T') return pad(f, typeName(v));
  switch (typeof v) {
    case 'string':
      return fmtString(v, verb, f);
    case 'number':
      return fmtFloat(v, verb, f) ?? badVerb(v, verb, f);
    case 'bigint':
      return fmtIntegerVerb(v, verb, f) ?? badVerb(v, verb, f);
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(f, v ? 'true' : 'false') : badVerb(v, verb, f);
  }
  if (v instanceof GoTime) {
    // time.Time is a Stringer: these verbs print its String().
    if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') return fmtString(timeString(v), verb, f);
    return badVerb(timeString(v), verb, f);
  }
  if (v instanceof GoDuration) {
    // time.Duration is a Stringer too; %d prints the nanoseconds.
    if (verb === 'd') return fmtIntegerVerb(v.ns, verb, f) ?? badVerb(durationString(v), verb, f);
    if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') return fmtString(durationString(v), verb, f);
    return badVerb(durationString(v), verb, f);
  }
  if (v instanceof AlertRoot) {
    const fields: Array<[string, Value]> = [['Labels', v.Labels], ['ExternalLabels', v.ExternalLabels], ['Expr', v.Expr], ['Value', v.Value]];
    return '{' + fields.map(([name, value]) => (f.plusV ? name + ':' : '') + printArg(value, verb, f)).join(' ') + '}';
  }
  if (Array.isArray(v)) return '[' + v.map((e: Value) => printArg(e, verb, f)).join(' ') + ']';
  if (isMap(v)) {
    const parts = sortedKeys(v).map((k) => printArg(k, verb, f) + ':' + printArg(v[k] as string, verb, f));
    if (f.sharpV) return 'map[string]string{' + sortedKeys(v).map((k) => goQuote(k) + ':' + goQuote(v[k] as string)).join(', ') + '}';
    return 'map[' + parts.join(' ') + ']';
  }
  return badVerb(v, verb, f);
}

/** How {{ value }} prints (fmt.Sprint of one value, i.e. %v), with fast paths for the usual cases. */
export function formatValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloatV(v);
  if (typeof v === 'bigint') return v.toString();
  return printArg(v, 'v', NO_FLAGS);
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly Value[]): string {
  let out = '';
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatValue(arg);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: spaces between all operands and a newline. */
export function sprintln(args: readonly Value[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

const TOO_LARGE = 1e6;

function parseNum(format: string, start: number): [number, boolean, number] {
  let i = start;
  let num = 0;
  while (i < format.length && format.charCodeAt(i) >= 48 && format.charCodeAt(i) <= 57) {
    if (num > TOO_LARGE) return [0, false, format.length];
    num = num * 10 + (format.charCodeAt(i) - 48);
    i++;
  }
  return [num, i > start, i];
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly Value[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const end = format.length;

  /** Parses "[n]" at i: [new argNum, new i, found, good]. */
  const argNumber = (i: number): [number, number, boolean, boolean] => {
    if (i >= end || format[i] !== '[') return [argNum, i, false, true];
    reordered = true;
    for (let j = i + 1; j < end; j++) {
      if (format[j] === ']') {
        const [index, ok, newi] = parseNum(format, i + 1);
        if (!ok || newi !== j) return [argNum, j + 1, false, false];
        const n = index - 1;
        if (n >= 0 && n < args.length) return [n, j + 1, true, true];
        return [argNum, j + 1, true, false];
      }
    }
    return [argNum, i + 1, false, false];
  };
  const intFromArg = (): [number, boolean] => {
    if (argNum >= args.length) return [0, false];
    const a = args[argNum++] as Value;
    if (typeof a !== 'bigint') return [0, false];
    const n = Number(a);
    if (n > TOO_LARGE || n < -TOO_LARGE) return [0, false];
    return [n, true];
  };

  for (let i = 0; i < end; ) {
    let goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    const f = newFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    let afterIndex: boolean;
    let good: boolean;
    [argNum, i, afterIndex, good] = argNumber(i);
    goodArgNum &&= good;
    if (i < end && format[i] === '*') {
      i++;
      [f.wid, f.widPresent] = intFromArg();
      if (!f.widPresent) out += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      [f.wid, f.widPresent, i] = parseNum(format, i);
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      [argNum, i, afterIndex, good] = argNumber(i);
      goodArgNum &&= good;
      if (i < end && format[i] === '*') {
        i++;
        [f.prec, f.precPresent] = intFromArg();
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!f.precPresent) out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        [f.prec, f.precPresent, i] = parseNum(format, i);
        if (!f.precPresent) {
          f.prec = 0;
          f.precPresent = true;
        }
      }
    }
    if (!afterIndex) {
      [argNum, i, , good] = argNumber(i);
      goodArgNum &&= good;
    }
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') {
      out += '%';
    } else if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
    } else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plusV = f.plus;
        f.plus = false;
      }
      out += printArg(args[argNum] as Value, verb, f);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    out +=
      '%!(EXTRA ' +
      args
        .slice(argNum)
        .map((a) => (a === null ? '<nil>' : `${typeName(a)}=${printArg(a, 'v', NO_FLAGS)}`))
        .join(', ') +
      ')';
  }
  return out;
}
