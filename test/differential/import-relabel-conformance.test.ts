// Prometheus 2.42 as the judge of the relabel rules `periscope import` reproduces: every prometheus.yml of
// test/fixtures/import/conformance/prometheus (one rule or conflict each, as people write them: labeldrop
// with extra fields, replacement on lowercase/keepequal, hashmod without modulus, anchors shared between
// jobs, file_sd, several documents…) and scrape durations (no fractions; the timeout not above the interval)
// is checked by `promtool check config` and imported; the import refuses a job exactly when promtool refuses
// the file. promtool reads the file_sd files the configs name, so they
// exist beside them.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSetup, SourceSyntaxError } from '../../shared/import/index.js';
import { readImportSources } from '../../shared/import/read-sources.js';

const CORPUS = 'test/fixtures/import/conformance/prometheus';
const FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.yml')).sort();
const BLACKBOX = 'modules:\n  http_2xx:\n    prober: http\n    http:\n      preferred_ip_protocol: ip4\n';

function promtoolCheck(file: string): Promise<{ accepted: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', ['check', 'config', file], { cwd: CORPUS, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ accepted: error === null, output: `${stdout}${stderr}` });
    });
  });
}

let dir: string;
let blackbox: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-relabel-conformance-'));
  blackbox = join(dir, 'blackbox.yml');
  await writeFile(blackbox, BLACKBOX);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('prometheus.yml corpus (relabel rules, scrape durations): periscope import against promtool check config (2.42)', () => {
  it('has both verdicts, at least 40 files', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
    expect(FILES.filter((f) => f.startsWith('accept-')).length).toBeGreaterThanOrEqual(12);
  });

  it.concurrent.each(FILES)('%s: the import refuses a job exactly when promtool refuses the file', async (name) => {
    const path = join(CORPUS, name);
    const reference = await promtoolCheck(name);
    let accepted: boolean;
    let why: string[];
    try {
      const result = await importSetup(await readImportSources({ blackbox, prometheus: path }), { rulePath: (p) => p, outputName: 'imported.yml' });
      why = result.report.items.filter((item) => item.kind === 'refused').map((item) => `${item.where}: ${item.message}`);
      accepted = why.length === 0;
      // An accepted file imports its targets (none is lost to a refusal that promtool does not make).
      if (accepted) expect(result.targets).toBeGreaterThan(0);
    } catch (err) {
      if (!(err instanceof SourceSyntaxError)) throw err;
      accepted = false;
      why = [err.message];
    }
    expect({ file: name, accepted, why }).toEqual({ file: name, accepted: reference.accepted, why });
    expect(reference.accepted).toBe(name.startsWith('accept-'));
    for (const reason of why) expect(reason).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}:\\d+: .*Prometheus refuses `));
  });
});
