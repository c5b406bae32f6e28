// Periscope's own files read as Go's yaml.v3 reads YAML (shared/config/yaml.ts): a large targets file
// sharing one anchor loads, an alias bomb is a clean exit 2 naming the file (in a process whose heap is
// capped, so an expansion would crash it instead), merge keys, YAML 1.1 booleans in boolean fields and the
// first of several documents (a broken second document is ignored by promtool check rules, promtool test
// rules and amtool check-config, and by Periscope's loaders of the same files). What blackbox_exporter and
// Prometheus make of the same YAML is checked against the binaries in import-blackbox-conformance.test.ts and
// import-relabel-conformance.test.ts.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goString } from '../../shared/config/go-scalars.js';
import { ConfigError, parseTargetsFile, withRegexEngine } from '../../shared/config/index.js';
import { allowedAliasRatio, parseYaml, YamlError, YamlFile } from '../../shared/config/yaml.js';
import { loadRuleFile } from '../../shared/alerting/rules/load.js';
import { importSetup } from '../../shared/import/index.js';
import { readImportSources } from '../../shared/import/read-sources.js';
import { parseRuleTestFile } from '../../shared/alerting/rule-tests/test-file.js';

function tool(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: dir, timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }));
  });
}

function periscope(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/periscope.js', ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A targets file with `count` HTTPS targets whose tls_config is one anchor, as people share settings. */
function sharedAnchorTargets(count: number): string {
  const lines = ['groups:', '  - name: internal', '    targets:'];
  for (let i = 0; i < count; i++) {
    lines.push(`      - name: svc-${i}`, '        http:', `          url: https://svc-${i}.internal.example/health`);
    lines.push(i === 0 ? '          tls_config: &tls\n            insecure_skip_verify: true\n            server_name: internal.example' : '          tls_config: *tls');
  }
  return `${lines.join('\n')}\n`;
}

/** Billion laughs: nine levels of nine aliases, 9^9 strings if expanded. */
function billionLaughs(): string {
  let text = 'groups:\n  - name: bomb\n    targets:\n      - name: lol\n        labels:\n          l0: &l0 lol\n        http:\n          url: http://127.0.0.1:1/\n          valid_http_versions: &l1 [' + Array(9).fill('*l0').join(', ') + ']\n';
  text += '          fail_if_body_matches_regexp: [';
  // Nested lists under an anchor-bearing field the schema would reject: the loader must refuse first.
  const levels: string[] = [];
  for (let i = 2; i <= 9; i++) levels.push(`&l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  text += `${levels.join(', ')}]\n`;
  return text;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-yaml-go-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('alias limits as yaml.v3 sets them', () => {
  it('bounds the share of decoded nodes that come from aliases: 99 % up to 400 000, sliding to 10 % at 4 000 000', () => {
    expect(allowedAliasRatio(1_000)).toBe(0.99);
    expect(allowedAliasRatio(400_000)).toBe(0.99);
    expect(allowedAliasRatio(2_200_000)).toBeCloseTo(0.545, 10);
    expect(allowedAliasRatio(4_000_000)).toBe(0.1);
    expect(allowedAliasRatio(40_000_000)).toBe(0.1);
  });

  it('periscope validate accepts 200 targets sharing one tls_config anchor (exit 0)', async () => {
    const file = join(dir, 'shared-anchor.yml');
    await writeFile(file, sharedAnchorTargets(200));
    const run = await periscope(['validate', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${file}: ok (1 group, 200 targets)`);
    const parsed = await withRegexEngine(() => parseTargetsFile(sharedAnchorTargets(200), 'shared.yml'));
    expect(parsed.groups[0]?.targets[199]?.http?.tls_config).toMatchObject({ insecure_skip_verify: true, server_name: 'internal.example' });
  });

  it('periscope validate refuses an alias bomb with exit 2 naming the file, within a 96 MB heap', async () => {
    const file = join(dir, 'bomb.yml');
    await writeFile(file, billionLaughs());
    const run = await periscope(['validate', file], { NODE_OPTIONS: '--max-old-space-size=96' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^periscope: ${file.replace(/[.]/g, '\\.')}: line \\d+ column \\d+: document contains excessive aliasing`));
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('refuses a type-valid bomb too: a 1 000-item list aliased by 1 000 targets', () => {
    const lines = ['groups:', '  - name: wide', '    targets:'];
    for (let i = 0; i < 1000; i++) {
      lines.push(`      - name: t${i}`, '        http:', `          url: http://127.0.0.1:1/${i}`);
      lines.push(i === 0 ? `          valid_status_codes: &codes [${Array(1000).fill(200).join(', ')}]` : '          valid_status_codes: *codes');
    }
    const error = (() => {
      try {
        parseYaml(`${lines.join('\n')}\n`, 'wide.yml');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(YamlError);
    expect((error as YamlError).message).toMatch(/^wide\.yml: line \d+ column \d+: document contains excessive aliasing/);
  });

  it('an anchor that contains itself, or an alias before its anchor, is a located error', () => {
    expect(() => parseYaml('a: &a [1, *a]\n', 'self.yml')).toThrow(/^self\.yml: line 1 column 11: anchor 'a' value contains itself/);
    expect(() => parseYaml('a: *b\nb: &b 1\n', 'order.yml')).toThrow(/^order\.yml: line 1 column 4: unknown anchor 'b' referenced/);
  });
});

describe('targets files read as Go reads YAML', () => {
  const parse = (text: string) => withRegexEngine(() => parseTargetsFile(text, 'targets.yml'));

  it('resolves merge keys: a shared http block merged into each target, its own keys winning', async () => {
    const file = await parse(
      [
        'groups:',
        '  - name: web',
        '    targets:',
        '      - name: a',
        '        http: &base',
        '          url: https://a.example/',
        '          valid_status_codes: [200, 204]',
        '          fail_if_not_ssl: true',
        '      - name: b',
        '        http:',
        '          <<: *base',
        '          url: https://b.example/',
        '      - name: c',
        '        http:',
        '          <<: [{ valid_status_codes: [404] }, *base]',
        '          url: https://c.example/',
      ].join('\n'),
    );
    const http = file.groups[0]?.targets.map((t) => [t.http?.url, t.http?.valid_status_codes, t.http?.fail_if_not_ssl]);
    expect(http).toEqual([
      ['https://a.example/', [200, 204], true],
      ['https://b.example/', [200, 204], true],
      ['https://c.example/', [404], true],
    ]);
  });

  it('reads YAML 1.1 booleans in boolean fields, and keeps them as text elsewhere', async () => {
    const file = await parse('labels:\n  enabled: "yes"\ngroups:\n  - name: g\n    targets:\n      - name: t\n        http:\n          url: https://t.example/\n          fail_if_not_ssl: yes\n          follow_redirects: off\n          tls_config: { insecure_skip_verify: Y }\n          headers: { X-Flag: "on" }\n');
    const http = file.groups[0]?.targets[0]?.http;
    expect([http?.fail_if_not_ssl, http?.follow_redirects, http?.tls_config?.insecure_skip_verify, http?.headers?.['X-Flag']]).toEqual([true, false, true, 'on']);
    expect(file.labels).toEqual({ enabled: 'yes' });
    await expect(parse('groups:\n  - name: g\n    targets:\n      - name: t\n        http: { url: "https://t.example/", fail_if_ssl: maybe }\n')).rejects.toThrow(/fail_if_ssl: "maybe" is not a boolean/);
  });

  it('takes a label value written as a number or a boolean as its text, as Go reads it into a string', async () => {
    const file = await parse('labels: { version: 1.10, zip: 01234, canary: yes, empty: ~ }\ngroups:\n  - name: g\n    targets:\n      - name: t\n        labels: { shard: 7 }\n        http: { url: "https://t.example/" }\n');
    expect(file.labels).toEqual({ version: '1.10', zip: '01234', canary: 'yes', empty: '' });
    expect(file.groups[0]?.targets[0]?.labels).toEqual({ shard: '7' });
    await expect(parse('labels: { team: [a, b] }\ngroups: []\n')).rejects.toThrow(/labels: a label value must be a string, a number or a boolean/);
  });

  it('reads the first document only; a broken second one is not even parsed', async () => {
    const file = await parse('groups:\n  - name: g\n    targets:\n      - name: t\n        http: { url: "https://t.example/" }\n---\ngroups: [this is not YAML\n');
    expect(file.groups.map((g) => g.name)).toEqual(['g']);
  });

  it('decodes !!binary, resolves numbers as yaml.v3 (0624 is octal), and keeps a scalar\'s text for string fields', () => {
    const doc = YamlFile.parse('body: !!binary cGluZw==\ncodes: [0624, 0x12E, 1_000, 0o17]\nversion: 1.10\nempty: ~\nflag: True\n', 'scalars.yml');
    const data = doc.data as Record<string, unknown>;
    expect([data.body, data.codes, data.version, data.empty, data.flag]).toEqual(['ping', [404, 302, 1000, 15], 1.1, null, true]);
    expect(['version', 'empty', 'flag'].map((key) => goString(data, key))).toEqual(['1.10', '', 'True']);
    expect(() => YamlFile.parse('body: !!binary "not base64!"\n', 'bin.yml')).toThrow(/^bin\.yml: line 1 column 7: !!binary value contains invalid base64 data/);
  });

  it('points at the line a merged value is written on', () => {
    const doc = YamlFile.parse('base: &b\n  timeout: 5s\n  prober: http\nm:\n  <<: *b\n  prober: tcp\n', 'lines.yml');
    expect([doc.lineAt(['m', 'timeout']), doc.keyLineAt(['m', 'prober']), doc.lineAt(['m', 'missing'])]).toEqual([2, 6, 5]);
  });

  it('a key named __proto__ is data, not the prototype', () => {
    const data = parseYaml('__proto__: { polluted: true }\n', 'proto.yml') as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('scalars named like Object.prototype members (constructor, toString, hasOwnProperty) are text', () => {
    expect(parseYaml('a: constructor\nb: toString\nlist: [hasOwnProperty, valueOf, __proto__]\n', 'names.yml')).toEqual({
      a: 'constructor',
      b: 'toString',
      list: ['hasOwnProperty', 'valueOf', '__proto__'],
    });
  });

  it('every failure is a ConfigError naming the file', () => {
    for (const text of ['a: [\n', 'a: 1\na: 2\n', 'a: *missing\n', `${'['.repeat(20_000)}${']'.repeat(20_000)}`]) {
      let caught: unknown;
      try {
        parseYaml(text, 'bad.yml');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toMatch(/^bad\.yml: /);
    }
  });
});

describe('several documents: the first is read, the rest ignored, as promtool and amtool do', () => {
  const BROKEN = '---\ngroups: [ this is: not YAML\n';

  it('a rule file (promtool check rules)', async () => {
    await writeFile(join(dir, 'multi-rules.yml'), `groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n${BROKEN}`);
    const promtool = await tool('promtool', ['check', 'rules', 'multi-rules.yml']);
    expect(promtool.code).toBe(0);
    const groups = await loadRuleFile(join(dir, 'multi-rules.yml'));
    expect(groups.map((g) => [g.name, g.rules.length])).toEqual([['g', 1]]);
  });

  it('a rule test file (promtool test rules)', async () => {
    await writeFile(join(dir, 'multi-test.yml'), `rule_files: [multi-rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'up{job="a"}'\n        values: '1 1 1'\n    alert_rule_test:\n      - eval_time: 2m\n        alertname: Down\n${BROKEN}`);
    const promtool = await tool('promtool', ['test', 'rules', 'multi-test.yml']);
    expect(promtool.code).toBe(0);
    const text = `rule_files: [multi-rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'up{job="a"}'\n        values: '1 1 1'\n    alert_rule_test:\n      - eval_time: 2m\n        alertname: Down\n${BROKEN}`;
    expect(parseRuleTestFile(text, 'multi-test.yml').tests).toHaveLength(1);
  });

  it('an alertmanager.yml (amtool check-config), read by the import', async () => {
    await writeFile(join(dir, 'multi-am.yml'), `route:\n  receiver: team\n  repeat_interval: 3h\nreceivers:\n  - name: team\n    email_configs: [{ to: oncall@example.com, from: am@example.com, smarthost: 127.0.0.1:25 }]\n${BROKEN}`);
    await writeFile(join(dir, 'multi-bb.yml'), 'modules:\n  http_2xx:\n    prober: http\n');
    await writeFile(join(dir, 'multi-prom.yml'), `scrape_configs: []\n${BROKEN}`);
    const amtool = await tool('amtool', ['check-config', 'multi-am.yml']);
    expect(amtool.code).toBe(0);
    const sources = await readImportSources({ blackbox: join(dir, 'multi-bb.yml'), prometheus: join(dir, 'multi-prom.yml'), alertmanager: join(dir, 'multi-am.yml') });
    const result = await importSetup(sources, { rulePath: (p) => p, outputName: 'out.yml' });
    expect(result.params.alertEmails).toEqual(['oncall@example.com']);
    expect(result.yaml).toContain('repeat_interval: 3h');
  });
});
