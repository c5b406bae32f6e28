// The functions a template may call: text/template's builtins plus the Prometheus (and vmalert) alert
// template functions that need no query backend. Each declares its argument count so a call with the
// wrong number of arguments is rejected when the rule file is loaded, not when the alert fires.
import { cachedRe2, RegexSyntaxError, replaceAllRe2, type Re2Regex } from '../../regex/index.js';
import { ArgTypeError, FuncError } from './errors.js';
import { sprint, sprintf, sprintln } from './go-fmt.js';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, toFloat, toTime } from './humanize.js';
import { parseDuration } from '../../config/duration.js';
import { htmlEscape, jsEscape, jsonString, mapRunes, quicktemplateHtml, stripDomain, stripPort, title, urlEscape } from './string-functions.js';
import { eq, index, le, len, lt, slice } from './value-functions.js';
import { floatToTime } from './humanize.js';
import { formatTime } from './go-time.js';
import { secondsToDuration } from './go-duration.js';
import { isTrue, typeName, type AlertRoot, type Value } from './values.js';

export interface FuncDef {
  readonly min: number;
  /** Infinity for variadic functions. */
  readonly max: number;
  /** `root` is the alert data: now() reads the evaluation time from it. */
  readonly call: (args: readonly Value[], root: AlertRoot) => Value;
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

/** Joins the arguments as html, js and urlquery do: a lone string as is, else fmt.Sprint. */
function evalArgs(args: readonly Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
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
  // Prometheus 3.6
  ['toDuration', one((v) => secondsToDuration(toFloat(v)))],
  // The evaluation time in seconds (Prometheus: the rule's evaluation timestamp; vmalert: the clock).
  ['now', { min: 0, max: 0, call: (_args, root) => root.nowMs / 1000 }],
  ['parseDuration', oneString((s) => durationMs(s) / 1000)],
  // Prometheus 3.8
  ['urlQueryEscape', oneString((s) => urlEscape(s, 'query'))],
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
  ['parseDurationTime', oneString((s) => secondsToDuration(durationMs(s) / 1000))],
  [
    'formatTime',
    {
      min: 2,
      max: 2,
      call: (a) => {
        const seconds = toFloat(a[1] as Value);
        if (!Number.isFinite(seconds)) throw new FuncError(`formatTime: cannot convert ${seconds} to time`);
        return formatTime(floatToTime(seconds), str(a[0] as Value));
      },
    },
  ],
]);

/** A duration string (1h30m, also negative as Prometheus 3 allows) in milliseconds. */
function durationMs(text: string): number {
  const negative = text.startsWith('-');
  const ms = parseDuration(negative ? text.slice(1) : text);
  if (ms === undefined) throw new FuncError(`not a valid duration string: ${JSON.stringify(text)}`);
  return negative ? -ms : ms;
}

/** Functions of Prometheus or vmalert that cannot work here, with the reason given to the author. */
export const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ...['query', 'first', 'label', 'value', 'strvalue', 'sortByLabel'].map((name): [string, string] => [name, 'alert templates cannot run queries']),
  ...['graphLink', 'tableLink', 'externalURL', 'pathPrefix'].map((name): [string, string] => [name, 'there is no external URL to link to']),
  ['args', 'there are no named templates to pass arguments to'],
  ['tmpl', 'there are no named templates'],
  ['call', 'templates have no function values'],
]);
