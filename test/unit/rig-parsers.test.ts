// The test rig's own logic, with no server: a missing binary is reported with the command that installs it,
// and the helpers' parsers read what VictoriaMetrics, blackbox_exporter and /proc write.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAlertmanager, findBlackboxExporter, findPostgresBinary, findRequiredBinaries, findVictoriaMetrics } from '../support/binaries.js';
import { parseExposition, processCpuSeconds } from '../support/blackbox.js';
import { parseExportLine } from '../support/victoria-metrics.js';

describe('binaries', () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'periscope-rig-'));
  });
  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
  });

  it('reports a missing binary with the command that installs it', () => {
    const nowhere = { pathDirs: [emptyDir], postgresRoot: join(emptyDir, 'none') };
    expect(() => findVictoriaMetrics(nowhere)).toThrow(
      "victoria-metrics is not installed: run 'sudo apt-get install -y victoria-metrics' (or 'bash scripts/setup-system.sh')",
    );
    expect(() => findBlackboxExporter(nowhere)).toThrow(
      "prometheus-blackbox-exporter is not installed: run 'sudo apt-get install -y prometheus-blackbox-exporter' (or 'bash scripts/setup-system.sh')",
    );
    expect(() => findPostgresBinary('initdb', nowhere)).toThrow(
      "initdb is not installed: run 'sudo apt-get install -y postgresql' (or 'bash scripts/setup-system.sh')",
    );
    expect(() => findAlertmanager(nowhere)).toThrow(
      "prometheus-alertmanager is not installed: run 'sudo apt-get install -y prometheus-alertmanager' (or 'bash scripts/setup-system.sh')",
    );
    expect(() => findRequiredBinaries(nowhere)).toThrow(/victoria-metrics is not installed[^]*\npg_ctl is not installed[^]*\nvmalert is not installed[^]*\nprometheus-alertmanager is not installed/);
  });
});

describe('parsers', () => {
  it('reads the text exposition format, escapes included', () => {
    const metrics = parseExposition(
      [
        '# HELP probe_success Displays whether or not the probe was a success',
        '# TYPE probe_success gauge',
        'probe_success 1',
        'probe_ssl_last_chain_info{fingerprint_sha256="ab",subject="CN=a \\"b\\", O=c\\\\d\\ne" , issuer="x",} 1.7e+09',
        'weird_values{k="1"} NaN',
        'weird_values{k="2"} +Inf 1700000000000',
        'weird_values{k="3"} -Inf',
        '',
      ].join('\n'),
    );
    expect(metrics.get('probe_success')).toEqual([{ labels: {}, value: 1 }]);
    expect(metrics.get('probe_ssl_last_chain_info')).toEqual([
      { labels: { fingerprint_sha256: 'ab', subject: 'CN=a "b", O=c\\d\ne', issuer: 'x' }, value: 1.7e9 },
    ]);
    expect(metrics.get('weird_values')?.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity]);
    expect(() => parseExposition('m{a="unterminated} 1')).toThrow(/unterminated/);
  });

  it('reads export lines with infinities, which are not JSON', () => {
    expect(
      parseExportLine('{"metric":{"__name__":"m","a":"[+Inf,\\"values\\":["},"values":[+Inf,-Inf,1.5],"timestamps":[1,2,3]}'),
    ).toEqual({ metric: { __name__: 'm', a: '[+Inf,"values":[' }, values: [Infinity, -Infinity, 1.5], timestamps: [1, 2, 3] });
  });

  it('reads CPU time from /proc the way process.cpuUsage() counts it', async () => {
    const fromProc = await processCpuSeconds(process.pid);
    const usage = process.cpuUsage();
    expect(Math.abs(fromProc - (usage.user + usage.system) / 1e6)).toBeLessThan(0.1);
  });
});
