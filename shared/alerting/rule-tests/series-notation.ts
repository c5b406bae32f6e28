// The input notation of `promtool test rules`, pure: series selectors (`up{job="api"}`) and expanding
// values (`0+10x100`, `1-2x3`, `5x2`, `_`, `_x3`, `stale`). One value per interval, from time 0.
export type SeriesPoint = { kind: 'value'; value: number } | { kind: 'gap' } | { kind: 'stale' };

export class NotationError extends Error {}

const NUMBER = String.raw`[+-]?(?:Inf|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const UNSIGNED = String.raw`(?:Inf|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const SINGLE_RE = new RegExp(`^${NUMBER}$`, 'i');
const EXPANDING_RE = new RegExp(`^(${NUMBER})(?:([+-])(${UNSIGNED}))?x(\\d+)$`, 'i');
const GAPS_RE = /^_x(\d+)$/;

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  const bare = lower.replace(/^[+-]/, '');
  if (bare === 'inf') return sign * Infinity;
  if (bare === 'nan') return NaN;
  return sign * Number(bare);
}

/**
 * Expands a values string. `a+bxn` is a, a+b, …, a+n·b (n+1 values), `axn` repeats a n+1 times, `_xn`
 * is n missing samples, `stale` ends the series (a Prometheus staleness marker).
 */
export function expandValues(text: string): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
  tokens.forEach((token, index) => {
    const where = `value ${index + 1} "${token}"`;
    if (token === '_') return void out.push({ kind: 'gap' });
    if (token === 'stale') return void out.push({ kind: 'stale' });
    const gaps = GAPS_RE.exec(token);
    if (gaps) {
      for (let i = 0; i < Number(gaps[1]); i++) out.push({ kind: 'gap' });
      return;
    }
    if (SINGLE_RE.test(token)) return void out.push({ kind: 'value', value: parseNumber(token) });
    const m = EXPANDING_RE.exec(token);
    if (!m) throw new NotationError(`${where} is not a number, a+bxn, a-bxn, axn, _, _xn or stale`);
    const start = parseNumber(m[1] as string);
    const step = m[2] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * parseNumber(m[3] as string);
    const times = Number(m[4]);
    if (times > 10_000_000) throw new NotationError(`${where} expands to more than 10 million values`);
    // Repeated addition, as Prometheus' lexer does, so float rounding matches its values.
    let value = start;
    for (let i = 0; i <= times; i++) {
      out.push({ kind: 'value', value });
      value += step;
    }
  });
  return out;
}

export interface SeriesSelector {
  /** All labels, the metric name as __name__. */
  labels: Record<string, string>;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function unquote(text: string, at: number): { value: string; end: number } {
  const quote = text[at];
  if (quote !== '"' && quote !== "'" && quote !== '`') throw new NotationError(`expected a quoted label value at character ${at + 1}`);
  let value = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === quote) return { value, end: i + 1 };
    if (c === '\\' && quote !== '`') {
      const next = text[++i];
      if (next === undefined) break;
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      continue;
    }
    value += c;
  }
  throw new NotationError(`unterminated label value starting at character ${at + 1}`);
}

/** Parses `name{a="b", c='d'}`, `name` or `{__name__="name", a="b"}` (equality matchers only). */
export function parseSeriesSelector(text: string): SeriesSelector {
  const src = text.trim();
  const labels: Record<string, string> = {};
  let i = 0;
  const name = NAME_RE.exec(src);
  if (name) {
    labels.__name__ = name[0];
    i = name[0].length;
  }
  const skip = () => {
    while (i < src.length && /\s/.test(src[i] as string)) i++;
  };
  skip();
  if (i < src.length) {
    if (src[i] !== '{') throw new NotationError(`unexpected "${src[i]}" at character ${i + 1}`);
    i++;
    for (;;) {
      skip();
      if (src[i] === '}') {
        i++;
        break;
      }
      const label = LABEL_RE.exec(src.slice(i));
      if (!label) throw new NotationError(`expected a label name at character ${i + 1}`);
      i += label[0].length;
      skip();
      if (src[i] !== '=' || src[i + 1] === '~') throw new NotationError(`expected = after label "${label[0]}" (a series takes exact values only)`);
      i++;
      skip();
      const { value, end } = unquote(src, i);
      if (label[0] in labels) throw new NotationError(`label "${label[0]}" given twice`);
      labels[label[0]] = value;
      i = end;
      skip();
      if (src[i] === ',') i++;
      else if (src[i] !== '}') throw new NotationError(`expected , or } at character ${i + 1}`);
    }
    skip();
    if (i < src.length) throw new NotationError(`unexpected "${src.slice(i)}" after the closing brace`);
  }
  return { labels };
}

/** A label set as promtool prints it: {__name__="up", a="b"}, names sorted. */
export function formatLabels(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}
