// Expected against actual, with failure messages laid out as promtool prints them, so a user moving
// from Prometheus reads the same thing. Pure.
import { formatLabels } from './series-notation.js';
import type { AlertRuleTest, PromqlExprTest } from './test-file.js';

export interface GotAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface GotSample {
  labels: Record<string, string>;
  value: number;
}

const PROM_UNITS: ReadonlyArray<[string, number]> = [
  ['y', 31_536_000_000],
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Prometheus' model.Duration text, as promtool prints times: 0s, 10m, 1h30m, 4w1d4h5m. */
export function promDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of PROM_UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** Go's strconv.FormatFloat(v, 'E', -1, 64), as promtool prints sample values: 4E+00, 1.5E+03. */
export function goExponent(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const [mantissa, exponent] = value.toExponential().toUpperCase().split('E') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}E${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

function alertList(alerts: readonly GotAlert[]): string {
  if (alerts.length === 0) return '[]';
  const items = alerts.map((a, i) => `            ${i}:\n              Labels:${formatLabels(a.labels)}\n              Annotations:${formatLabels(a.annotations)}`);
  return `[\n${items.join(',\n')}\n            ]`;
}

const byLabels = (a: { labels: Record<string, string> }, b: { labels: Record<string, string> }) => {
  const x = formatLabels(a.labels);
  const y = formatLabels(b.labels);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Compares the firing alerts of a rule at a time with the expected ones; undefined when they agree.
 * Expected labels get alertname added, as promtool does. Periscope alerts also carry `alertgroup` (as
 * vmalert's do) and the external labels: they are compared only when the test lists them.
 */
export function compareAlerts(test: AlertRuleTest, got: readonly GotAlert[], externalLabels: Readonly<Record<string, string>> = {}): string | undefined {
  const expected = test.expected.map((e) => ({ labels: { ...e.labels, alertname: test.alertname }, annotations: e.annotations })).sort(byLabels);
  // Labels promtool's alerts do not carry (Periscope's alertgroup, and the external labels, which Prometheus
  // adds only when sending), unless the test lists them.
  const extra = ['alertgroup', ...Object.keys(externalLabels)].filter((name) => !test.expected.some((e) => name in e.labels));
  const actual = got
    .map((g) => {
      const labels = { ...g.labels };
      for (const name of extra) if (name === 'alertgroup' || labels[name] === externalLabels[name]) delete labels[name];
      return { labels, annotations: g.annotations };
    })
    .sort(byLabels);
  const same = expected.length === actual.length && expected.every((e, i) => sameMap(e.labels, (actual[i] as GotAlert).labels) && sameMap(e.annotations, (actual[i] as GotAlert).annotations));
  if (same) return undefined;
  return `    alertname: ${test.alertname}, time: ${promDuration(test.evalTimeMs)}, \n        exp:${alertList(expected)}, \n        got:${alertList(actual)}`;
}

function sameValue(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  // Values travel through VictoriaMetrics as decimal text: allow the last bits of a float64.
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function sampleList(samples: readonly GotSample[]): string {
  if (samples.length === 0) return 'nil';
  return samples.map((s) => `${formatLabels(s.labels)} ${goExponent(s.value)}`).join(', ');
}

/** Compares a promql_expr_test's result; undefined when it agrees (order does not matter). */
export function compareSamples(test: PromqlExprTest, got: readonly GotSample[]): string | undefined {
  const expected = [...test.expected].sort(byLabels);
  const actual = [...got].sort(byLabels);
  const same = expected.length === actual.length && expected.every((e, i) => sameMap(e.labels, (actual[i] as GotSample).labels) && sameValue(e.value, (actual[i] as GotSample).value));
  if (same) return undefined;
  return `    expr: ${JSON.stringify(test.expr)}, time: ${promDuration(test.evalTimeMs)},\n        exp: ${sampleList(expected)}\n        got: ${sampleList(actual)}`;
}
