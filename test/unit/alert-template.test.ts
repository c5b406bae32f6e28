// Alert templates: Go text/template syntax with Prometheus' functions. Expected strings are what
// Prometheus (Go's text/template and fmt) prints for the same template and data.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  executeTemplate,
  parseTemplate,
  renderTemplate,
  TemplateError,
  TemplateExecError,
  validateTemplate,
  type TemplateData,
} from '../../shared/alerting/template/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

const labels = { instance: 'web-1.example.com:9115', job: 'blackbox', device: '/dev/sda1', team: 'sre', code: '500' };
const base: TemplateData = { value: 25000, labels, externalLabels: { cluster: 'eu-central-1' }, expr: 'probe_success == 0' };

function render(text: string, data: Partial<TemplateData> = {}): string {
  return executeTemplate(parseTemplate(text), { ...base, ...data });
}

function parseError(text: string): TemplateError {
  try {
    parseTemplate(text);
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('real-world annotations', () => {
  const cases: Array<[string, Partial<TemplateData>, string]> = [
    ['Blackbox probe failed (instance {{ $labels.instance }})', {}, 'Blackbox probe failed (instance web-1.example.com:9115)'],
    [
      'Probe failed\n  VALUE = {{ $value }}\n  LABELS = {{ $labels }}',
      { value: 0 },
      'Probe failed\n  VALUE = 0\n  LABELS = map[code:500 device:/dev/sda1 instance:web-1.example.com:9115 job:blackbox team:sre]',
    ],
    ['SSL certificate expires in {{ $value | humanizeDuration }}', { value: 1_209_600 }, 'SSL certificate expires in 14d 0h 0m 0s'],
    ['{{ printf "%.2f" $value }}% of orders failed', { value: 3.14159 }, '3.14% of orders failed'],
    ['{{ $value | humanizePercentage }} errors on {{ $labels.job }}', { value: 0.1234 }, '12.34% errors on blackbox'],
    ['{{ humanize $value }} orders in the last hour', { value: 25000 }, '25k orders in the last hour'],
    ['Disk {{ .Labels.device }} at {{ .Value }}', { value: 91.5 }, 'Disk /dev/sda1 at 91.5'],
    ['{{ if gt $value 100.0 }}high{{ else }}normal{{ end }}', { value: 150 }, 'high'],
    ['{{ if gt $value 100.0 }}high{{ else }}normal{{ end }}', { value: 99.9 }, 'normal'],
    ['{{ $labels.instance | reReplaceAll ":[0-9]+$" "" }}', {}, 'web-1.example.com'],
    ['{{ with $labels.team }}team {{ . }}{{ end }}', {}, 'team sre'],
    ['{{ with $labels.owner }}owner {{ . }}{{ else }}no owner{{ end }}', {}, 'no owner'],
    ['{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}', {}, 'code=500 device=/dev/sda1 instance=web-1.example.com:9115 job=blackbox team=sre '],
    ['{{ $externalLabels.cluster }}', {}, 'eu-central-1'],
    ['Host {{ $labels.instance | stripPort | stripDomain }} down', {}, 'Host web-1 down'],
    ['{{ $labels.job | toUpper }} {{ title "disk almost full" }}', {}, 'BLACKBOX Disk Almost Full'],
    ['Memory {{ $value | humanize1024 }}B', { value: 3 * 1024 ** 3 }, 'Memory 3GiB'],
    [
      'Expected {{ $labels.code }} on {{ $labels.instance }}: {{ $value }} failures\n  {{- if eq $labels.code "500" }} (server error){{ end }}',
      { value: 3 },
      'Expected 500 on web-1.example.com:9115: 3 failures (server error)',
    ],
  ];
  for (const [text, data, expected] of cases) {
    it(`renders ${JSON.stringify(text)}`, () => {
      expect(renderTemplate(parseTemplate(text), { ...base, ...data })).toBe(expected);
    });
  }

  it('renders the rules shipped in targets/rules/probes.yml style', () => {
    const t = parseTemplate('{{ $labels.target }} is slow: {{ $value | humanizeDuration }} per probe; average {{ printf "%.2f" $value }}s');
    expect(renderTemplate(t, { value: 2.345, labels: { target: 'shop' } })).toBe('shop is slow: 2.345s per probe; average 2.35s');
    const expired = parseTemplate('expired {{ $value | humanizeDuration }} ago');
    expect(renderTemplate(expired, { value: -3725, labels: {} })).toBe('expired -1h 2m 5s ago');
  });
});

describe('syntax', () => {
  it('copies text without actions unchanged', () => {
    expect(render('plain text, no actions')).toBe('plain text, no actions');
    expect(render('')).toBe('');
    expect(render('single { and } braces')).toBe('single { and } braces');
  });

  it('trims whitespace with {{- and -}}, which need a space next to the dash', () => {
    expect(render('a  \n {{- $labels.job -}} \n  b')).toBe('ablackboxb');
    expect(render('a {{- $labels.job }} b')).toBe('ablackbox b');
    expect(render('a {{ $labels.job -}} b')).toBe('a blackboxb');
    expect(render('a {{-3}} b')).toBe('a -3 b');
  });

  it('drops comments, with or without trim markers', () => {
    expect(render('a {{/* note */}} b')).toBe('a  b');
    expect(render('a {{- /* note\n spanning lines */ -}} b')).toBe('ab');
  });

  it('parses string, raw string, number, bool and character literals as Go does', () => {
    expect(render('{{ "tab\\there \\x41\\u00e9\\101 \\"q\\"" }}')).toBe('tab\there AéA "q"');
    expect(render('{{ `raw \\n {{ not an action }}` }}')).toBe('raw \\n {{ not an action }}');
    expect(render('{{ 42 }} {{ -7 }} {{ 0x1F }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}')).toBe('42 -7 31 15 5 1000');
    expect(render('{{ 1.5 }} {{ 1.0 }} {{ 1e3 }} {{ .25 }} {{ 0x1p4 }}')).toBe('1.5 1 1000 0.25 16');
    expect(render("{{ true }} {{ false }} {{ 'a' }}")).toBe('true false 97');
  });

  it('gives the predefined variables and the dot the alert data', () => {
    expect(render('{{ $value }}|{{ .Value }}|{{ $.Value }}')).toBe('25000|25000|25000');
    expect(render('{{ $labels.job }}|{{ .Labels.job }}|{{ $.Labels.job }}')).toBe('blackbox|blackbox|blackbox');
    expect(render('{{ $externalLabels.cluster }}|{{ .ExternalLabels.cluster }}')).toBe('eu-central-1|eu-central-1');
    expect(render('{{ $expr }}|{{ .Expr }}')).toBe('probe_success == 0|probe_success == 0');
    expect(render('{{ $externalLabels }}', { externalLabels: undefined })).toBe('map[]');
    expect(render('{{ $expr }}', { expr: undefined })).toBe('');
  });

  it('prints a missing label as the empty string (Prometheus uses missingkey=zero)', () => {
    expect(render('[{{ $labels.nope }}][{{ .Labels.nope }}][{{ index $labels "nope" }}][{{ $externalLabels.nope }}]')).toBe('[][][][]');
    // Object.prototype members are not labels.
    expect(render('[{{ $labels.constructor }}][{{ index $labels "__proto__" }}][{{ $labels.toString }}]')).toBe('[][][]');
    expect(render('{{ $labels.constructor }}', { labels: { constructor: 'mine' } })).toBe('mine');
  });

  it('passes each pipeline stage as the last argument of the next', () => {
    expect(render('{{ $value | printf "%.1f" | printf "[%s]" }}', { value: 2.25 })).toBe('[2.2]');
    expect(render('{{ "a" | printf "%s-%s" "b" }}')).toBe('b-a');
    expect(render('{{ printf "%s=%d" ($labels.job | toUpper) (len $labels) }}')).toBe('BLACKBOX=5');
  });

  it('runs if / else if / else', () => {
    const t = parseTemplate('{{ if gt $value 100.0 }}high{{ else if gt $value 10.0 }}mid{{ else }}low{{ end }}');
    expect(renderTemplate(t, { ...base, value: 500 })).toBe('high');
    expect(renderTemplate(t, { ...base, value: 50 })).toBe('mid');
    expect(renderTemplate(t, { ...base, value: 5 })).toBe('low');
    expect(render('{{ if $labels.nope }}set{{ else }}empty{{ end }}|{{ if 0 }}a{{ end }}|{{ if "x" }}b{{ end }}')).toBe('empty||b');
  });

  it('runs with and else with, setting the dot', () => {
    expect(render('{{ with $labels.nope }}{{ . }}{{ else with $labels.team }}team {{ . }}{{ end }}')).toBe('team sre');
    expect(render('{{ with $t := $labels.team }}{{ $t }}/{{ . }}{{ end }}')).toBe('sre/sre');
    expect(render('{{ with .Labels }}{{ .job }}{{ end }}')).toBe('blackbox');
  });

  it('ranges over a label map in key order, with one or two variables, else, break and continue', () => {
    const small = { b: '2', a: '1', c: '3' };
    expect(render('{{ range $labels }}{{ . }},{{ end }}', { labels: small })).toBe('1,2,3,');
    expect(render('{{ range $v := $labels }}{{ $v }};{{ end }}', { labels: small })).toBe('1;2;3;');
    expect(render('{{ range $k, $v := .Labels }}{{ $k }}={{ $v }} {{ end }}', { labels: small })).toBe('a=1 b=2 c=3 ');
    expect(render('{{ range $externalLabels }}x{{ else }}none{{ end }}', { externalLabels: {} })).toBe('none');
    expect(render('{{ range $k, $v := $labels }}{{ if eq $k "b" }}{{ continue }}{{ end }}{{ if eq $k "c" }}{{ break }}{{ end }}{{ $k }}{{ end }}', { labels: { ...small, d: '4' } })).toBe('a');
  });

  it('ranges over an integer (Go 1.22)', () => {
    expect(render('{{ range $i := 3 }}{{ $i }}{{ end }}')).toBe('012');
  });

  it('declares, assigns and scopes variables as Go does', () => {
    expect(render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}')).toBe('2');
    expect(render('{{ $x := "outer" }}{{ if true }}{{ $x := "inner" }}{{ $x }} {{ end }}{{ $x }}')).toBe('inner outer');
    expect(render('{{ $host := reReplaceAll ":.*" "" $labels.instance }}{{ $host }}!')).toBe('web-1.example.com!');
    expect(render('{{ $last := "" }}{{ range $k, $v := $labels }}{{ $last = $k }}{{ end }}{{ $last }}')).toBe('team');
    expect(render('{{ $value := 7 }}{{ $value }}')).toBe('7');
  });
});

describe('Go number formatting of {{ $value }}', () => {
  const cases: Array<[number, string]> = [
    [25000, '25000'],
    [0.5, '0.5'],
    [0, '0'],
    [-0, '-0'],
    [123456, '123456'],
    [999999.5, '999999.5'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1 / 3, '0.3333333333333333'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, expected] of cases) {
    it(`prints ${String(value)} as ${expected}`, () => {
      expect(render('{{ $value }}', { value })).toBe(expected);
    });
  }
});

describe('printf', () => {
  it('formats floats with %f %e %g and precision', () => {
    expect(render('{{ printf "%f|%.2f|%.0f|%e|%.3e|%g|%.4g|%G|%E" $value $value $value $value $value $value $value $value $value }}', { value: 1234.5678 })).toBe(
      '1234.567800|1234.57|1235|1.234568e+03|1.235e+03|1234.5678|1235|1234.5678|1.234568E+03',
    );
    expect(render('{{ printf "%g|%g|%.3g" 1e-7 123456789.0 100000.0 }}')).toBe('1e-07|1.23456789e+08|1e+05');
  });

  it('rounds halfway cases to even, from the exact binary value, as Go does', () => {
    expect(render('{{ printf "%.0f %.0f %.0f %.0f" 0.5 1.5 2.5 3.5 }}')).toBe('0 2 2 4');
    expect(render('{{ printf "%.2f %.2f %.1f %.1f" 0.125 0.375 0.25 0.35 }}')).toBe('0.12 0.38 0.2 0.3');
    expect(render('{{ printf "%.2f" 1.005 }}')).toBe('1.00');
    expect(render('{{ printf "%.20f" 0.1 }}')).toBe('0.10000000000000000555');
    expect(render('{{ printf "%.0f" 1e23 }}')).toBe('99999999999999991611392');
  });

  it('applies width, flags and padding', () => {
    expect(render('{{ printf "%8.3f|%-8.2f|%+.1f|%08.3f|% .2f|%08.3f" 3.14159 3.14159 3.14159 3.14159 3.14159 -3.14159 }}')).toBe('   3.142|3.14    |+3.1|0003.142| 3.14|-003.142');
    expect(render('{{ printf "%5d|%-5d|%05d|%+d|%x|%X|%#x|%o|%b|%c|%q|%U" 42 42 -42 7 255 255 255 8 5 65 65 233 }}')).toBe("   42|42   |-0042|+7|ff|FF|0xff|10|101|A|'A'|U+00E9");
    expect(render('{{ printf "%s|%10s|%-6s|%.2s|%q|%x|%v|%t" "hello" "hi" "hi" "héllo" "a\\"b\\n" "hi" "v" true }}')).toBe('hello|        hi|hi    |hé|"a\\"b\\n"|6869|v|true');
    expect(render('{{ printf "%[2]d %[1]d" 1 2 }}|{{ printf "%*d|%.*f|100%%" 4 7 2 3.14159 }}')).toBe('2 1|   7|3.14|100%');
  });

  it('reports mismatched verbs and arguments in the output, as Go does', () => {
    expect(render('{{ printf "%d" $value }}')).toBe('%!d(float64=25000)');
    expect(render('{{ printf "%d items" .Labels.code }}')).toBe('%!d(string=500) items');
    expect(render('{{ printf "%d %d" 1 }}')).toBe('1 %!d(MISSING)');
    expect(render('{{ printf "%d" 1 2 }}')).toBe('1%!(EXTRA int=2)');
    expect(render('{{ printf "%z" 1.5 }}|{{ printf "%" }}')).toBe('%!z(float64=1.5)|%!(NOVERB)');
  });

  it('prints maps, nil and NaN like fmt', () => {
    expect(render('{{ printf "%v|%s|%v" $labels nil $value }}', { labels: { b: '2', a: '1' }, value: NaN })).toBe('map[a:1 b:2]|%!s(<nil>)|NaN');
  });
});

describe('Prometheus functions', () => {
  it('humanize uses SI prefixes with 4 significant digits (micro is "u", as in Prometheus)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [1, '1'],
      [999, '999'],
      [1000, '1k'],
      [1234567, '1.235M'],
      [-1234567, '-1.235M'],
      [1e21, '1Z'],
      [0.5, '500m'],
      [0.00012, '120u'],
      [1.5e-9, '1.5n'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
    ];
    for (const [value, expected] of cases) expect(render('{{ humanize $value }}', { value })).toBe(expected);
    expect(render('{{ humanize "2048" }}|{{ humanize 1500 }}')).toBe('2.048k|1.5k');
  });

  it('humanize1024 uses binary prefixes', () => {
    expect(render('{{ humanize1024 1 }}|{{ humanize1024 1024 }}|{{ humanize1024 1536.0 }}|{{ humanize1024 1048576 }}|{{ humanize1024 0.5 }}')).toBe('1|1ki|1.5ki|1Mi|0.5');
  });

  it('humanizeDuration prints days to seconds, and sub-second values with prefixes', () => {
    const cases: Array<[number, string]> = [
      [90061, '1d 1h 1m 1s'],
      [3600, '1h 0m 0s'],
      [61, '1m 1s'],
      [59.5, '59.5s'],
      [1.23456, '1.235s'],
      [0, '0s'],
      [0.5, '500ms'],
      [0.0012, '1.2ms'],
      [0.0000015, '1.5us'],
      [-90, '-1m 30s'],
      [NaN, 'NaN'],
    ];
    for (const [value, expected] of cases) expect(render('{{ humanizeDuration $value }}', { value })).toBe(expected);
  });

  it('humanizePercentage multiplies by 100', () => {
    expect(render('{{ humanizePercentage 0.1234 }}|{{ humanizePercentage 0.5 }}|{{ humanizePercentage 1.0 }}|{{ humanizePercentage 0.000012345 }}')).toBe('12.34%|50%|100%|0.001234%');
  });

  it('humanizeTimestamp and toTime print Go time in UTC at millisecond resolution', () => {
    expect(render('{{ humanizeTimestamp 1700000000 }}')).toBe('2023-11-14 22:13:20 +0000 UTC');
    expect(render('{{ humanizeTimestamp 1700000000.5 }}')).toBe('2023-11-14 22:13:20.5 +0000 UTC');
    expect(render('{{ humanizeTimestamp $value }}', { value: NaN })).toBe('NaN');
    expect(render('{{ toTime 0 }}')).toBe('1970-01-01 00:00:00 +0000 UTC');
    expect(render('{{ (toTime 1700000000.5).Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:04PM MST" }}')).toBe('2023-11-14T22:13:20.500Z Tue Nov 14 10:13PM UTC');
    expect(render('{{ (toTime 1700000000).Unix }} {{ (toTime 1700000000).UnixMilli }}')).toBe('1700000000 1700000000000');
  });

  it('reReplaceAll uses Go regular expressions and $1 / ${name} replacements', () => {
    expect(render('{{ reReplaceAll "(\\\\w+)-(\\\\d+)" "$2/$1" "web-1" }}')).toBe('1/web');
    expect(render('{{ reReplaceAll "(?P<host>[^:]+):(?P<port>\\\\d+)" "${port} on ${host}" "db:5432" }}')).toBe('5432 on db');
    // Go reads "$1x" as a group named "1x" (empty); "${1}x" is group 1 then x.
    expect(render('{{ reReplaceAll "(a)" "$1x|${1}x|$$" "a" }}')).toBe('|ax|$');
    expect(render('{{ reReplaceAll "(?i)WEB" "W" "web-1" }}')).toBe('W-1');
    // An empty match right after a match is not replaced again (Go, unlike String.replace).
    expect(render('{{ reReplaceAll "b*" "-" "abc" }}')).toBe('-a-c-');
  });

  it('match reports whether a Go regular expression matches', () => {
    expect(render('{{ if match "^web-[0-9]+" $labels.instance }}web{{ else }}other{{ end }}|{{ match "^db" "web" }}')).toBe('web|false');
  });

  it('strips ports and domains like Prometheus', () => {
    expect(render('{{ stripPort "host.example.com:9100" }}|{{ stripPort "[::1]:80" }}|{{ stripPort "host" }}')).toBe('host.example.com|::1|host');
    expect(render('{{ stripDomain "host.example.com:9100" }}|{{ stripDomain "host.example.com" }}|{{ stripDomain "10.0.0.1:80" }}|{{ stripDomain "[::1]:80" }}')).toBe(
      'host:9100|host|10.0.0.1:80|[::1]:80',
    );
  });

  it('title, toUpper, toLower, safeHtml and parseDuration', () => {
    expect(render('{{ title "hello wide-world o\'neil" }}|{{ toUpper "straße" }}|{{ toLower "ABC" }}|{{ safeHtml "<b>" }}')).toBe("Hello Wide-World O'Neil|STRAßE|abc|<b>");
    expect(render('{{ parseDuration "1h30m" }}|{{ parseDuration "500ms" }}')).toBe('5400|0.5');
  });

  it('vmalert escapes', () => {
    expect(render('{{ quotesEscape "say \\"hi\\"\\n" }}|{{ jsonEscape "a<b" }}|{{ crlfEscape "a\\nb" }}|{{ pathEscape "a b/c" }}|{{ queryEscape "a b&c" }}|{{ htmlEscape "<a>" }}')).toBe(
      'say \\"hi\\"\\n|"a\\u003cb"|a\\nb|a%20b%2Fc|a+b%26c|&lt;a&gt;',
    );
  });
});

describe('text/template builtins', () => {
  it('compares with eq, ne, lt, le, gt, ge', () => {
    expect(render('{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne "a" "b" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}')).toBe('true true true true true true false');
    expect(render('{{ eq $labels.code "500" }} {{ eq $value 25000.0 }} {{ eq nil nil }}')).toBe('true true true');
  });

  it('compares a float with an integer literal numerically (Go would fail with "incompatible types")', () => {
    expect(render('{{ if gt $value 100 }}high{{ else }}normal{{ end }}', { value: 150 })).toBe('high');
    expect(render('{{ eq $value 3 }}', { value: 3 })).toBe('true');
  });

  it('and, or and not return Go values and stop early', () => {
    expect(render('{{ and 1 0 }}|{{ and 1 2 }}|{{ or 0 "" }}|{{ or 0 "x" }}|{{ not 0 }}|{{ not "a" }}')).toBe('0|2||x|true|false');
    // "and" stops before the failing call.
    expect(render('{{ and false (humanize "not a number") }}')).toBe('false');
  });

  it('len, index and slice count and index UTF-8 bytes like Go', () => {
    expect(render('{{ len $labels }}|{{ len "héllo" }}|{{ index $labels "job" }}|{{ index "abc" 1 }}|{{ slice "abcdef" 1 3 }}|{{ slice "abc" 1 }}')).toBe('5|6|blackbox|98|bc|bc');
  });

  it('print, println, html, js and urlquery', () => {
    expect(render('{{ print 1 2 "a" "b" 3 }}|{{ println "x" 1 }}|{{ print }}')).toBe('1 2ab3|x 1\n|');
    expect(render('{{ html "<a href=\'x\'>&\\"" }}')).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&#34;');
    expect(render('{{ js "it\'s <b> = \\\\" }}')).toBe("it\\'s \\u003Cb\\u003E \\u003D \\\\");
    expect(render('{{ urlquery "a b&c/é" }}')).toBe('a+b%26c%2F%C3%A9');
  });
});

describe('errors found when the rule file is loaded', () => {
  it('rejects an unknown function and names it, with a suggestion and the position', () => {
    const err = parseError('{{ $value | humanise }}');
    expect(err.message).toContain('function "humanise" not defined');
    expect(err.message).toContain('did you mean "humanize"?');
    expect(err.message).toMatch(/^line 1, column 13: /);
    expect([err.offset, err.line, err.column]).toEqual([12, 1, 13]);
  });

  it('rejects an undefined variable', () => {
    const err = parseError('value {{ $valu }}');
    expect(err.message).toBe('line 1, column 10: undefined variable "$valu" (did you mean "$value"?)');
    expect(parseError('{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}').reason).toBe('undefined variable "$x"');
    expect(parseError('{{ $y = 1 }}').reason).toBe('undefined variable "$y"');
  });

  it('rejects an unclosed action, an unclosed block and a stray {{end}} or {{else}}', () => {
    expect(parseError('x {{ $value ').message).toBe('line 1, column 3: unclosed action');
    expect(parseError('{{ if true }}\n  yes').message).toBe('line 1, column 1: {{if}} is never closed: missing {{end}}');
    expect(parseError('ok\n {{ end }}').message).toBe('line 2, column 2: unexpected {{end}}');
    expect(parseError('{{ else }}').reason).toBe('unexpected {{else}}');
    expect(parseError('{{ if 1 }}{{ else }}{{ else }}{{ end }}').reason).toBe('expected {{end}}; found {{else}}');
  });

  it('rejects lexical mistakes', () => {
    expect(parseError('{{ "open }}').reason).toBe('unterminated quoted string');
    expect(parseError('{{ `open }}').reason).toBe('unterminated raw quoted string');
    expect(parseError('{{/* open').reason).toBe('unclosed comment');
    expect(parseError('{{/* c */ x }}').reason).toBe('comment ends before closing delimiter');
    expect(parseError('{{ 1x }}').reason).toBe('bad number syntax: "1x"');
    expect(parseError('{{ "\\q" }}').reason).toBe('invalid escape in string "\\q"');
    expect(parseError('{{ ( 1 }}').reason).toBe('unclosed left paren');
    expect(parseError('{{ # }}').reason).toBe('unexpected "#" in command');
  });

  it('rejects pipelines that cannot run', () => {
    expect(parseError('{{ }}').reason).toBe('missing value for command');
    expect(parseError('{{ 1 | }}').reason).toBe('missing command after "|"');
    expect(parseError('{{ "a" | "b" }}').reason).toBe('non executable command in pipeline stage 2');
    expect(parseError('{{ $value 1 }}').reason).toBe("can't give argument to non-function $value");
    expect(parseError('{{ nil }}').reason).toBe('nil is not a command');
    expect(parseError('{{ humanize }}').reason).toBe('wrong number of args for humanize: want 1 got 0');
    expect(parseError('{{ $value | humanize 2 }}').reason).toBe('wrong number of args for humanize: want 1 got 2');
    expect(parseError('{{ printf }}').reason).toBe('wrong number of args for printf: want at least 1 got 0');
  });

  it('rejects fields the alert data does not have and fields of numbers and strings', () => {
    expect(parseError('{{ .value }}').reason).toContain("can't evaluate field value of the alert data (did you mean \"Value\"?)");
    expect(parseError('{{ $value.x }}').reason).toBe("can't evaluate field x in type float64 ($value is a number)");
    expect(parseError('{{ $labels.job.x }}').reason).toBe("can't evaluate field x in type string ($labels.job is a string)");
    expect(parseError('{{ .Labels.job.x }}').reason).toBe("can't evaluate field x in type string (.Labels.job is a string)");
    // Inside with/range the dot is not the alert data, so fields of it are not judged until rendering.
    expect(validateTemplate('{{ with $labels }}{{ .job }}{{ end }}')).toBeUndefined();
  });

  it('rejects invalid literal regular expressions', () => {
    expect(parseError('{{ reReplaceAll "(" "" $labels.job }}').reason).toContain('invalid regular expression "("');
    expect(parseError('{{ match "[" "x" }}').reason).toContain('invalid regular expression "["');
  });

  it('rejects functions that need a query backend or named templates, saying why', () => {
    expect(parseError('{{ query "up" | first | value }}').reason).toBe('function "query" is not supported: alert templates cannot run queries');
    expect(parseError('{{ template "x" . }}').reason).toBe('{{template}} is not supported: alert templates have no named templates');
  });

  it('rejects misplaced break, too many range variables and declarations in if', () => {
    expect(parseError('{{ break }}').reason).toBe('{{break}} outside {{range}}');
    expect(parseError('{{ range $a, $b, $c := $labels }}{{ end }}').reason).toBe('too many declarations in range');
    expect(parseError('{{ if $a, $b := 1 }}{{ end }}').reason).toBe('too many declarations in if');
  });

  it('reports line and column on multi-line templates', () => {
    const err = parseError('first line\nsecond {{ $labels.job }}\nthird {{ toUpperr $labels.job }}');
    expect([err.line, err.column]).toEqual([3, 10]);
    expect(err.message).toBe('line 3, column 10: function "toUpperr" not defined (did you mean "toUpper"?)');
  });

  it('validateTemplate returns the message, or undefined for a valid template', () => {
    expect(validateTemplate('{{ $value | humanize }} on {{ $labels.instance }}')).toBeUndefined();
    expect(validateTemplate('{{ $value | humanise }}')).toBe('line 1, column 13: function "humanise" not defined (did you mean "humanize"?)');
  });
});

describe('errors while rendering', () => {
  it('renders "<error expanding template: …>" instead of throwing, as Prometheus does', () => {
    const t = parseTemplate('{{ humanize $labels.job }}');
    expect(renderTemplate(t, base)).toBe('<error expanding template: line 1, column 4: error calling humanize: strconv.ParseFloat: parsing "blackbox": invalid syntax>');
  });

  it('executeTemplate throws TemplateExecError with the position', () => {
    const t = parseTemplate('ok {{ gt $labels.code 5 }}');
    let caught: unknown;
    try {
      executeTemplate(t, base);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TemplateExecError);
    expect((caught as TemplateExecError).message).toBe('line 1, column 7: error calling gt: incompatible types for comparison');
  });

  it('reports wrong argument types, bad fields inside with, and bad ranges', () => {
    expect(renderTemplate(parseTemplate('{{ toUpper $value }}'), base)).toBe('<error expanding template: line 1, column 4: toUpper: wrong type for value; expected string; got float64>');
    expect(renderTemplate(parseTemplate('{{ with $labels.job }}{{ .x }}{{ end }}'), base)).toBe("<error expanding template: line 1, column 26: can't evaluate field x in type string>");
    expect(renderTemplate(parseTemplate('{{ range $value }}{{ end }}'), base)).toBe("<error expanding template: line 1, column 1: range can't iterate over 25000>");
  });
});

describe('parse once, render many', () => {
  it('renders one parsed template with different data independently', () => {
    const t = parseTemplate('{{ $x := $labels.job }}{{ range $k, $v := $labels }}{{ $x = $k }}{{ end }}{{ $x }}={{ $value }}');
    expect(renderTemplate(t, { value: 1, labels: { a: '1' } })).toBe('a=1');
    expect(renderTemplate(t, { value: 2, labels: { z: '1', b: '2' } })).toBe('z=2');
    expect(renderTemplate(t, { value: 3, labels: {} })).toBe('=3');
  });

  it('returns the text of a template without actions as it is', () => {
    const t = parseTemplate('critical');
    expect(renderTemplate(t, base)).toBe('critical');
    expect(t.source).toBe('critical');
  });
});
