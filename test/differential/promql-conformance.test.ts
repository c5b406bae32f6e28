// The reference judges rule expressions: VictoriaMetrics 1.79 (where the rules are evaluated) is asked about
// every expression of test/fixtures/promql/corpus.txt (/api/v1/query: 200 accepts, 422 refuses), and
// Periscope's loader must give the same verdict. The MetricsQL function table is held to VictoriaMetrics too:
// every name it lists is known there with the argument counts it gives, and every function name the PromQL
// grammar knows but the table leaves out is unknown there.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { mapLimit } from '../../shared/async/map-limit.js';
import { loadPromqlParser, METRICSQL_FUNCTIONS, promqlProblem } from '../../shared/alerting/rules/promql/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

const vmUrl = inject('vmUrl');

/** VictoriaMetrics' verdict: undefined when it accepts, else its error. */
async function askVictoriaMetrics(query: string): Promise<string | undefined> {
  // A fixed time long ago: the corpus' metric names match nothing there whatever the shared instance holds.
  const response = await fetch(`${vmUrl}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: '1000000000', nocache: '1' }), signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status === 200) return undefined;
  if (response.status !== 422) throw new Error(`VictoriaMetrics answered ${response.status} for ${query}: ${body}`);
  return (JSON.parse(body) as { error: string }).error.replace(/^error when executing query=.*? for \(time=\d+, step=\d+\): /s, '');
}

/** Where Periscope refuses what VictoriaMetrics accepts, on purpose (docs/alerting.md says why). */
const DELIBERATE: ReadonlyMap<string, RegExp> = new Map([['WITH (f = x) f', /WITH templates are not supported in rule files/]]);

const corpus = (await readFile('test/fixtures/promql/corpus.txt', 'utf8'))
  .replace(/\\\n/g, '')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

const verdicts = new Map<string, string | undefined>();

beforeAll(async () => {
  await Promise.all([loadRegexEngine(), loadPromqlParser()]);
  await mapLimit(corpus, 8, async (expr) => verdicts.set(expr, await askVictoriaMetrics(expr)));
});

describe('rule expressions: Periscope agrees with VictoriaMetrics 1.79', () => {
  it('has a corpus of at least 150 expressions, accepted and refused', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const refused = corpus.filter((e) => verdicts.get(e) !== undefined);
    expect(refused.length).toBeGreaterThanOrEqual(50);
    expect(corpus.length - refused.length).toBeGreaterThanOrEqual(80);
  });

  it.each(corpus.filter((e) => !DELIBERATE.has(e)))('%s', (expr) => {
    const theirs = verdicts.get(expr);
    const ours = promqlProblem(expr);
    expect(ours === undefined ? 'accepts' : `refuses: ${ours}`, `VictoriaMetrics ${theirs === undefined ? 'accepts' : `refuses: ${theirs}`}`).toEqual(theirs === undefined ? 'accepts' : expect.stringMatching(/^refuses: /));
  });

  it.each([...DELIBERATE])('deliberately differs on %s: VictoriaMetrics accepts, Periscope refuses', (expr, message) => {
    expect(verdicts.get(expr)).toBeUndefined();
    expect(promqlProblem(expr)).toMatch(message);
  });
});

/** VictoriaMetrics' words for a wrong number of arguments (they vary by function). */
const ARITY_ERROR = /number of args|want at least|want at most|want no more|expecting at least|too many args|not enough args|want up to|want \d+ or \d+|want \d+\.\.\.\d+/;

describe('the MetricsQL function table agrees with VictoriaMetrics 1.79', () => {
  const call = (name: string, args: number) => `${name}(${Array.from({ length: args }, () => 'periscope_no_such_series').join(', ')})`;

  it('knows every function at its argument counts, and no count beyond them', async () => {
    const wrong: string[] = [];
    await mapLimit([...METRICSQL_FUNCTIONS], 8, async ([name, { min, max }]) => {
      const counts = [min, ...(max === Infinity ? [min + 3] : [max, max + 1]), ...(min > 0 ? [min - 1] : [])];
      for (const count of new Set(counts)) {
        const error = (await askVictoriaMetrics(call(name, count))) ?? '';
        const wantArityError = count < min || count > max;
        if (/unknown func/.test(error)) wrong.push(`${name}: unknown to VictoriaMetrics`);
        else if (ARITY_ERROR.test(error) !== wantArityError) wrong.push(`${name} with ${count} arguments: ${error || 'accepted'}`);
      }
    });
    expect(wrong).toEqual([]);
    expect(METRICSQL_FUNCTIONS.size).toBeGreaterThanOrEqual(200);
  });

  it("leaves out only names VictoriaMetrics does not know (the PromQL grammar's newer functions)", async () => {
    const grammar = (await readFile('node_modules/@prometheus-io/lezer-promql/src/promql.grammar', 'utf8')).matchAll(/condFn<"([a-z0-9_]+)">/g);
    const names = [...new Set([...grammar].map((m) => m[1] as string))].filter((n) => !['min_of', 'max_of'].includes(n));
    expect(names.length).toBeGreaterThan(80);
    const missing = names.filter((n) => !METRICSQL_FUNCTIONS.has(n));
    expect(missing).toContain('mad_over_time');
    const known: string[] = [];
    await mapLimit(missing, 8, async (name) => {
      if (!/unknown func/.test((await askVictoriaMetrics(call(name, 1))) ?? '')) known.push(name);
    });
    expect(known).toEqual([]);
    for (const name of missing) expect(promqlProblem(call(name, 1))).toBe(`parse error at column 1: unknown function "${name}"`);
  });
});

describe('messages', () => {
  it.each([
    ['sum(rate(x[5m]) >', 'parse error at column 18: unexpected end of input'],
    ['rate(x[5m]', 'parse error at column 11: unexpected end of input'],
    ['sum(x) by job', 'parse error at column 11: unexpected identifier "job"'],
    ['rat(x[5m])', 'parse error at column 1: unknown function "rat"'],
    ['x > 0 and\n  histogram_quantile(0.9)', 'parse error at line 2, column 3: histogram_quantile() takes 2 to 3 arguments, got 1'],
    ['sum(x) by (job) limit 2.5', 'parse error at column 23: limit takes a whole number, got "2.5"'],
    ['x{job=~"("}', 'parse error at column 8: invalid regular expression "(": missing closing )'],
    ['x </ 1', 'parse error at column 3: "</" is Prometheus 3.x syntax that VictoriaMetrics 1.79 does not accept'],
  ])('%s', (expr, message) => {
    expect(promqlProblem(expr)).toBe(message);
  });
});
