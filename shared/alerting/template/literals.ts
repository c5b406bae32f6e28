// Go's literal syntax for templates: string and character escapes (strconv.Unquote) and number literals
// (Go's int for integers, float64 where the text has . e or p), with Go's error messages.
import type { Token } from './lexer.js';

/** Reports a problem at a position of the template; never returns. */
export type Fail = (pos: number, reason: string) => never;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** Go's string and character literal escapes (strconv.Unquote). */
export function unquote(t: Token, quote: '"' | "'", fail: Fail): string {
  const body = t.val.slice(1, -1);
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  const bad = (): never => fail(t.pos, `invalid escape in ${quote === '"' ? 'string' : 'character constant'} ${t.val}`);
  const pushChar = (ch: string): void => {
    for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
  };
  for (let k = 0; k < body.length; ) {
    const cp = body.codePointAt(k) as number;
    const ch = String.fromCodePoint(cp);
    if (ch !== '\\') {
      pushChar(ch);
      k += ch.length;
      continue;
    }
    const e = body[k + 1];
    k += 2;
    if (e === undefined) bad();
    const simple = SIMPLE_ESCAPES[e as string];
    if (simple !== undefined) {
      bytes.push(simple);
      continue;
    }
    if (e === quote) {
      bytes.push(quote.charCodeAt(0));
      continue;
    }
    const hexDigits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexDigits > 0) {
      const digits = body.slice(k, k + hexDigits);
      if (!new RegExp(`^[0-9a-fA-F]{${hexDigits}}$`).test(digits)) bad();
      const value = parseInt(digits, 16);
      k += hexDigits;
      if (e === 'x') bytes.push(value);
      else if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) bad();
      else pushChar(String.fromCodePoint(value));
      continue;
    }
    if (e !== undefined && e >= '0' && e <= '7') {
      const digits = body.slice(k - 1, k + 2);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) bad();
      bytes.push(parseInt(digits, 8));
      k += 2;
      continue;
    }
    bad();
  }
  return Buffer.from(bytes).toString('utf8');
}


/** Number and character literals: Go's int for integers, float64 where the text has . e or p. */
export function numberLiteral(t: Token, fail: Fail): number | bigint {
  const text = t.val;
  const illegal = (): never => fail(t.pos, `illegal number syntax: ${JSON.stringify(text)}`);
  if (t.type === 'charConstant') {
    const s = unquote(t, "'", fail);
    const chars = [...s];
    if (chars.length !== 1) fail(t.pos, `malformed character constant: ${text}`);
    return BigInt(s.codePointAt(0) as number);
  }
  if (text.endsWith('i')) fail(t.pos, `complex number ${text} is not supported`);
  const sign = text[0] === '-' ? -1 : 1;
  const unsigned = text[0] === '-' || text[0] === '+' ? text.slice(1) : text;
  if (/(^_|_$|__|_\.|\._)/.test(unsigned.replace(/^0[xXoObB]_/, '0x'))) illegal();
  const digits = unsigned.replace(/_/g, '');
  const prefix = digits.slice(0, 2).toLowerCase();
  const isHex = prefix === '0x';
  const floatSyntax = isHex ? /[pP]/.test(digits) : /[.eEpP]/.test(digits);
  if (!floatSyntax) {
    let n: bigint | undefined;
    if (isHex && /^0[xX][0-9a-fA-F]+$/.test(digits)) n = BigInt(digits);
    else if (prefix === '0o' && /^0[oO][0-7]+$/.test(digits)) n = BigInt('0o' + digits.slice(2));
    else if (prefix === '0b' && /^0[bB][01]+$/.test(digits)) n = BigInt('0b' + digits.slice(2));
    else if (/^0\d+$/.test(digits)) n = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : undefined;
    else if (/^\d+$/.test(digits)) n = BigInt(digits);
    if (n === undefined) return illegal();
    n *= BigInt(sign);
    if (n > 9223372036854775807n || n < -9223372036854775808n) fail(t.pos, `number ${text} overflows int`);
    return n;
  }
  let v: number;
  if (isHex) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(digits);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return illegal();
    const frac = m[2] ?? '';
    v = parseInt((m[1] as string) + frac, 16) * 2 ** (Number(m[3]) - 4 * frac.length);
  } else {
    if (!/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(digits)) return illegal();
    v = Number(digits);
  }
  if (!Number.isFinite(v)) fail(t.pos, `number ${text} is out of range`);
  return sign * v;
}
