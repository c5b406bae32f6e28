// Rule expressions checked when the rules load, with the grammar Prometheus' own UI parses PromQL with
// (@prometheus-io/lezer-promql), taught the MetricsQL that VictoriaMetrics 1.79 — where the rules run —
// accepts: its function names (any case) and argument counts, `default`/`if`/`ifnot`, `keep_metric_names`,
// `limit N` after an aggregation, numbers and durations such as 1.5m or 1KiB, dotted names, `(a, b)`.
// Prometheus 3.x syntax that VictoriaMetrics 1.79 refuses (anchored, smoothed, fill(), </, duration
// arithmetic, quoted label names) is refused here too. The verdicts are held to VictoriaMetrics' own over a
// corpus in test/differential/promql-conformance.test.ts.
import type { SyntaxNode, Tree } from '@lezer/common';
import type { LRParser, Stack } from '@lezer/lr';
import type * as LezerPromql from '@prometheus-io/lezer-promql';
import { compileRe2, RegexEngineNotLoadedError, RegexSyntaxError } from '../../../regex/index.js';
import { maskMetricsql } from './mask.js';
import { metricsqlFunction } from './metricsql-functions.js';

type Grammar = typeof LezerPromql;

let loaded: { parser: LRParser; grammar: Grammar } | undefined;
let loading: Promise<void> | undefined;

/** Thrown by a check made before loadPromqlParser() has finished. */
export class PromqlParserNotLoadedError extends Error {
  constructor() {
    super('the PromQL parser is not loaded yet: await loadPromqlParser() first');
    this.name = 'PromqlParserNotLoadedError';
  }
}

/** A position in the expression (0-based offset) and what is wrong there. */
export class PromqlSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'PromqlSyntaxError';
  }
}

/** Binary operators of MetricsQL that PromQL lacks; parsed where the grammar has `or`. */
const EXTRA_BINARY_OPERATORS = new Set(['default', 'if', 'ifnot']);

/**
 * The grammar's identifier specializer replaced by one that also knows MetricsQL's words: every function
 * name is read as a function (the grammar's `vector` token), every aggregation as an aggregation (`sum`),
 * `default`/`if`/`ifnot` as a set operator (`or`), `keep_metric_names` as a postfix modifier (`anchored`'s
 * place) and `limit` as a suffix taking a number (`offset`'s place); the checks below tell them apart again.
 */
function metricsqlSpecializer(g: Grammar, functionToken: number): (value: string, stack: Stack) => number {
  // The grammar's own contextual keywords (its tokens.js), less Prometheus 3.x's limit_ratio, smoothed,
  // anchored and fill*.
  const keywordTerms: Record<string, number> = {
    avg: g.Avg, atan2: g.Atan2, bottomk: g.Bottomk, count: g.Count, count_values: g.CountValues, group: g.Group, max: g.Max, min: g.Min,
    quantile: g.Quantile, limitk: g.LimitK, stddev: g.Stddev, stdvar: g.Stdvar, sum: g.Sum, topk: g.Topk, by: g.By, without: g.Without,
    and: g.And, or: g.Or, unless: g.Unless,
  };
  return (value, stack) => {
    if (value === 'start' && stack.canShift(g.StartFn)) return g.StartFn;
    if (value === 'end' && stack.canShift(g.EndFn)) return g.EndFn;
    const lower = value.toLowerCase();
    if (lower === 'start' && stack.canShift(g.AtStart)) return g.AtStart;
    if (lower === 'end' && stack.canShift(g.AtEnd)) return g.AtEnd;
    const keyword = keywordTerms[lower];
    if (keyword !== undefined && stack.canShift(keyword)) return keyword;
    if (EXTRA_BINARY_OPERATORS.has(lower) && stack.canShift(g.Or)) return g.Or;
    if (lower === 'keep_metric_names' && stack.canShift(g.Anchored)) return g.Anchored;
    if (lower === 'limit' && stack.canShift(g.Offset)) return g.Offset;
    const fn = metricsqlFunction(lower);
    if (fn?.kind === 'aggregate' && stack.canShift(g.Sum)) return g.Sum;
    if (fn && fn.kind !== 'aggregate' && stack.canShift(functionToken)) return functionToken;
    return -1;
  };
}

/** Loads the grammar once per process (the anomaly check's bundle has it in a file of its own). */
export function loadPromqlParser(): Promise<void> {
  loading ??= import('@prometheus-io/lezer-promql').then((grammar) => {
    // The extend-specializer the grammar was generated with is only reachable through the parser's spec
    // list, which the typings leave out; configure() replaces it by identity.
    // The function names' tokens are in its table of words, which gives the token of `vector` (shifted
    // left by one, the low bit saying "extend").
    const specs = (grammar.parser as unknown as { specializerSpecs: Array<{ extend?: boolean; external?: unknown; get: (value: string) => number }> }).specializerSpecs;
    const original = specs.find((s) => s.extend && typeof s.external === 'function')?.external as ((value: string, stack: Stack) => number) | undefined;
    const vectorToken = (specs.find((s) => s.external === undefined)?.get('vector') ?? -1) >> 1;
    if (!original || vectorToken <= 0) throw new Error('@prometheus-io/lezer-promql: no identifier specializer to extend (grammar changed?)');
    loaded = { grammar, parser: grammar.parser.configure({ strict: true, specializers: [{ from: original, to: metricsqlSpecializer(grammar, vectorToken) }] }) };
  });
  return loading;
}

export function promqlParserLoaded(): boolean {
  return loaded !== undefined;
}

/** The token at an offset, as a message names it. */
function describeAt(src: string, offset: number): string {
  const rest = src.slice(offset).replace(/^(\s|#[^\n]*)+/, '');
  if (rest === '') return 'unexpected end of input';
  const token = /^(?:[A-Za-z_:][\w:.]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?|[=!<>]=|=~|!~|.)/.exec(rest)?.[0] ?? rest.charAt(0);
  if (/^[A-Za-z_:]/.test(token)) return `unexpected identifier "${token}"`;
  if (/^\d/.test(token)) return `unexpected number "${token}"`;
  if (/^["'`]/.test(token)) return `unexpected string ${token}`;
  return `unexpected "${token}"`;
}

function parseTree(src: string): Tree {
  if (!loaded) throw new PromqlParserNotLoadedError();
  try {
    return loaded.parser.parse(maskMetricsql(src));
  } catch (err) {
    const at = /^No parse at (\d+)$/.exec((err as Error).message ?? '');
    if (!(err instanceof SyntaxError) || !at) throw err;
    const offset = Number(at[1]);
    // A name the grammar could not take as a function, followed by "(": say so, at the name.
    const call = /([A-Za-z_][\w:.]*)\s*$/.exec(src.slice(0, offset));
    if (call && src.slice(offset).trimStart().startsWith('(') && !metricsqlFunction(call[1] as string)) {
      throw new PromqlSyntaxError(call.index, `unknown function "${call[1]}"`);
    }
    throw new PromqlSyntaxError(offset, describeAt(src, offset));
  }
}

/** Go's unquoting of a PromQL string literal, enough to read a regex: JSON's escapes, raw backquotes. */
function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  try {
    return JSON.parse(`"${(quote === "'" ? body.replace(/\\'/g, "'") : body).replace(/(^|[^\\])((?:\\\\)*)"/g, '$1$2\\"')}"`) as string;
  } catch {
    return body;
  }
}

/** Argument expressions of a call or aggregation body (comments are nodes too). */
function argumentsOf(body: SyntaxNode | null): SyntaxNode[] {
  const args: SyntaxNode[] = [];
  for (let child = body?.firstChild ?? null; child; child = child.nextSibling) if (child.name !== 'LineComment') args.push(child);
  return args;
}

function arityProblem(name: string, min: number, max: number, got: number): string | undefined {
  if (got >= min && got <= max) return undefined;
  const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  return `${name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${got}`;
}

const PROMETHEUS_3 = 'is Prometheus 3.x syntax that VictoriaMetrics 1.79 does not accept';

/** The first problem the grammar leaves to later stages, as VictoriaMetrics would report it. */
function checkNode(node: SyntaxNode, src: string): PromqlSyntaxError | undefined {
  const text = (n: SyntaxNode) => src.slice(n.from, n.to);
  const fail = (at: SyntaxNode, reason: string) => new PromqlSyntaxError(at.from, reason);
  switch (node.name) {
    case 'FunctionCall': {
      const id = node.getChild('FunctionIdentifier');
      if (!id) return undefined;
      const name = text(id);
      const fn = metricsqlFunction(name);
      if (!fn || fn.kind === 'aggregate') return fail(id, `unknown function "${name}"`);
      const problem = arityProblem(name, fn.min, fn.max, argumentsOf(node.getChild('FunctionCallBody')).length);
      return problem ? fail(id, problem) : undefined;
    }
    case 'AggregateExpr': {
      const op = node.getChild('AggregateOp');
      if (!op) return undefined;
      const name = text(op);
      const fn = metricsqlFunction(name);
      if (fn?.kind !== 'aggregate') return fail(op, `unknown aggregation "${name}"`);
      const problem = arityProblem(name, fn.min, fn.max, argumentsOf(node.getChild('FunctionCallBody')).length);
      return problem ? fail(op, problem) : undefined;
    }
    case 'OffsetExpr': {
      const keyword = node.getChild('Offset');
      if (!keyword || text(keyword).toLowerCase() !== 'limit') return undefined;
      const limited = node.firstChild;
      const value = node.getChild('OffsetDurationExpr');
      if (limited?.name !== 'AggregateExpr') return fail(keyword, '"limit" follows an aggregation only, e.g. sum(x) by (job) limit 10');
      if (value && !/^\d+$/.test(text(value).trim())) return fail(value, `limit takes a whole number, got "${text(value).trim()}"`);
      return undefined;
    }
    case 'AnchoredExpr': {
      const keyword = node.getChild('Anchored');
      if (!keyword || text(keyword).toLowerCase() !== 'keep_metric_names') return fail(keyword ?? node, `"anchored" ${PROMETHEUS_3}`);
      if (node.firstChild?.name !== 'FunctionCall') return fail(keyword, '"keep_metric_names" follows a function call only, e.g. rate(x[5m]) keep_metric_names');
      return undefined;
    }
    case 'SmoothedExpr':
      return fail(node.getChild('Smoothed') ?? node, `"smoothed" ${PROMETHEUS_3}`);
    case 'FillModifier':
      return fail(node, `"fill" ${PROMETHEUS_3}`);
    case 'TrimUpper':
    case 'TrimLower':
      return fail(node, `"${text(node)}" ${PROMETHEUS_3}`);
    case 'QuotedLabelName':
      return fail(node, `a quoted label name ${PROMETHEUS_3}`);
    case 'DurationExpr':
      if (node.parent?.name === 'DurationExpr') return undefined;
      if (node.firstChild && (node.firstChild.name !== 'NumberDurationLiteralInDurationContext' || node.firstChild.nextSibling)) {
        return fail(node, `"${text(node)}": arithmetic in a range ${PROMETHEUS_3}; write a plain duration such as 5m`);
      }
      return undefined;
    case 'MatrixSelector':
    case 'SubqueryExpr': {
      const inner = node.firstChild;
      if (inner?.name === 'OffsetExpr' || inner?.name === 'StepInvariantExpr') return fail(node, 'put the range before offset and @, e.g. rate(x[5m] offset 1h)');
      return undefined;
    }
    case 'StringLiteral': {
      const literal = text(node);
      if (literal.length < 2 || literal[literal.length - 1] !== literal[0]) return fail(node, `unterminated string ${literal}`);
      return undefined;
    }
    case 'UnquotedLabelMatcher': {
      const op = node.getChild('MatchOp')?.firstChild?.name;
      const value = node.getChild('StringLiteral');
      if ((op !== 'EqlRegex' && op !== 'NeqRegex') || !value) return undefined;
      const literal = text(value);
      if (literal.length < 2 || literal[literal.length - 1] !== literal[0]) return undefined;
      try {
        compileRe2(unquote(literal));
      } catch (err) {
        if (err instanceof RegexEngineNotLoadedError || !(err instanceof RegexSyntaxError)) throw err;
        return fail(value, err.message);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Checks one expression; throws PromqlSyntaxError at the first problem. */
export function parsePromql(src: string): void {
  const withAt = /^\s*with\s*\(/i.exec(src);
  if (withAt) throw new PromqlSyntaxError(withAt[0].search(/\S/), 'WITH templates are not supported in rule files: write the expression expanded (VictoriaMetrics\' /expand-with-exprs shows it)');
  const tree = parseTree(src);
  const cursor = tree.cursor();
  for (;;) {
    const problem = checkNode(cursor.node, src);
    if (problem) throw problem;
    if (cursor.firstChild()) continue;
    while (!cursor.nextSibling()) if (!cursor.parent()) return;
  }
}

/** Line and column (1-based) of an offset, for messages. */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  const before = src.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 };
}

/** The message for an invalid expression ("parse error at column 17: unexpected end of input"), or undefined. */
export function promqlProblem(src: string): string | undefined {
  try {
    parsePromql(src);
    return undefined;
  } catch (err) {
    if (!(err instanceof PromqlSyntaxError)) throw err;
    const { line, column } = lineColumn(src, err.offset);
    return `parse error at ${src.includes('\n') ? `line ${line}, ` : ''}column ${column}: ${err.reason}`;
  }
}
