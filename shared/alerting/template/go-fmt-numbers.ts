// fmt's verbs for numbers: float64 (%e %f %g %x %v …, with # and precision) and int (%d %b %o %x %c %q %U …).
import { formatFloat, type FloatFormat } from './go-float.js';
import { pad, padNoZero, type Flags } from './go-fmt-flags.js';
import { goQuote, isPrint } from './go-quote.js';

/** A float64 with one verb; undefined for a verb floats do not take (the caller prints %!verb(…)). */
export function fmtFloat(v: number, verb: string, f: Flags): string | undefined {
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
      return undefined;
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

/** An int with one verb; undefined for a verb ints do not take. */
export function fmtIntegerVerb(v: bigint, verb: string, f: Flags): string | undefined {
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
      return undefined;
  }
}
