// Go's strconv.Quote and what it needs: which runes print as themselves, \x/\u/\U escapes, and whether a
// string can be written as a `raw` literal (%#q).

const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c >= 0x20 && c < 0x7f) return true;
  if (c < 0xa1) return false;
  return PRINTABLE_RE.test(ch);
}

export function hex(n: number, width: number): string {
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

export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '`' || c === 0xfeff) return false;
    if ((c < 0x20 && ch !== '\t') || c === 0x7f) return false;
  }
  return true;
}
