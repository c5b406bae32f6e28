// Rule unit-test files in the `promtool test rules` format, parsed and checked without I/O. Every problem
// is a ConfigError naming the file and the field (tests[2].input_series[0].values: …), and the series
// notation is expanded here, so running a test only has to write and query.
import * as z from 'zod/mini';
import { ConfigError, type ConfigProblem } from '../../config/errors.js';
import { problemsFromZod } from '../../config/errors.js';
import { parseYaml } from '../../config/load.js';
import { transformIssue } from '../../config/zod.js';
import { durationSchema } from '../rules/schema.js';
import { expandValues, NotationError, parseSeriesSelector, type SeriesPoint } from './series-notation.js';

const selector = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    try {
      return parseSeriesSelector(text).labels;
    } catch (err) {
      if (err instanceof NotationError) return transformIssue(ctx, `"${text}": ${err.message}`);
      throw err;
    }
  }),
);

const values = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((raw: string | number, ctx) => {
    try {
      return expandValues(String(raw));
    } catch (err) {
      if (err instanceof NotationError) return transformIssue(ctx, err.message);
      throw err;
    }
  }),
);

// YAML turns `code: 500` into a number; promtool reads every label and annotation as a string.
const stringMap = z._default(
  z.record(
    z.string(),
    z.pipe(
      z.union([z.string(), z.number(), z.boolean()]),
      z.transform((v: string | number | boolean) => String(v)),
    ),
  ),
  {},
);

const evalTime = durationSchema;

const alertRuleTestSchema = z.strictObject({
  eval_time: evalTime,
  alertname: z.string().check(z.minLength(1)),
  exp_alerts: z._default(
    z.nullable(
      z.array(
        z.strictObject({
          exp_labels: z._default(z.nullable(stringMap), {}),
          exp_annotations: z._default(z.nullable(stringMap), {}),
        }),
      ),
    ),
    [],
  ),
});

const promqlExprTestSchema = z.strictObject({
  expr: z.string().check(z.minLength(1)),
  eval_time: evalTime,
  exp_samples: z._default(
    z.nullable(
      z.array(
        z.strictObject({
          labels: z._default(selector, {}),
          value: z.union([z.number(), z.pipe(z.string(), z.transform((v: string) => Number(v)))]),
        }),
      ),
    ),
    [],
  ),
});

const testGroupSchema = z.strictObject({
  name: z.optional(z.string()),
  /** Interval between the values of input_series (default: evaluation_interval). */
  interval: z.optional(durationSchema.check(z.refine((ms) => ms > 0, 'must be more than 0'))),
  input_series: z._default(z.nullable(z.array(z.strictObject({ series: selector, values: z._default(values, []) }))), []),
  alert_rule_test: z._default(z.nullable(z.array(alertRuleTestSchema)), []),
  promql_expr_test: z._default(z.nullable(z.array(promqlExprTestSchema)), []),
  external_labels: z.optional(stringMap),
  external_url: z.optional(z.string()),
});

const testFileSchema = z.strictObject({
  /** Optional, as in promtool: a file of promql_expr_test alone needs no rules. */
  rule_files: z._default(z.nullable(z.array(z.string().check(z.minLength(1)))), []),
  evaluation_interval: z._default(durationSchema.check(z.refine((ms) => ms > 0, 'must be more than 0')), 60_000),
  /** promtool's evaluation order of groups; Periscope's groups are independent, so it has no effect. */
  group_eval_order: z.optional(z.array(z.string())),
  tests: z._default(z.nullable(z.array(testGroupSchema)), []),
});

export interface InputSeries {
  labels: Record<string, string>;
  points: SeriesPoint[];
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertRuleTest {
  evalTimeMs: number;
  alertname: string;
  expected: ExpectedAlert[];
}

export interface PromqlExprTest {
  expr: string;
  evalTimeMs: number;
  expected: Array<{ labels: Record<string, string>; value: number }>;
}

export interface RuleTest {
  /** Position in the file's tests list, for messages. */
  index: number;
  name?: string;
  intervalMs: number;
  series: InputSeries[];
  alertTests: AlertRuleTest[];
  exprTests: PromqlExprTest[];
  externalLabels: Record<string, string>;
  externalUrl?: string;
}

export interface RuleTestFile {
  file: string;
  /** As written (relative to the test file, globs allowed). */
  ruleFiles: string[];
  evaluationIntervalMs: number;
  tests: RuleTest[];
}

export function parseRuleTestFile(text: string, file: string): RuleTestFile {
  const raw = parseYaml(text, file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '', message: 'must be a YAML mapping with rule_files and tests' }]);
  }
  const parsed = testFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error));
  const doc = parsed.data;
  const problems: ConfigProblem[] = [];
  const tests = (doc.tests ?? []).map((t, index): RuleTest => {
    const series = t.input_series ?? [];
    series.forEach((s, i) => {
      if (s.series.__name__ === undefined) problems.push({ path: `tests[${index}].input_series[${i}].series`, message: 'needs a metric name' });
    });
    return {
      index,
      ...(t.name !== undefined ? { name: t.name } : {}),
      intervalMs: t.interval ?? doc.evaluation_interval,
      series: series.map((s) => ({ labels: s.series, points: s.values })),
      alertTests: (t.alert_rule_test ?? []).map((a) => ({
        evalTimeMs: a.eval_time,
        alertname: a.alertname,
        expected: (a.exp_alerts ?? []).map((e) => ({ labels: e.exp_labels ?? {}, annotations: e.exp_annotations ?? {} })),
      })),
      exprTests: (t.promql_expr_test ?? []).map((e) => ({
        expr: e.expr,
        evalTimeMs: e.eval_time,
        expected: (e.exp_samples ?? []).map((s) => ({ labels: s.labels, value: s.value })),
      })),
      externalLabels: t.external_labels ?? {},
      ...(t.external_url !== undefined ? { externalUrl: t.external_url } : {}),
    };
  });
  if (problems.length) throw new ConfigError(file, problems);
  return { file, ruleFiles: doc.rule_files ?? [], evaluationIntervalMs: doc.evaluation_interval, tests };
}

/** Where each series' samples fall: test time 0 is `originMs`; gaps write nothing, stale writes a marker. */
export function seriesSamples(series: InputSeries, intervalMs: number, originMs: number): Array<{ timestampMs: number; value: number | 'stale' }> {
  const out: Array<{ timestampMs: number; value: number | 'stale' }> = [];
  series.points.forEach((p, i) => {
    if (p.kind === 'gap') return;
    out.push({ timestampMs: originMs + i * intervalMs, value: p.kind === 'stale' ? 'stale' : p.value });
  });
  return out;
}
