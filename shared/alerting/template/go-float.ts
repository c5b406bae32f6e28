// Go's strconv.FormatFloat for float64: 'e', 'E', 'f', 'g', 'G', 'b', 'x', 'X' with a precision or -1
// (shortest). Alert text depends on it ({{ $value }} is %v, humanize is %.4g), so this reproduces Go's
// rules rather than JavaScript's: 1e6 prints "1e+06", exponents have at least two digits, and a value
// exactly halfway between two roundings goes to the even digit (Go) instead of up (toFixed).

/** Decimal digits without trailing zeros; the value is 0.d × 10^dp. Zero has d === ''. */
interface Decimal {
  d: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));
const MIN_NORMAL = 2 ** -1022;

function floatBits(v: number): { mant: bigint; exp: number } {
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (biased === 0) exp = -1022;
  else {
    mant |= 1n << 52n;
    exp = biased - 1023;
  }
  return { mant, exp };
}

function trimZeros(d: string): string {
  let end = d.length;
  while (end > 0 && d.charCodeAt(end - 1) === 48) end--;
  return end === d.length ? d : d.slice(0, end);
}

/** Shortest digits that read back as the same float64 (JavaScript and Go agree on these). */
function shortestDecimal(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  const s = a.toExponential();
  const e = s.indexOf('e');
  const digits = s.charCodeAt(1) === 46 ? s[0] + s.slice(2, e) : s.slice(0, e);
  return { d: trimZeros(digits), dp: Number(s.slice(e + 1)) + 1 };
}

/** The exact decimal expansion of a float64 (always finite). */
function exactDecimal(a: number): Decimal {
  if (a === 0) return { d: '', dp: 0 };
  const { mant, exp } = floatBits(a);
  const e2 = exp - 52;
  if (e2 >= 0) {
    const d = (mant << BigInt(e2)).toString();
    return { d: trimZeros(d), dp: d.length };
  }
  const d = (mant * 5n ** BigInt(-e2)).toString();
  return { d: trimZeros(d), dp: d.length + e2 };
}

/** Go's decimal.Round(nd) on exact digits: ties go to the even digit. */
function roundDecimal(x: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= x.d.length) return x;
  const digit = x.d.charCodeAt(nd);
  let up: boolean;
  if (digit === 53 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = digit >= 53;
  if (!up) {
    const d = trimZeros(x.d.slice(0, nd));
    return { d, dp: d.length === 0 ? 0 : x.dp };
  }
  let i = nd - 1;
  while (i >= 0 && x.d.charCodeAt(i) === 57) i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

/** The float rounded to nd significant digits, correctly (from the exact value) where it matters. */
function roundedDecimal(a: number, nd: number): Decimal {
  // Beyond 15 digits, or for subnormals (which carry fewer bits), the shortest digits are not precise enough.
  if (nd > 15 || a < MIN_NORMAL) return roundDecimal(exactDecimal(a), nd);
  const s = shortestDecimal(a);
  if (nd >= s.d.length) return s;
  // The shortest digits decide the rounding unless they end in a 5 just past the cut: then the exact
  // value may lie on either side of (or on) the halfway point.
  if (nd + 1 === s.d.length && s.d.charCodeAt(nd) === 53) return roundDecimal(exactDecimal(a), nd);
  return roundDecimal(s, nd);
}

function fmtE(neg: boolean, x: Decimal, prec: number, e: string): string {
  let out = neg ? '-' : '';
  out += x.d.length > 0 ? x.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const m = Math.min(x.d.length, prec + 1);
    if (m > 1) out += x.d.slice(1, m);
    for (let i = Math.max(m, 1); i <= prec; i++) out += '0';
  }
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  out += e;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  return out + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, x: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    out += x.d.slice(0, m);
    for (let i = m; i < x.dp; i++) out += '0';
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

function fmtB(neg: boolean, a: number): string {
  const { mant, exp } = floatBits(a);
  const e = exp - 52;
  return `${neg ? '-' : ''}${a === 0 ? '0' : mant.toString()}p${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
}

function fmtX(neg: boolean, a: number, prec: number, upper: boolean): string {
  let { mant, exp } = floatBits(a);
  if (a === 0) {
    mant = 0n;
    exp = 0;
  }
  const ONE = 1n << 60n;
  const MASK = (1n << 64n) - 1n;
  mant = (mant << 8n) & MASK;
  while (mant !== 0n && (mant & ONE) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (ONE - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = (neg ? '-' : '') + (upper ? '0X' : '0x') + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & MASK;
  const digit = (): string => {
    const h = hex[Number((mant >> 60n) & 15n)] as string;
    mant = (mant << 4n) & MASK;
    return h;
  };
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) out += digit();
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digit();
  }
  out += upper ? 'P' : 'p';
  out += exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return out + (e < 10 ? '0' + e : String(e));
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G' | 'b' | 'x' | 'X';

/** strconv.FormatFloat(v, fmt, prec, 64). */
export function formatFloat(v: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  if (fmt === 'b') return fmtB(neg, a);
  if (fmt === 'x' || fmt === 'X') return fmtX(neg, a, prec, fmt === 'X');
  const shortest = prec < 0;
  let x: Decimal;
  if (shortest) {
    x = shortestDecimal(a);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(x.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(x.d.length - x.dp, 0);
    else prec = x.d.length;
  } else if (fmt === 'e' || fmt === 'E') {
    x = roundedDecimal(a, prec + 1);
  } else if (fmt === 'f') {
    const dp = a === 0 ? 0 : shortestDecimal(a).dp;
    // Rounding position depends on the exact value's magnitude when it differs from the shortest one.
    const exact = dp + prec > 15 || (a !== 0 && a < MIN_NORMAL) ? exactDecimal(a) : undefined;
    x = exact ? roundDecimal(exact, exact.dp + prec) : roundedDecimal(a, dp + prec);
  } else {
    if (prec === 0) prec = 1;
    x = roundedDecimal(a, prec);
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, x, prec, fmt);
    case 'f':
      return fmtF(neg, x, prec);
    default: {
      const nd = x.d.length;
      let eprec = prec;
      if (eprec > nd && nd >= x.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(neg, x, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > x.dp) prec = nd;
      return fmtF(neg, x, Math.max(prec - x.dp, 0));
    }
  }
}

/** Go's %v for a float64 (strconv 'g', shortest), with a fast path for the common magnitudes. */
export function formatFloatV(v: number): string {
  const a = Math.abs(v);
  // Between 1e-4 and 1e6 Go and JavaScript both print the shortest digits in plain notation.
  if (a >= 1e-4 && a < 1e6) return String(v);
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return formatFloat(v, 'g', -1);
}
