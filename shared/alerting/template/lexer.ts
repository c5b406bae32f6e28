// Tokenizer following Go's text/template/parse/lex.go: the same delimiters, trim markers ("{{- " and
// " -}}" need the space), comments, and the same rules for what may end a word, so templates that Go
// accepts are tokenized alike and the errors point at the same mistakes.
import { templateError } from './errors.js';

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'string'
  | 'rawString'
  | 'charConstant'
  | 'number'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'leftParen'
  | 'rightParen'
  | 'char'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** The token's text (for text tokens, after trimming). */
  readonly val: string;
  /** Offset of the token in the template text. */
  readonly pos: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const LEFT = '{{';
const RIGHT = '}}';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

const ALNUM_RE = /^[\p{L}\p{Nd}_]$/u;

function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 0x80) {
    return c === '_' || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  }
  return ALNUM_RE.test(c);
}

function describeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

/** Splits a template into tokens; throws TemplateError on lexical errors. */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  const n = input.length;
  let pos = 0;

  const fail = (offset: number, reason: string): never => {
    throw templateError(input, offset, reason);
  };
  const hasLeftTrimMarker = (p: number): boolean => input[p] === '-' && isSpace(input[p + 1]);
  const hasRightTrimMarker = (p: number): boolean => isSpace(input[p]) && input[p + 1] === '-';
  /** [at a right delimiter, with trim marker] */
  const atRightDelim = (p: number): [boolean, boolean] => {
    if (hasRightTrimMarker(p) && input.startsWith(RIGHT, p + 2)) return [true, true];
    if (input.startsWith(RIGHT, p)) return [true, false];
    return [false, false];
  };
  const skipSpaces = (p: number): number => {
    while (p < n && isSpace(input[p])) p++;
    return p;
  };
  const atTerminator = (p: number): boolean => {
    const c = input[p];
    if (c === undefined || isSpace(c)) return true;
    if (c === '.' || c === ',' || c === '|' || c === ':' || c === ')' || c === '(') return true;
    return input.startsWith(RIGHT, p);
  };
  const alnumRun = (p: number): number => {
    while (p < n) {
      const cp = input.codePointAt(p) ?? 0;
      const ch = String.fromCodePoint(cp);
      if (!isAlphaNumeric(ch)) break;
      p += ch.length;
    }
    return p;
  };
  const badCharAt = (p: number): never => {
    const ch = String.fromCodePoint(input.codePointAt(p) ?? 0);
    return fail(p, `bad character ${describeChar(ch)}`);
  };

  /** Go's scanNumber: returns the end of the number, or -1 (with the end of the bad text) when malformed. */
  const scanNumber = (start: number): [number, boolean] => {
    let p = start;
    const accept = (valid: string): boolean => {
      const c = input[p];
      if (c !== undefined && valid.includes(c)) {
        p++;
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string): void => {
      while (accept(valid));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input[p])) return [p + 1, false];
    return [p, true];
  };

  /** Scans a quoted literal starting at the opening quote; returns the offset after the closing quote. */
  const scanQuoted = (start: number, quote: string, what: string): number => {
    let p = start + 1;
    for (;;) {
      const c = input[p++];
      if (c === '\\') {
        const next = input[p++];
        if (next !== undefined && next !== '\n') continue;
        return fail(start, `unterminated ${what}`);
      }
      if (c === undefined || c === '\n') return fail(start, `unterminated ${what}`);
      if (c === quote) return p;
    }
  };

  const lexInsideAction = (actionStart: number): void => {
    let parenDepth = 0;
    for (;;) {
      const [delim, trim] = atRightDelim(pos);
      if (delim) {
        if (parenDepth !== 0) fail(pos, 'unclosed left paren');
        const delimPos = trim ? pos + 2 : pos;
        tokens.push({ type: 'rightDelim', val: RIGHT, pos: delimPos });
        pos = delimPos + 2;
        if (trim) pos = skipSpaces(pos);
        return;
      }
      const start = pos;
      const c = input[pos];
      if (c === undefined) return fail(actionStart, 'unclosed action');
      if (isSpace(c)) {
        let end = skipSpaces(pos);
        // The last space may belong to a " -}}" trim marker.
        if (input.startsWith('-' + RIGHT, end)) end--;
        if (end > pos) tokens.push({ type: 'space', val: input.slice(pos, end), pos });
        pos = end;
        continue;
      }
      pos++;
      switch (c) {
        case '=':
          tokens.push({ type: 'assign', val: '=', pos: start });
          continue;
        case ':':
          if (input[pos] !== '=') fail(start, 'expected :=');
          pos++;
          tokens.push({ type: 'declare', val: ':=', pos: start });
          continue;
        case '|':
          tokens.push({ type: 'pipe', val: '|', pos: start });
          continue;
        case '"':
          pos = scanQuoted(start, '"', 'quoted string');
          tokens.push({ type: 'string', val: input.slice(start, pos), pos: start });
          continue;
        case '`': {
          const end = input.indexOf('`', pos);
          if (end < 0) fail(start, 'unterminated raw quoted string');
          pos = end + 1;
          tokens.push({ type: 'rawString', val: input.slice(start, pos), pos: start });
          continue;
        }
        case "'":
          pos = scanQuoted(start, "'", 'character constant');
          tokens.push({ type: 'charConstant', val: input.slice(start, pos), pos: start });
          continue;
        case '$': {
          if (atTerminator(pos)) {
            tokens.push({ type: 'variable', val: '$', pos: start });
            continue;
          }
          pos = alnumRun(pos);
          if (!atTerminator(pos)) badCharAt(pos);
          tokens.push({ type: 'variable', val: input.slice(start, pos), pos: start });
          continue;
        }
        case '(':
          parenDepth++;
          tokens.push({ type: 'leftParen', val: '(', pos: start });
          continue;
        case ')':
          parenDepth--;
          if (parenDepth < 0) fail(start, 'unexpected right paren');
          tokens.push({ type: 'rightParen', val: ')', pos: start });
          continue;
        default:
          break;
      }
      const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
      if (c === '.' && !isDigit(input[pos])) {
        if (atTerminator(pos)) {
          tokens.push({ type: 'dot', val: '.', pos: start });
          continue;
        }
        pos = alnumRun(pos);
        if (!atTerminator(pos)) badCharAt(pos);
        tokens.push({ type: 'field', val: input.slice(start, pos), pos: start });
        continue;
      }
      if (c === '.' || c === '+' || c === '-' || isDigit(c)) {
        const [end, ok] = scanNumber(start);
        pos = end;
        if (!ok) fail(start, `bad number syntax: ${JSON.stringify(input.slice(start, end))}`);
        tokens.push({ type: 'number', val: input.slice(start, end), pos: start });
        continue;
      }
      if (isAlphaNumeric(c) || isAlphaNumeric(String.fromCodePoint(input.codePointAt(start) ?? 0))) {
        pos = alnumRun(start);
        if (!atTerminator(pos)) badCharAt(pos);
        const word = input.slice(start, pos);
        if (KEYWORDS.has(word)) tokens.push({ type: 'keyword', val: word, pos: start });
        else if (word === 'true' || word === 'false') tokens.push({ type: 'bool', val: word, pos: start });
        else if (word === 'nil') tokens.push({ type: 'nil', val: word, pos: start });
        else tokens.push({ type: 'identifier', val: word, pos: start });
        continue;
      }
      const code = c.charCodeAt(0);
      if (code >= 0x21 && code < 0x7f) {
        tokens.push({ type: 'char', val: c, pos: start });
        continue;
      }
      const ch = String.fromCodePoint(input.codePointAt(start) ?? 0);
      fail(start, `unrecognized character in action: ${describeChar(ch)}`);
    }
  };

  while (pos < n) {
    const x = input.indexOf(LEFT, pos);
    if (x < 0) {
      tokens.push({ type: 'text', val: input.slice(pos), pos });
      pos = n;
      break;
    }
    const afterDelim = x + LEFT.length;
    const trimLeft = hasLeftTrimMarker(afterDelim);
    let textEnd = x;
    if (trimLeft) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) tokens.push({ type: 'text', val: input.slice(pos, textEnd), pos });
    pos = afterDelim + (trimLeft ? 2 : 0);
    if (input.startsWith('/*', pos)) {
      const end = input.indexOf('*/', pos + 2);
      if (end < 0) fail(x, 'unclosed comment');
      pos = end + 2;
      const [delim, trim] = atRightDelim(pos);
      if (!delim) fail(pos, 'comment ends before closing delimiter');
      pos += (trim ? 2 : 0) + RIGHT.length;
      if (trim) pos = skipSpaces(pos);
      continue;
    }
    tokens.push({ type: 'leftDelim', val: LEFT, pos: x });
    lexInsideAction(x);
  }
  tokens.push({ type: 'eof', val: '', pos: n });
  return tokens;
}
