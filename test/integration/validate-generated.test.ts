// `periscope validate` on a sample of generated targets files (test/support/targets-arbitraries.ts) and the
// cases the issue met: exit 0 or 2, the file and the field named, never a stack trace. The loader itself is
// fuzzed in process by test/unit/fuzz.test.ts.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetsFileDocument } from '../support/targets-arbitraries.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-validate-generated-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('periscope validate on generated files', () => {
  it('periscope validate exits 0 or 2 on a sample of generated files, naming file and field, never a stack trace', async () => {
    const docs = fc.sample(targetsFileDocument, { numRuns: 3, seed: 21 });
    // And the cases the issue met, as files.
    const base = (extra: string) => `groups:\n  - name: web\n${extra}`;
    const texts = [
      ...docs.map((d) => stringify(d)),
      base('    interval: 4w\n    targets:\n      - name: a\n        http: { url: "http://127.0.0.1:1/" }\n'),
      base('    targets:\n      - name: a\n        http: { url: "http://127.0.0.1:1/", enable_http2: true, headers: { TE: gzip } }\n'),
      base('    targets:\n      - name: a\n        http: { url: "http://127.0.0.1:1/", headers: { X-A: "a\\r\\nInjected: 1" } }\n'),
    ];
    const files = await Promise.all(texts.map(async (text, i) => {
      const file = join(dir, `generated-${i}.yml`);
      await writeFile(file, text);
      return file;
    }));
    const run = (file: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
        execFile(process.execPath, [join(ROOT, 'bin/periscope.js'), 'validate', file], { timeout: 60_000 }, (error, stdout, stderr) =>
          done({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
        ),
      );
    const results: Array<{ code: number; stdout: string; stderr: string }> = [];
    for (let i = 0; i < files.length; i += 2) results.push(...(await Promise.all(files.slice(i, i + 2).map(run))));
    results.forEach((r, i) => {
      const file = files[i] as string;
      expect([0, 2], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at |Error:/);
      if (r.code === 2) expect(r.stderr.startsWith(`periscope: ${file}: `), r.stderr).toBe(true);
      else expect(r.stdout).toContain(`${file}: ok`);
    });
    // The three: refused, each naming its field.
    expect(results.at(-3)?.stderr).toContain('groups[0].interval: must be between 1s and 24h');
    expect(results.at(-2)?.stderr).toContain('groups[0].targets[0].http.headers.TE: header "TE: gzip" cannot be sent over HTTP/2');
    expect(results.at(-1)?.stderr).toContain('groups[0].targets[0].http.headers.X-A: the value of header X-A contains a control character');
  });
});
