// Regexes are RE2 as blackbox_exporter (Go's regexp) reads them, matched in linear time. Go is the oracle:
// every pattern runs through blackbox_exporter and through Periscope on the same body. The cases are the
// ones where a translation to JavaScript's RegExp changes meaning silently, or rejects what Go accepts.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createSecretResolver, loadTargetsFile, parseTarget } from '../../shared/config/index.js';
import { probeGroup } from '../../shared/pipeline/probe-group.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { compileRe2, expandTemplate, loadRegexEngine, replaceAllRe2 } from '../../shared/regex/index.js';
import { startBlackbox, type BlackboxHandle } from '../support/blackbox.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';

interface Case {
  title: string;
  pattern: string;
  body: string;
  /** What Go's regexp.MatchString says (checked against blackbox_exporter below). */
  matches: boolean;
}

const CASES: Case[] = [
  { title: 'Unicode letter class \\p{L}', pattern: '^\\p{L}+$', body: 'Zürich', matches: true },
  { title: 'one-letter Unicode class \\pN', pattern: '\\pN', body: 'Ⅻ', matches: true },
  { title: 'Unicode script \\p{Greek}', pattern: '^\\p{Greek}+$', body: 'αβγ', matches: true },
  { title: 'POSIX class [[:alpha:]] matches letters', pattern: '^[[:alpha:]]+$', body: 'abc', matches: true },
  { title: 'POSIX class [[:alpha:]] is no set of ":alph"', pattern: '^[[:alpha:]]+$', body: ':a]', matches: false },
  { title: 'quoted literal \\Q…\\E', pattern: '^\\Qa.b*c\\E$', body: 'a.b*c', matches: true },
  { title: 'quoted literal \\Q…\\E is not a wildcard', pattern: '^\\Qa.b\\E$', body: 'axb', matches: false },
  { title: '\\A is the start of the text even under (?m)', pattern: '(?m)\\Afoo', body: 'bar\nfoo', matches: false },
  { title: '^ under (?m) is a line start', pattern: '(?m)^foo$', body: 'bar\nfoo\nbaz', matches: true },
  { title: '\\z is the very end', pattern: 'ok\\z', body: 'ok\n', matches: false },
  { title: '$ without (?m) is the end of the text', pattern: 'ok$', body: 'ok\n', matches: false },
  { title: 'flags in the middle of a pattern', pattern: 'status: (?i)OK', body: 'status: ok', matches: true },
  { title: 'flag group scoped to a group', pattern: '(?i:STATUS): ok', body: 'status: ok', matches: true },
  { title: 'flag group scoped: outside stays case-sensitive', pattern: '(?i:status): OK', body: 'status: ok', matches: false },
  { title: '. does not match a newline', pattern: 'a.c', body: 'a\nc', matches: false },
  { title: '(?s) lets . match a newline', pattern: '(?s)a.c', body: 'a\nc', matches: true },
  { title: 'hex escape \\x{263A}', pattern: '\\x{263A}', body: 'smile ☺', matches: true },
  { title: 'ungreedy flag (?U) is accepted', pattern: '(?U)^<.+>$', body: '<a><b>', matches: true },
  { title: 'named group (?P<name>…)', pattern: '(?P<code>\\d{3}) OK', body: 'HTTP 200 OK', matches: true },
  { title: '\\d is ASCII only', pattern: '^\\d+$', body: '١٢٣', matches: false },
  { title: 'case folding of non-ASCII letters', pattern: '(?i)ÄRGER', body: 'ärger', matches: true },
];

let server: TestServer;
let blackbox: BlackboxHandle;
let dir: string;
const BIG_BODY = `${'a'.repeat(1 << 20)}!`;

beforeAll(async () => {
  await loadRegexEngine();
  dir = await mkdtemp(join(tmpdir(), 'periscope-regex-'));
  server = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const index = Number(url.searchParams.get('case'));
    if (url.pathname === '/big') res.writeHead(200, { 'content-type': 'text/plain' }).end(BIG_BODY);
    else if (url.pathname === '/case') res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(CASES[index]?.body ?? '');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  });
  const modules = Object.fromEntries(
    CASES.map((c, i) => [`case_${i}`, { prober: 'http', timeout: '5s', http: { preferred_ip_protocol: 'ip4', fail_if_body_not_matches_regexp: [c.pattern] } }]),
  );
  blackbox = await startBlackbox(stringify({ modules }));
});

afterAll(async () => {
  await blackbox?.stop();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function periscope(pattern: string, url: string): Promise<ProbeResult> {
  const spec = parseTarget({ name: 't', http: { url, fail_if_body_not_matches_regexp: [pattern] } }, 'test');
  return runProbe(spec, { timeoutMs: 5000, secrets: createSecretResolver() });
}

describe('RE2 semantics, with blackbox_exporter as the oracle', () => {
  it.each(CASES.map((c, i) => [c.title, i] as const))('%s', async (_title, index) => {
    const c = CASES[index] as Case;
    const url = `${server.url}/case?case=${index}`;
    const [theirs, mine] = await Promise.all([blackbox.probe(`case_${index}`, url), periscope(c.pattern, url)]);
    const goMatched = theirs.get('probe_success')?.[0]?.value === 1;
    expect({ pattern: c.pattern, matched: goMatched }).toEqual({ pattern: c.pattern, matched: c.matches });
    expect({ pattern: c.pattern, matched: mine.success }).toEqual({ pattern: c.pattern, matched: goMatched });
    expect(mine.samples.find((s) => s.name === 'probe_failed_due_to_regex')?.value).toBe(goMatched ? 0 : 1);
  });

  it('rejects what Go rejects, naming the file and field: lookaround, backreferences, huge repeats', async () => {
    const file = join(dir, 'bad.yml');
    const patterns = ['foo(?=bar)', '(a)\\1', 'x{2000}', '(?<!a)b'];
    await writeFile(
      file,
      stringify({ groups: [{ name: 'g', targets: [{ name: 'a', http: { url: `${server.url}/`, fail_if_body_matches_regexp: patterns } }] }] }),
    );
    const error = await loadTargetsFile(file).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split('\n');
    patterns.forEach((pattern, i) => {
      expect(lines.some((l) => l.startsWith(`${file}: groups[0].targets[0].http.fail_if_body_matches_regexp[${i}]: invalid regular expression ${JSON.stringify(pattern)}`))).toBe(true);
    });
  });
});

describe('matching runs in linear time', () => {
  it('a nested-quantifier regex on a 1 MB body ends within the probe timeout and leaves the other probes of the run alone', async () => {
    const timeout = '5s';
    const file = join(dir, 'redos.yml');
    const normal = Array.from({ length: 20 }, (_, i) => ({ name: `ok-${i}`, http: { url: `${server.url}/ok?n=${i}`, fail_if_body_not_matches_regexp: ['^hello$'] } }));
    await writeFile(
      file,
      stringify({
        defaults: { timeout },
        groups: [
          {
            name: 'g',
            targets: [
              // Backtracking engines take exponential time on both: "a" * 2^20 followed by "!" never matches.
              { name: 'redos-forbidden', http: { url: `${server.url}/big`, fail_if_body_matches_regexp: ['(a+)+$'] } },
              { name: 'redos-required', http: { url: `${server.url}/big`, fail_if_body_not_matches_regexp: ['(a|aa)+$'] } },
              ...normal,
            ],
          },
        ],
      }),
    );
    const config = await loadTargetsFile(file);
    const group = config.groups[0];
    if (!group) throw new Error('no group');
    const { results } = await probeGroup(config, group, { concurrency: 22, secrets: createSecretResolver() });
    const byName = new Map(results.map((r) => [r.target, r]));
    const forbidden = byName.get('redos-forbidden');
    const required = byName.get('redos-required');
    expect(forbidden?.success).toBe(true);
    expect(required?.success).toBe(false);
    expect(required?.reason).toBe('body_regex');
    for (const result of [forbidden, required]) {
      expect(result?.samples.find((s) => s.name === 'probe_http_uncompressed_body_length')?.value).toBe(BIG_BODY.length);
      expect(result?.duration_seconds).toBeLessThan(5);
    }
    for (let i = 0; i < normal.length; i++) {
      const result = byName.get(`ok-${i}`);
      expect({ target: `ok-${i}`, success: result?.success, reason: result?.reason }).toEqual({ target: `ok-${i}`, success: true, reason: null });
      expect(result?.duration_seconds).toBeLessThan(5);
    }
  });
});

describe('the engine is loaded only when a pattern needs it', () => {
  function runFresh(script: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}: ${err}`))));
    });
  }

  it('a targets file without regexes is loaded and probed without it; one with regexes loads it', async () => {
    const plain = join(dir, 'plain.yml');
    const withRegex = join(dir, 'with-regex.yml');
    await writeFile(plain, stringify({ groups: [{ name: 'g', targets: [{ name: 'a', http: { url: `${server.url}/ok` } }] }] }));
    await writeFile(withRegex, stringify({ groups: [{ name: 'g', targets: [{ name: 'a', http: { url: `${server.url}/ok`, fail_if_body_not_matches_regexp: ['^hel+o$'] } }] }] }));
    const script = `
      import { loadTargetsFile, createSecretResolver } from './shared/config/index.ts';
      import { runProbe } from './shared/probing/index.ts';
      import { regexEngineLoaded } from './shared/regex/index.ts';
      const probeFirst = async (path) => {
        const file = await loadTargetsFile(path);
        const result = await runProbe(file.groups[0].targets[0], { timeoutMs: 5000, secrets: createSecretResolver() });
        return result.success;
      };
      const plain = await probeFirst(${JSON.stringify(plain)});
      const before = regexEngineLoaded();
      const withRegex = await probeFirst(${JSON.stringify(withRegex)});
      console.log(JSON.stringify({ plain, before, withRegex, after: regexEngineLoaded() }));
    `;
    expect(JSON.parse(await runFresh(script))).toEqual({ plain: true, before: false, withRegex: true, after: true });
  });
});

describe('Go expansion and replacement', () => {
  it('expands $1, ${name} and $$ from a match, as regexp.Expand', () => {
    const match = compileRe2('(?P<user>\\w+)@(\\w+)').exec('mail: ops@example');
    if (!match) throw new Error('no match');
    expect(expandTemplate('${user} at $2, $$1, ${3}, $1x', match)).toBe('ops at example, $1, , ');
  });

  it('replaces all matches as ReplaceAllString, skipping an empty match right after a match', () => {
    expect(replaceAllRe2(compileRe2('a*'), 'baaac', '<$0>')).toBe('<>b<aaa>c<>');
    expect(replaceAllRe2(compileRe2(':[0-9]+$'), 'db.internal:5432', '')).toBe('db.internal');
    expect(replaceAllRe2(compileRe2('(?i)é'), 'ÉtÉ', 'e')).toBe('ete');
  });
});
