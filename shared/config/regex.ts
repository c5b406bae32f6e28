// blackbox.yml regexes are Go RE2 syntax. JavaScript's RegExp understands most of it, but not inline flag
// groups such as a leading "(?i)", "(?P<name>…)" groups or the \A / \z anchors: translate those, and reject
// what has no JavaScript equivalent, so a pasted module behaves as it did under blackbox_exporter.

export class RegexSyntaxError extends Error {}

/** Compiles an RE2 pattern into an equivalent JavaScript RegExp or throws RegexSyntaxError. */
export function compileRe2(pattern: string): RegExp {
  let source = pattern;
  const flags = new Set<string>();
  // Leading flag groups: (?i), (?s), (?m), (?is) …
  for (;;) {
    const lead = /^\(\?([a-zA-Z]+)\)/.exec(source);
    if (!lead) break;
    for (const flag of lead[1] as string) {
      if (flag === 'i' || flag === 's' || flag === 'm') flags.add(flag);
      else throw new RegexSyntaxError(`unsupported flag "(?${flag})" in regular expression "${pattern}"`);
    }
    source = source.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z]+[):]/.test(source.replace(/\\\\/g, ''))) {
    throw new RegexSyntaxError(`inline flags are only supported at the start of regular expression "${pattern}"`);
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  try {
    return new RegExp(source, [...flags].join(''));
  } catch (err) {
    throw new RegexSyntaxError(`invalid regular expression "${pattern}": ${(err as Error).message}`);
  }
}
