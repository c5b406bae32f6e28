// MetricsQL's lexical extensions, rewritten character for character into text the PromQL grammar
// (@prometheus-io/lezer-promql) reads with the same structure, so that every error position in the
// rewritten text is a position in the rule as written. Pure.
//
// - Numbers and durations, which MetricsQL writes in more ways than PromQL (1.5m, 5m30s, 1KiB, 2Gi, 1_000,
//   0x1F, 1i; not 1_000, which 1.79 refuses): each becomes `1` followed by zeros, a plain number of the same length. Checks that need the
//   value (limit's integer) read the original text at the same place.
// - Dots in identifiers (foo.bar, Graphite-style names): `_`.
// - Commas at the top level of a parenthesised union, `(a, b)` (MetricsQL's union()): `+`, so each member
//   is still parsed as an expression; the empty union `()` becomes the number `0 `.

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_:.]/;
const DIGIT = /[0-9]/;
/** A MetricsQL number or duration at a position (sticky). */
const NUMBER_RE =
  /(?:0[xX][0-9a-fA-F]+|0[oObB][0-7]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?:ms|[kKmMgGtT][iI]?[bB]?|[smhdwyi])?(?:(?:\d+(?:\.\d+)?)(?:ms|[smhdwyi]))*/y;

/** Keywords after which a `(` opens an expression, not an argument list. */
const OPERATOR_WORDS = new Set(['and', 'or', 'unless', 'if', 'ifnot', 'default', 'atan2', 'offset', 'bool']);

interface Open {
  char: '(' | '[' | '{';
  /** For `(`: an argument or label list (after a name or a closing paren), not a grouping. */
  call: boolean;
}

export function maskMetricsql(src: string): string {
  const out = src.split('');
  const stack: Open[] = [];
  /** The last token before the current position: an identifier's text, or a punctuation character. */
  let previous = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' && c !== '`' ? 2 : 1;
      i = j + 1;
      previous = '"';
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const inBrackets = stack.some((o) => o.char === '[');
    if (IDENT_START.test(c) || (c === ':' && !inBrackets && IDENT_START.test(src[i + 1] ?? ''))) {
      let j = i;
      while (j < src.length && IDENT_CHAR.test(src[j] as string) && !(inBrackets && src[j] === ':')) {
        if (src[j] === '.') out[j] = '_';
        j++;
      }
      previous = src.slice(i, j).toLowerCase();
      i = j;
      continue;
    }
    if (DIGIT.test(c) || (c === '.' && DIGIT.test(src[i + 1] ?? ''))) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(src);
      const end = i + (m?.[0].length ?? 1);
      for (let j = i; j < end; j++) out[j] = j === i ? '1' : '0';
      // A name glued to a number (1_000, 5min) is not one token for VictoriaMetrics: make it an error here too.
      if (/[A-Za-z0-9_]/.test(src[end] ?? '')) out[end] = '$';
      i = end;
      previous = '0';
      continue;
    }
    if (c === '(') {
      const afterName = /^[a-z_:]/.test(previous) && !OPERATOR_WORDS.has(previous);
      const call = afterName || previous === ')';
      const close = /^\s*\)/.exec(src.slice(i + 1));
      if (!call && close) {
        out[i] = '0';
        out[i + close[0].length] = ' ';
        i += close[0].length + 1;
        previous = '0';
        continue;
      }
      stack.push({ char: '(', call });
    } else if (c === '[' || c === '{') {
      stack.push({ char: c, call: true });
    } else if (c === ')' || c === ']' || c === '}') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top && top.char === '(' && !top.call) out[i] = '+';
    }
    previous = c;
    i++;
  }
  return out.join('');
}
