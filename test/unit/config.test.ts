import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseByteSize, parseDuration, parseTargetsFile, loadTargetsFile } from '../../shared/config/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// These tests parse synchronously; files with regexes need the RE2 engine, which loadTargetsFile loads itself.
beforeAll(() => loadRegexEngine());

function problemsOf(yaml: string): string[] {
  try {
    parseTargetsFile(yaml, 'targets/test.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected the file to be rejected');
}

const minimal = (target: string) => `
groups:
  - name: g
    targets:
${target
  .trim()
  .split('\n')
  .map((line) => `      ${line}`)
  .join('\n')}
`;

describe('targets file schema', () => {
  it('parses the shipped example with defaults filled in', async () => {
    const file = await loadTargetsFile('targets/example.yml');
    expect(file.defaults).toEqual({ timeout: 10_000, interval: 60_000 });
    expect(file.groups.map((g) => g.name)).toEqual(['public-api', 'backends']);
    const health = file.groups[0]?.targets[0]?.http;
    expect(health?.method).toBe('GET');
    expect(health?.follow_redirects).toBe(true);
    expect(health?.preferred_ip_protocol).toBe('ip4');
    const db = file.groups[1]?.targets[1]?.postgres;
    expect(db).toMatchObject({ host: 'orders-db.example.com', port: 5432, database: 'orders', user: 'monitor', max: 500 });
    expect(file.groups[1]?.timeout).toBe(5_000);
  });

  it('names file, field path and problem for a wrong type', () => {
    const problems = problemsOf(minimal(`
- name: a
  http:
    url: http://127.0.0.1/
    valid_status_codes: [200, "x"]`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^targets\/test\.yml: groups\[0\]\.targets\[0\]\.http\.valid_status_codes\[1\]: /);
  });

  it('rejects unknown keys so typos do not pass silently', () => {
    const problems = problemsOf(minimal(`
- name: a
  http:
    url: http://127.0.0.1/
    valid_status_code: [200]`));
    expect(problems[0]).toBe('targets/test.yml: groups[0].targets[0].http.valid_status_code: unknown field "valid_status_code"');
  });

  it('rejects duplicate target names within a group', () => {
    const problems = problemsOf(minimal(`
- name: a
  tcp: { address: "127.0.0.1:1" }
- name: a
  tcp: { address: "127.0.0.1:2" }`));
    expect(problems[0]).toContain('groups[0].targets[1].name: duplicate target name "a"');
  });

  it('requires exactly one module block', () => {
    expect(problemsOf(minimal(`- name: a`))[0]).toContain('needs exactly one module block');
    expect(
      problemsOf(minimal(`
- name: a
  tcp: { address: "127.0.0.1:1" }
  http: { url: "http://127.0.0.1/" }`))[0],
    ).toContain('has http and tcp');
  });

  it('refuses literal secrets and says what to write instead', () => {
    const problems = problemsOf(minimal(`
- name: a
  http:
    url: http://127.0.0.1/
    basic_auth: { username: u, password: hunter2 }`));
    expect(problems[0]).toContain('groups[0].targets[0].http.basic_auth.password: literal secrets are not accepted; use password_from');
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('rejects passwords inside URLs without echoing them', () => {
    const problems = problemsOf(minimal(`
- name: a
  postgres: { url: "postgres://u:s3cret@127.0.0.1/db" }`));
    expect(problems.join('\n')).toContain('must not contain a password');
    expect(problems.join('\n')).not.toContain('s3cret@');
  });

  it('does not echo a password from a URL that does not parse', () => {
    const problems = problemsOf(minimal(`
- name: a
  http: { url: "http://probe:s3cret@[not-a-host/" }`));
    expect(problems.join('\n')).toContain('is not a valid URL');
    expect(problems.join('\n')).toContain('//probe:***@');
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  it('validates label names and protects identity labels', () => {
    const bad = problemsOf(`labels: { "bad-name": x, instance: y }\ngroups: []`);
    expect(bad).toContain('targets/test.yml: labels.bad-name: "bad-name" is not a valid Prometheus label name');
    expect(bad).toContain('targets/test.yml: labels.instance: "instance" is set by Periscope and cannot be overridden');
  });

  it('reports bad durations, sizes, regexes and addresses', () => {
    const problems = problemsOf(minimal(`
- name: a
  timeout: 5 seconds
  http:
    url: ftp://127.0.0.1/
    body_size_limit: lots
    fail_if_body_matches_regexp: ["(unclosed"]
- name: b
  tcp: { address: "no-port" }`));
    const text = problems.join('\n');
    expect(text).toContain('groups[0].targets[0].timeout: "5 seconds" is not a duration');
    expect(text).toContain('groups[0].targets[0].http.url: URL scheme must be http or https');
    expect(text).toContain('groups[0].targets[0].http.body_size_limit: "lots" is not a size');
    expect(text).toContain('groups[0].targets[0].http.fail_if_body_matches_regexp[0]: invalid regular expression "(unclosed"');
    expect(text).toContain('groups[0].targets[1].tcp.address: "no-port" is not host:port');
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('groups:\n  - name: g\n    targets: [\n');
    expect(problems[0]).toMatch(/^targets\/test\.yml: line \d+ column \d+: /);
  });

  it('reports duplicate YAML keys', () => {
    expect(problemsOf('labels: {}\nlabels: {}\n')[0]).toMatch(/line 2/);
  });

  it('maps no_follow_redirects (older blackbox key) onto follow_redirects', () => {
    const file = parseTargetsFile(minimal(`
- name: a
  http: { url: "http://127.0.0.1/", no_follow_redirects: true }`), 'f.yml');
    expect(file.groups[0]?.targets[0]?.http?.follow_redirects).toBe(false);
  });
});

describe('value parsers', () => {
  it('parses Prometheus durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('s')).toBeUndefined();
  });

  it('parses byte sizes as blackbox does (base 2)', () => {
    expect(parseByteSize('1MB')).toBe(1_048_576);
    expect(parseByteSize('64KiB')).toBe(65_536);
    expect(parseByteSize(512)).toBe(512);
    expect(parseByteSize('1.5MB')).toBeUndefined();
    expect(parseByteSize('12 parsecs')).toBeUndefined();
  });

});
