// Go/RE2 regular expressions, as blackbox_exporter, Prometheus and Alertmanager read them. Matching runs in
// time linear in the input (no backtracking), so a pattern with nested quantifiers on a large body from a
// third-party server cannot stall the event loop and every other probe of the run with it.
import type { RE2JS } from 're2js';
import { requireEngine } from './engine.js';

export class RegexSyntaxError extends Error {}

/** One match: `groups[0]` the whole match, `groups[n]` the n-th capture (undefined when it took no part). */
export interface Re2Match {
  /** Offset of the match in the input (UTF-16 code units, like String indexes). */
  readonly index: number;
  /** End offset of the match. */
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
  /** Named captures, (?P<name>…) or (?<name>…). */
  readonly named: Readonly<Record<string, string | undefined>>;
}

/** A compiled RE2 pattern. */
export class Re2Regex {
  readonly #re: RE2JS;
  readonly #names: readonly (readonly [string, number])[];

  constructor(
    readonly pattern: string,
    re: RE2JS,
  ) {
    this.#re = re;
    this.#names = Object.entries(re.namedGroups());
  }

  /** Whether the pattern matches anywhere in the text (Go's MatchString). */
  test(text: string): boolean {
    return this.#re.test(text);
  }

  /** Whether the pattern matches the whole text (Prometheus relabel and matcher semantics). */
  testWhole(text: string): boolean {
    return this.#re.testExact(text);
  }

  /** The leftmost match at or after `from`, with its captures, or undefined. */
  exec(text: string, from = 0): Re2Match | undefined {
    if (from > text.length) return undefined;
    const matcher = this.#re.matcher(text);
    if (!matcher.find(from)) return undefined;
    const groups: (string | undefined)[] = [];
    for (let g = 0; g <= matcher.groupCount(); g++) groups.push(matcher.group(g) ?? undefined);
    const named: Record<string, string | undefined> = {};
    for (const [name, index] of this.#names) named[name] = groups[index];
    return { index: matcher.start(), end: matcher.end(), groups, named };
  }
}

/** Compiles an RE2 pattern (Go syntax: (?i) flags, \A, \z, \Q…\E, [[:alpha:]], \p{L}, (?P<name>…)). */
export function compileRe2(pattern: string): Re2Regex {
  const { RE2JS, RE2JSException } = requireEngine();
  try {
    return new Re2Regex(pattern, RE2JS.compile(pattern));
  } catch (err) {
    if (err instanceof RE2JSException) {
      throw new RegexSyntaxError(`invalid regular expression ${JSON.stringify(pattern)}: ${describeSyntaxError(err)}`);
    }
    throw err;
  }
}

/** RE2/J's "error parsing regexp: missing closing ): `(x`" without the repeated pattern. */
function describeSyntaxError(err: Error): string {
  return err.message.replace(/^error parsing regexp:\s*/, '').replace(/:\s*`[\s\S]*`$/, '');
}
