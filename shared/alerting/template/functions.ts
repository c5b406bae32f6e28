// The functions a template may call: text/template's builtins plus the Prometheus (and vmalert) alert
// template functions that need no query backend. Each declares its argument count so a call with the
// wrong number of arguments is rejected when the rule file is loaded, not when the alert fires.
import { isIP } from 'node:net';
import { cachedRe2, RegexSyntaxError, replaceAllRe2, type Re2Regex } from '../../regex/index.js';
import { ArgTypeError, FuncError } from './errors.js';
import { isPrint, sprint, sprintf, sprintln } from './go-fmt.js';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, toTime } from './humanize.js';
import { parseDuration } from '../../config/duration.js';
import { GoTime, isMap, isTrue, mapGet, typeName, utf8Length, type Value } from './values.js';

export interface FuncDef {
  readonly min: number;
  /** Infinity for variadic functions. */
  readonly max: number;
  readonly call: (args: readonly Value[]) => Value;
  /** and/or evaluate their arguments lazily; the executor handles them. */
  readonly lazy?: 'and' | 'or';
  /** Position of an argument that is a regular expression, compiled at parse time when it is a literal. */
  readonly regexArg?: number;
}

function str(v: Value): string {
  if (typeof v === 'string') return v;
  throw new ArgTypeError(`wrong type for value; expected string; got ${typeName(v)}`);
}

// --- regular expressions (Go RE2 syntax, linear-time matching) ---------------------------------------

/** The compiled Go regular expression; a syntax error becomes the template error Go reports. */
export function goRegex(pattern: string): Re2Regex {
  try {
    return cachedRe2(pattern);
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new FuncError(err.message);
    throw err;
  }
}

// --- host names -------------------------------------------------------------------------------------

/** net.SplitHostPort; undefined where Go returns an error. */
function splitHostPort(hostport: string): [string, string] | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 === hostport.length || end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (hostport.indexOf('[', j) >= 0 || hostport.indexOf(']', k) >= 0) return undefined;
  return [host, hostport.slice(i + 1)];
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function stripPort(hostport: string): string {
  return splitHostPort(hostport)?.[0] ?? hostport;
}

function stripDomain(hostport: string): string {
  const split = splitHostPort(hostport);
  let host = split ? split[0] : hostport;
  const port = split ? split[1] : '';
  if (isIP(host) !== 0) return hostport;
  host = host.split('.')[0] as string;
  return port !== '' ? joinHostPort(host, port) : host;
}

// --- strings ----------------------------------------------------------------------------------------

const ASCII_RE = /^[\x00-\x7f]*$/;

/** Go maps case rune by rune; JavaScript's "ß".toUpperCase() is "SS", Go keeps "ß". */
function mapRunes(s: string, upper: boolean): string {
  if (ASCII_RE.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    // U+0130 is the one letter whose JavaScript lower case has two code points; Go maps it to "i".
    const mapped = upper ? ch.toUpperCase() : ch === '\u0130' ? 'i' : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

const LETTER_OR_DIGIT_RE = /^[\p{L}\p{Nd}\p{Nl}\p{No}]$/u;
const SPACE_RE = /^\s$/u;

/** strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  const isSeparator = (ch: string): boolean => {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x7f) return !/[A-Za-z0-9_]/.test(ch);
    if (LETTER_OR_DIGIT_RE.test(ch)) return false;
    return SPACE_RE.test(ch);
  };
  let out = '';
  let prev = ' ';
  for (const ch of s) {
    if (isSeparator(prev)) {
      const t = ch.toUpperCase();
      out += [...t].length === 1 ? t : ch;
    } else out += ch;
    prev = ch;
  }
  return out;
}

/** Go's template.HTMLEscapeString. */
function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\ufffd' })[c] as string);
}

/** Go's template.JSEscapeString. */
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else if (c < 0x80 || isPrint(ch)) out += ch;
    else out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** Go's url.QueryEscape (query) or url.PathEscape (path segment). */
function urlEscape(s: string, mode: 'query' | 'path'): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (mode === 'path' && /[$&+:=@]/.test(ch)) out += ch;
    else if (mode === 'query' && ch === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** vmalert's jsonEscape (quicktemplate's JSON string): JSON escapes, plus < and ' for embedding in HTML. */
function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[<']/g, (c) => (c === '<' ? '\\u003c' : '\\u0027'));
}

/** vmalert's htmlEscape (quicktemplate's HTML escaping). */
function quicktemplateHtml(s: string): string {
  return s.replace(/[<>"'&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '&': '&amp;' })[c] as string);
}

/** Joins the arguments as html, js and urlquery do: a lone string as is, else fmt.Sprint. */
function evalArgs(args: readonly Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

// --- comparisons (text/template's eq, lt and friends) -----------------------------------------------

type Kind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function kindOf(v: Value): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      // Go refuses to compare int and float64 ("incompatible types for comparison"), which makes
      // {{ if gt $value 100 }} fail at runtime; comparing them as numbers is what the author meant.
      return 'number';
    case 'string':
      return 'string';
    default:
      return v === null ? 'nil' : 'other';
  }
}

function numEq(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
  return Number(a) === Number(b);
}

function numLt(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b;
  return Number(a) < Number(b);
}

function eq(args: readonly Value[]): boolean {
  const a = args[0] as Value;
  if (args.length < 2) throw new FuncError('missing argument for comparison');
  const ka = kindOf(a);
  for (let i = 1; i < args.length; i++) {
    const b = args[i] as Value;
    const kb = kindOf(b);
    if (ka !== kb) {
      if (ka !== 'nil' && kb !== 'nil') throw new FuncError('incompatible types for comparison');
      continue;
    }
    let truth: boolean;
    switch (ka) {
      case 'number':
        truth = numEq(a as number | bigint, b as number | bigint);
        break;
      case 'nil':
        truth = true;
        break;
      case 'other':
        if (a instanceof GoTime && b instanceof GoTime) {
          truth = a.ms === b.ms;
          break;
        }
        throw new FuncError(`non-comparable type ${typeName(a)}`);
      default:
        truth = a === b;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: Value, b: Value): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || ka === 'other' || kb === 'nil' || kb === 'other') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  if (ka === 'bool') throw new FuncError('invalid type for comparison');
  if (ka === 'number') return numLt(a as number | bigint, b as number | bigint);
  return (a as string) < (b as string);
}

const le = (a: Value, b: Value): boolean => lt(a, b) || eq([a, b]);

// --- index, slice, len ------------------------------------------------------------------------------

function intIndex(v: Value, what: string): number {
  if (typeof v !== 'bigint') throw new FuncError(`cannot index ${what} with type ${typeName(v)}`);
  return Number(v);
}

function index(args: readonly Value[]): Value {
  let item = args[0] as Value;
  if (item === null) throw new FuncError('index of untyped nil');
  for (let i = 1; i < args.length; i++) {
    const key = args[i] as Value;
    if (typeof item === 'string' || Array.isArray(item)) {
      const seq: string | readonly Value[] = item;
      const bytes: Buffer | undefined = typeof seq === 'string' ? Buffer.from(seq, 'utf8') : undefined;
      const length = bytes ? bytes.length : (seq as readonly Value[]).length;
      const x = intIndex(key, typeof seq === 'string' ? 'string' : 'slice/array');
      if (x < 0 || x >= length) throw new FuncError(`index out of range: ${x}`);
      item = bytes ? BigInt(bytes[x] as number) : ((seq as readonly Value[])[x] as Value);
    } else if (isMap(item)) {
      if (typeof key !== 'string') throw new FuncError(`value has type ${typeName(key)}; should be string`);
      item = mapGet(item, key);
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: readonly Value[]): Value {
  const item = args[0] as Value;
  if (item === null) throw new FuncError('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new FuncError(`can't slice item of type ${typeName(item)}`);
  if (args.length > 4) throw new FuncError(`too many slice indexes: ${args.length - 1}`);
  if (typeof item === 'string' && args.length === 4) throw new FuncError('cannot 3-index slice a string');
  const bytes = typeof item === 'string' ? Buffer.from(item, 'utf8') : undefined;
  const length = bytes ? bytes.length : (item as readonly Value[]).length;
  const idx = [0, length];
  for (let i = 1; i < args.length && i <= 2; i++) {
    const x = intIndex(args[i] as Value, 'slice');
    if (x < 0 || x > length) throw new FuncError(`index out of range: ${x}`);
    idx[i - 1] = x;
  }
  const [from, to] = idx as [number, number];
  if (from > to) throw new FuncError(`invalid slice index: ${from} > ${to}`);
  return bytes ? bytes.subarray(from, to).toString('utf8') : (item as readonly Value[]).slice(from, to);
}

function len(v: Value): bigint {
  if (typeof v === 'string') return BigInt(utf8Length(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (v !== null && isMap(v)) return BigInt(Object.keys(v).length);
  if (v === null) throw new FuncError('len of nil pointer');
  throw new FuncError(`len of type ${typeName(v)}`);
}

// --- the table --------------------------------------------------------------------------------------

const one = (fn: (v: Value) => Value): FuncDef => ({ min: 1, max: 1, call: (a) => fn(a[0] as Value) });
const oneString = (fn: (s: string) => Value): FuncDef => ({ min: 1, max: 1, call: (a) => fn(str(a[0] as Value)) });

export const FUNCTIONS: ReadonlyMap<string, FuncDef> = new Map<string, FuncDef>([
  // text/template builtins
  ['and', { min: 1, max: Infinity, lazy: 'and', call: () => null }],
  ['or', { min: 1, max: Infinity, lazy: 'or', call: () => null }],
  ['not', one((v) => !isTrue(v))],
  ['len', one(len)],
  ['index', { min: 1, max: Infinity, call: index }],
  ['slice', { min: 1, max: Infinity, call: slice }],
  ['print', { min: 0, max: Infinity, call: sprint }],
  ['println', { min: 0, max: Infinity, call: sprintln }],
  ['printf', { min: 1, max: Infinity, call: (a) => sprintf(str(a[0] as Value), a.slice(1)) }],
  ['html', { min: 0, max: Infinity, call: (a) => htmlEscape(evalArgs(a)) }],
  ['js', { min: 0, max: Infinity, call: (a) => jsEscape(evalArgs(a)) }],
  ['urlquery', { min: 0, max: Infinity, call: (a) => urlEscape(evalArgs(a), 'query') }],
  ['eq', { min: 1, max: Infinity, call: eq }],
  ['ne', { min: 2, max: 2, call: (a) => !eq(a) }],
  ['lt', { min: 2, max: 2, call: (a) => lt(a[0] as Value, a[1] as Value) }],
  ['le', { min: 2, max: 2, call: (a) => le(a[0] as Value, a[1] as Value) }],
  ['gt', { min: 2, max: 2, call: (a) => !le(a[0] as Value, a[1] as Value) }],
  ['ge', { min: 2, max: 2, call: (a) => !lt(a[0] as Value, a[1] as Value) }],
  // Prometheus
  ['humanize', one(humanize)],
  ['humanize1024', one(humanize1024)],
  ['humanizeDuration', one(humanizeDuration)],
  ['humanizePercentage', one(humanizePercentage)],
  ['humanizeTimestamp', one(humanizeTimestamp)],
  ['toTime', one(toTime)],
  [
    'parseDuration',
    oneString((s) => {
      const ms = parseDuration(s);
      if (ms === undefined) throw new FuncError(`not a valid duration string: ${JSON.stringify(s)}`);
      return ms / 1000;
    }),
  ],
  ['title', oneString(title)],
  ['toUpper', oneString((s) => mapRunes(s, true))],
  ['toLower', oneString((s) => mapRunes(s, false))],
  ['stripPort', oneString(stripPort)],
  ['stripDomain', oneString(stripDomain)],
  ['safeHtml', oneString((s) => s)],
  [
    'match',
    {
      min: 2,
      max: 2,
      regexArg: 0,
      call: (a) => goRegex(str(a[0] as Value)).test(str(a[1] as Value)),
    },
  ],
  ['reReplaceAll', { min: 3, max: 3, regexArg: 0, call: (a) => replaceAllRe2(goRegex(str(a[0] as Value)), str(a[2] as Value), str(a[1] as Value)) }],
  // vmalert
  ['htmlEscape', oneString(quicktemplateHtml)],
  ['jsonEscape', oneString(jsonString)],
  ['quotesEscape', oneString((s) => jsonString(s).slice(1, -1))],
  ['crlfEscape', oneString((s) => s.replace(/\n/g, '\\n').replace(/\r/g, '\\r'))],
  ['pathEscape', oneString((s) => urlEscape(s, 'path'))],
  ['queryEscape', oneString((s) => urlEscape(s, 'query'))],
]);

/** Functions of Prometheus or vmalert that cannot work here, with the reason given to the author. */
export const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ...['query', 'first', 'label', 'value', 'strvalue', 'sortByLabel'].map((name): [string, string] => [name, 'alert templates cannot run queries']),
  ...['graphLink', 'tableLink', 'externalURL', 'pathPrefix'].map((name): [string, string] => [name, 'there is no external URL to link to']),
  ['args', 'there are no named templates to pass arguments to'],
  ['tmpl', 'there are no named templates'],
  ['call', 'templates have no function values'],
  ['parseDurationTime', 'use parseDuration, which returns seconds'],
]);
