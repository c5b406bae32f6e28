// Go's fmt for the values templates handle: Sprintf (printf), Sprint (print, and how {{ x }} prints),
// Sprintln, with Go's verbs, flags, width and precision, and Go's in-band errors such as
// "%!d(float64=1.5)" — a rule copied from Prometheus prints here exactly what it printed there.
import { formatFloat, formatFloatV, type FloatFormat } from './go-float.js';
import { timeString } from './go-time.js';
import { AlertRoot, GoTime, isMap, sortedKeys, typeName, type Value } from './values.js';

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function newFlags(): Flags {
  return { minus: false, plus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

const NO_FLAGS: Flags = Object.freeze(newFlags());

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function padding(f: Flags, count: number): string {
  return count > 0 ? (f.zero ? '0' : ' ').repeat(count) : '';
}

/** Pads to the width: left (or right with '-'), with zeros when the '0' flag is set. */
function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid === 0) return s;
  const n = f.wid - runeCount(s);
  if (n <= 0) return s;
  return f.minus ? s + ' '.repeat(n) : padding(f, n) + s;
}

function padNoZero(f: Flags, s: string): string {
  if (!f.zero) return pad(f, s);
  return pad({ ...f, zero: false }, s);
}

// --- strconv.Quote ---------------------------------------------------------------------------------

const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c >= 0x20 && c < 0x7f) return true;
  if (c < 0xa1) return false;
  return PRINTABLE_RE.test(ch);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** strconv.Quote / QuoteToASCII / QuoteRune. */
export function goQuote(s: string, quote = '"', asciiOnly = false): string {
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (asciiOnly ? c < 0x80 && isPrint(ch) : isPrint(ch)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + hex(c, 2);
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else if (c < 0x10000) out += '\\u' + hex(c, 4);
    else out += '\\U' + hex(c, 8);
  }
  return out + quote;
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '`' || c === 0xfeff) return false;
    if ((c < 0x20 && ch !== '\t') || c === 0x7f) return false;
  }
  return true;
}

// --- verbs per type ----------------------------------------------------------------------------------

function badVerb(v: Value, verb: string, f: Flags): string {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${printArg(v, 'v', f)})`;
}

function fmtFloat(v: number, verb: string, f: Flags): string {
  let fmtChar: FloatFormat;
  let prec: number;
  switch (verb) {
    case 'v':
      fmtChar = 'g';
      prec = -1;
      break;
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
      fmtChar = verb;
      prec = -1;
      break;
    case 'f':
    case 'F':
      fmtChar = 'f';
      prec = 6;
      break;
    case 'e':
    case 'E':
      fmtChar = verb;
      prec = 6;
      break;
    default:
      return badVerb(v, verb, f);
  }
  if (f.precPresent) prec = f.prec;
  let num = formatFloat(v, fmtChar, prec);
  if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
  if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
  if (num[1] === 'I' || num[1] === 'N') {
    if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
    return padNoZero(f, num);
  }
  if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
  if (f.plus || num[0] !== '+') {
    if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
      return num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
    }
    return pad(f, num);
  }
  return pad(f, num.slice(1));
}

/** The '#' flag: keep the decimal point, and for %g keep trailing zeros up to the precision. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let body = num;
  let tail = '';
  let hasDot = false;
  let sawNonzero = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '.') {
      hasDot = true;
      continue;
    }
    if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    }
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!hasDot) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  while (digits > 0) {
    body += '0';
    digits--;
  }
  return body + tail;
}

function fmtInteger(v: bigint, base: number, verb: string, f: Flags, upper: boolean): string {
  const negative = v < 0n;
  const u = negative ? -v : v;
  let prec = 0;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && u === 0n) return f.widPresent ? ' '.repeat(f.wid) : '';
  } else if (f.zero && !f.minus && f.widPresent) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u.toString(base);
  if (upper) digits = digits.toUpperCase();
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    else if (base === 2) digits = '0b' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (negative) digits = '-' + digits;
  else if (f.plus) digits = '+' + digits;
  else if (f.space) digits = ' ' + digits;
  return padNoZero(f, digits);
}

function fmtChar(v: bigint, quoted: boolean, f: Flags): string {
  const valid = v >= 0n && v <= 0x10ffffn && !(v >= 0xd800n && v <= 0xdfffn);
  const ch = valid ? String.fromCodePoint(Number(v)) : '\ufffd';
  if (!quoted) return pad(f, ch);
  return pad(f, goQuote(ch, "'", f.plus));
}

function fmtUnicode(v: bigint, f: Flags): string {
  let prec = 4;
  if (f.precPresent && f.prec > 4) prec = f.prec;
  let s = 'U+' + (v < 0n ? (v + (1n << 64n)) : v).toString(16).toUpperCase().padStart(prec, '0');
  if (f.sharp && v >= 0n && v <= 0x10ffffn && isPrint(String.fromCodePoint(Number(v)))) s += ` '${String.fromCodePoint(Number(v))}'`;
  return padNoZero(f, s);
}

function fmtIntegerVerb(v: bigint, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
      if (f.sharpV) return fmtInteger(v, 10, verb, { ...f, sharp: false }, false);
      return fmtInteger(v, 10, verb, f, false);
    case 'd':
      return fmtInteger(v, 10, verb, f, false);
    case 'b':
      return fmtInteger(v, 2, verb, f, false);
    case 'o':
    case 'O':
      return fmtInteger(v, 8, verb, f, false);
    case 'x':
      return fmtInteger(v, 16, verb, f, false);
    case 'X':
      return fmtInteger(v, 16, verb, f, true);
    case 'c':
      return fmtChar(v, false, f);
    case 'q':
      return fmtChar(v, true, f);
    case 'U':
      return fmtUnicode(v, f);
    default:
      return badVerb(v, verb, f);
  }
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
      return fmtFloat(v, verb, f);
    case 'bigint':
      return fmtIntegerVerb(v, verb, f);
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(f, v ? 'true' : 'false') : badVerb(v, verb, f);
  }
  if (v instanceof GoTime) {
    // time.Time is a Stringer: these verbs print its String().
    if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') return fmtString(timeString(v), verb, f);
    return badVerb(timeString(v), verb, f);
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
