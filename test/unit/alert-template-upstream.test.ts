// The template functions and variables pinned to upstream: every name Prometheus and vmalert define (copied
// below as data, with the file and version it came from) must be supported by Periscope or refused with a
// reason. A name upstream adds fails here until it is one or the other. Rendering of the names promtool 2.42
// (the reference installed here) lacks is checked against what their Go source does.
import { beforeAll, describe, expect, it } from 'vitest';
import { PREDEFINED_VARIABLES, UNSUPPORTED_VARIABLES } from '../../shared/alerting/template/checks.js';
import { FUNCTIONS, UNSUPPORTED } from '../../shared/alerting/template/functions.js';
import { parseTemplate, renderTemplate, validateTemplate } from '../../shared/alerting/template/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

beforeAll(() => loadRegexEngine());

const UPSTREAM_FUNCTIONS = {
  /** Go 1.22 text/template funcs.go: builtins(). */
  'go text/template builtins': ['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne'],
  /** prometheus/prometheus v3.14.0 template/template.go: NewTemplateExpander's FuncMap, and ExpandHTML's tmpl. */
  'prometheus v3.14.0 template/template.go': [
    'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper', 'toLower', 'graphLink',
    'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage',
    'humanizeTimestamp', 'toTime', 'toDuration', 'now', 'pathPrefix', 'externalURL', 'parseDuration', 'urlQueryEscape', 'tmpl',
  ],
  /** VictoriaMetrics v1.150.0 app/vmalert/templates/template.go: templateFuncs() and FuncsWithQuery/FuncsWithExternalURL. */
  'vmalert v1.150.0 app/vmalert/templates/template.go': [
    'query', 'externalURL', 'pathPrefix', 'title', 'toUpper', 'toLower', 'crlfEscape', 'quotesEscape', 'jsonEscape', 'htmlEscape', 'stripPort',
    'stripDomain', 'match', 'reReplaceAll', 'parseDuration', 'parseDurationTime', 'humanize', 'humanize1024', 'humanizeDuration',
    'humanizePercentage', 'humanizeTimestamp', 'toTime', 'formatTime', 'pathEscape', 'queryEscape', 'first', 'label', 'value', 'strvalue',
    'sortByLabel', 'now', 'args', 'safeHtml',
  ],
} as const;

const UPSTREAM_VARIABLES = {
  /** prometheus/prometheus v3.14.0 rules/alerting.go: the defs prepended to every annotation and label template. */
  'prometheus v3.14.0 rules/alerting.go': ['$labels', '$externalLabels', '$externalURL', '$value'],
  /** VictoriaMetrics v1.150.0 app/vmalert/notifier/alert.go: tplHeaders. */
  'vmalert v1.150.0 app/vmalert/notifier/alert.go': ['$value', '$type', '$labels', '$expr', '$interval', '$externalLabels', '$externalURL', '$alertID', '$groupID', '$activeAt', '$for', '$isPartial'],
} as const;

describe('every upstream template function is supported or refused with a reason', () => {
  for (const [source, names] of Object.entries(UPSTREAM_FUNCTIONS)) {
    it.each(names)(`${source}: %s`, (name) => {
      const supported = FUNCTIONS.has(name);
      const reason = UNSUPPORTED.get(name);
      expect(supported || reason !== undefined, `${name} is neither supported nor listed as unsupported`).toBe(true);
      expect(supported && reason !== undefined, `${name} is both`).toBe(false);
      if (reason) expect(validateTemplate(`{{ ${name} }}`)).toContain(reason);
    });
  }

  it('supports no function that no upstream defines', () => {
    const upstream = new Set<string>(Object.values(UPSTREAM_FUNCTIONS).flat());
    expect([...FUNCTIONS.keys()].filter((name) => !upstream.has(name))).toEqual([]);
  });
});

describe('every upstream template variable is predefined or refused with a reason', () => {
  const predefined = new Set(PREDEFINED_VARIABLES.map(([name]) => name));
  for (const [source, names] of Object.entries(UPSTREAM_VARIABLES)) {
    it.each(names)(`${source}: %s`, (name) => {
      const reason = UNSUPPORTED_VARIABLES.get(name);
      expect(predefined.has(name) || reason !== undefined, `${name} is neither predefined nor listed as unsupported`).toBe(true);
      if (reason) expect(validateTemplate(`{{ ${name} }}`)).toBe(`line 1, column 4: variable "${name}" is not supported by Periscope: ${reason}`);
      else expect(validateTemplate(`{{ ${name} }}`)).toBeUndefined();
    });
  }
});

describe('rendering of the functions and variables newer than promtool 2.42', () => {
  // 2024-03-01T12:00:00Z, the alert active since 11:45.
  const data = {
    value: 1536,
    labels: { instance: 'db-1:5432', job: 'pg' },
    externalLabels: { cluster: 'eu' },
    expr: 'pg_up == 0',
    externalUrl: 'https://alerts.example.com/prefix',
    activeAtMs: Date.UTC(2024, 2, 1, 11, 45),
    forMs: 300_000,
    intervalMs: 60_000,
    nowMs: Date.UTC(2024, 2, 1, 12),
  };
  const render = (text: string) => renderTemplate(parseTemplate(text), data);

  it.each([
    // Prometheus 3.6 toDuration: time.Duration(v * time.Second), printed by Duration.String.
    ['{{ 5400 | toDuration }}', '1h30m0s'],
    ['{{ 1.5 | toDuration }}', '1.5s'],
    ['{{ 0.25 | toDuration }}', '250ms'],
    ['{{ (90 | toDuration).Minutes }}', '1.5'],
    // now(): the evaluation time in seconds (Prometheus: the rule's evaluation timestamp).
    ['{{ now }}', '1.7092944e+09'],
    ['{{ now | humanizeTimestamp }}', '2024-03-01 12:00:00 +0000 UTC'],
    ['{{ (now | toTime).Format "15:04" }}', '12:00'],
    // Prometheus 3.8 urlQueryEscape: url.QueryEscape.
    ['{{ "a b&c=d/é" | urlQueryEscape }}', 'a+b%26c%3Dd%2F%C3%A9'],
    // parseDuration accepts negative durations since Prometheus 3 (model.ParseDurationAllowNegative).
    ['{{ parseDuration "-1h30m" }}', '-5400'],
    // $externalURL (Prometheus) and .ExternalURL.
    ['{{ $externalURL }}/graph', 'https://alerts.example.com/prefix/graph'],
    ['{{ .ExternalURL }}', 'https://alerts.example.com/prefix'],
    // vmalert: $activeAt is a time.Time, $for and $interval time.Duration, formatTime a layout and a Unix time.
    ['{{ $activeAt }}', '2024-03-01 11:45:00 +0000 UTC'],
    ['{{ $activeAt.Format "2006-01-02T15:04:05Z07:00" }}', '2024-03-01T11:45:00Z'],
    ['{{ $for }} every {{ $interval }}', '5m0s every 1m0s'],
    ['{{ now | formatTime "2006-01-02 15:04" }}', '2024-03-01 12:00'],
    ['{{ parseDurationTime "90s" }}', '1m30s'],
    ['{{ $type }} {{ $isPartial }}', 'prometheus false'],
    ['{{ $expr }}', 'pg_up == 0'],
  ])('%s', (text, want) => {
    expect(render(text)).toBe(want);
  });
});
