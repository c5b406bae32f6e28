// The promtool test format without a server: series notation, located errors for bad files, and the
// failure messages laid out as promtool prints them.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/index.js';
import { compareAlerts, compareSamples, goExponent, promDuration } from '../../shared/alerting/rule-tests/compare.js';
import { encodeWriteRequest, snappyLiterals } from '../../shared/alerting/rule-tests/remote-write.js';
import { expandValues, formatLabels, parseSeriesSelector } from '../../shared/alerting/rule-tests/series-notation.js';
import { parseRuleTestFile, seriesSamples } from '../../shared/alerting/rule-tests/test-file.js';

const values = (text: string) => expandValues(text).map((p) => (p.kind === 'value' ? p.value : p.kind));

describe('series notation', () => {
  it('expands a+bxn, a-bxn, axn, _, _xn and stale as promtool does', () => {
    expect(values('0+10x3')).toEqual([0, 10, 20, 30]);
    expect(values('1-2x3')).toEqual([1, -1, -3, -5]);
    expect(values('7x2')).toEqual([7, 7, 7]);
    expect(values('0x15')).toHaveLength(16); // not hexadecimal
    expect(values('1 _ _x2 stale -Inf NaN 2.5e3')).toEqual([1, 'gap', 'gap', 'gap', 'stale', -Infinity, NaN, 2500]);
    expect(values('-1+0.5x2')).toEqual([-1, -0.5, 0]);
  });

  it('names the bad value', () => {
    expect(() => expandValues('1 2 x')).toThrow('value 3 "x" is not a number');
    expect(() => expandValues('1+x3')).toThrow('value 1 "1+x3"');
  });

  it('parses selectors with escapes, any quote and the name inside or outside the braces', () => {
    expect(parseSeriesSelector('up{job="api", path="/a\\"b"}').labels).toEqual({ __name__: 'up', job: 'api', path: '/a"b' });
    expect(parseSeriesSelector("{__name__='up',instance='x:1',}").labels).toEqual({ __name__: 'up', instance: 'x:1' });
    expect(() => parseSeriesSelector('up{job=~"a"}')).toThrow('exact values only');
    expect(() => parseSeriesSelector('up{job="a"')).toThrow('expected , or } at character 11');
    expect(formatLabels({ job: 'a', __name__: 'up' })).toBe('{__name__="up", job="a"}');
  });
});

describe('test files', () => {
  const good = `
rule_files: [rules.yml]
evaluation_interval: 30s
tests:
  - input_series:
      - series: 'up{job="a"}'
        values: '1 _ stale'
    alert_rule_test:
      - eval_time: 1m
        alertname: X
        exp_alerts: [{ exp_labels: { code: 500 } }]
`;

  it('reads a file: interval defaults to evaluation_interval, values become timed samples', () => {
    const file = parseRuleTestFile(good, 't.yml');
    const test = file.tests[0];
    expect(test?.intervalMs).toBe(30_000);
    expect(test?.alertTests[0]?.expected[0]?.labels).toEqual({ code: '500' });
    expect(seriesSamples(test!.series[0]!, 30_000, 1_000)).toEqual([
      { timestampMs: 1_000, value: 1 },
      { timestampMs: 61_000, value: 'stale' },
    ]);
  });

  const located = (text: string): string => {
    try {
      parseRuleTestFile(text, 'bad.yml');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('takes a file without rule_files, as promtool does', () => {
    expect(parseRuleTestFile('tests:\n  - promql_expr_test: [{ expr: "1", eval_time: 0, exp_samples: [{ value: 1 }] }]\n', 'no-rules.yml').ruleFiles).toEqual([]);
  });

  it('names file, test index and field of every problem', () => {
    expect(located(good.replace("'1 _ stale'", "'1 x'"))).toBe('bad.yml: tests[0].input_series[0].values: value 2 "x" is not a number, a+bxn, a-bxn, axn, _, _xn or stale');
    expect(located(good.replace("'up{job=\"a\"}'", "'up{job='"))).toMatch(/^bad\.yml: tests\[0\]\.input_series\[0\]\.series: "up\{job=": /);
    expect(located(good.replace('eval_time: 1m', 'eval_time: soon'))).toBe('bad.yml: tests[0].alert_rule_test[0].eval_time: "soon" is not a duration (use e.g. 30s, 5m, 1h)');
    expect(located(good.replace('alertname: X', 'alertname: X\n        exp_alert: []'))).toBe('bad.yml: tests[0].alert_rule_test[0].exp_alert: unknown field "exp_alert"');
    expect(located(good.replace("'up{job=\"a\"}'", "'{job=\"a\"}'"))).toBe('bad.yml: tests[0].input_series[0].series: needs a metric name');
    expect(located('rule_files: a.yml\ntests: []')).toMatch(/^bad\.yml: rule_files: /);
    expect(located('rule_files: [a.yml]\ntests: [\n')).toMatch(/^bad\.yml: line \d+ column \d+: /);
  });
});

describe('failure messages', () => {
  const test = { evalTimeMs: 600_000, alertname: 'Down', expected: [{ labels: { severity: 'page' }, annotations: { summary: 'down' } }] };

  it('agree when labels (plus alertname, minus alertgroup) and annotations match', () => {
    expect(compareAlerts(test, [{ labels: { alertname: 'Down', alertgroup: 'g', severity: 'page' }, annotations: { summary: 'down' } }])).toBeUndefined();
  });

  it('print exp and got as promtool does', () => {
    expect(compareAlerts(test, [])).toBe(
      [
        '    alertname: Down, time: 10m, ',
        '        exp:[',
        '            0:',
        '              Labels:{alertname="Down", severity="page"}',
        '              Annotations:{summary="down"}',
        '            ], ',
        '        got:[]',
      ].join('\n'),
    );
    const expr = { expr: 'up', evalTimeMs: 120_000, expected: [{ labels: { __name__: 'up' }, value: 4 }] };
    expect(compareSamples(expr, [{ labels: { __name__: 'up' }, value: 1500 }])).toBe('    expr: "up", time: 2m,\n        exp: {__name__="up"} 4E+00\n        got: {__name__="up"} 1.5E+03');
    expect(compareSamples(expr, [])).toMatch(/got: nil$/);
    expect(goExponent(0.125)).toBe('1.25E-01');
    expect(promDuration(700 * 3_600_000 + 300_000)).toBe('4w1d4h5m');
    expect(promDuration(150_000)).toBe('2m30s');
  });
});

describe('remote-write body', () => {
  it('is a snappy block of literals around the protobuf, stale as Prometheus marks it', () => {
    const raw = encodeWriteRequest([{ labels: { __name__: 'a' }, samples: [{ timestampMs: 1, value: 'stale' }] }]);
    expect(raw.includes(Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f]))).toBe(true);
    const framed = snappyLiterals(raw);
    expect(framed[0]).toBe(raw.length); // varint length (small)
    expect(framed.subarray(4).equals(raw)).toBe(true);
  });
});
