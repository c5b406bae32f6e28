// The test rig itself: the real VictoriaMetrics and blackbox_exporter the other tests rely on behave as
// the helpers promise, and the helpers' parsers read what those servers write.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findAlertmanager, findBlackboxExporter, findPostgresBinary, findRequiredBinaries, findVictoriaMetrics } from './support/binaries.js';
import { parseExposition, processCpuSeconds, startBlackbox, type BlackboxHandle } from './support/blackbox.js';
import {
  parseExportLine,
  prometheusLine,
  startVictoriaMetrics,
  VmClient,
  type VmHandle,
} from './support/victoria-metrics.js';

const RUN = randomUUID().slice(0, 8);
const HOUR_AGO = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

describe('binaries', () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'periscope-rig-'));
  });
  afterAll(async () => {
    await rm(emptyDir, { recursive: true, force: true });
  });

  it('finds every binary the suite needs on this machine', () => {
    const found = findRequiredBinaries();
    expect(found.victoriaMetrics).toMatch(/victoria-metrics$/);
    expect(found.blackboxExporter).toMatch(/prometheus-blackbox-exporter$/);
    expect(found.initdb).toMatch(/initdb$/);
    expect(found.pgCtl).toMatch(/pg_ctl$/);
    expect(found.vmalert).toMatch(/vmalert$/);
    expect(found.alertmanager).toMatch(/prometheus-alertmanager$/);
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

describe('shared VictoriaMetrics', () => {
  const vm = new VmClient(inject('vmUrl'));

  it('stores exactly the imported samples with their millisecond timestamps', async () => {
    const name = `rig_samples_${RUN}`;
    const timestamps = [HOUR_AGO, HOUR_AGO + 15_001, HOUR_AGO + 60_123];
    const values = [1, 0.25, 42];
    await vm.importPrometheus(timestamps.map((t, i) => prometheusLine(name, { job: 'rig' }, values[i] ?? 0, t)).join('\n'));

    const series = await vm.exportSeries(name);
    expect(series).toEqual([{ metric: { __name__: name, job: 'rig' }, values, timestamps }]);
  });

  it('keeps quotes, backslashes and newlines in label values', async () => {
    const name = `rig_escapes_${RUN}`;
    const awkward = ['say "hi"', 'C:\\path\\', 'two\nlines', '\\"\n\\n'];
    await vm.importPrometheus(awkward.map((v, i) => prometheusLine(name, { v, i: String(i) }, i, HOUR_AGO)).join('\n'));

    const series = await vm.exportSeries(name);
    const byIndex = new Map(series.map((s) => [s.metric.i, s.metric.v]));
    expect(byIndex).toEqual(new Map(awkward.map((v, i) => [String(i), v])));
  });

  it('stores a replayed sample once (deduplication is on)', async () => {
    const name = `rig_dedup_${RUN}`;
    const line = prometheusLine(name, {}, 7, HOUR_AGO);
    await vm.importPrometheus(line);
    await vm.importPrometheus(line);

    const series = await vm.exportSeries(name);
    expect(series.map((s) => s.values)).toEqual([[7]]);
  });

  it('answers instant queries right after the write', async () => {
    const name = `rig_query_${RUN}`;
    await vm.importPrometheus(prometheusLine(name, { job: 'rig' }, 3, HOUR_AGO));

    const data = await vm.query(`sum(${name})`, new Date(HOUR_AGO + 30_000));
    expect(data.resultType).toBe('vector');
    expect(data.result.map((r) => r.value?.[1])).toEqual(['3']);
  });

  it('rejects a bad query with its error message', async () => {
    await expect(vm.query('sum(')).rejects.toThrow(/HTTP 422/);
  });
});

describe('private VictoriaMetrics', () => {
  let vm: VmHandle;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await vm?.cleanup();
  });

  it('keeps its data across a restart on the same port', async () => {
    const name = `rig_restart_${RUN}`;
    await vm.importPrometheus(prometheusLine(name, {}, 5, HOUR_AGO));
    await vm.flush();
    const before = vm.url;

    await vm.restart();

    expect(vm.url).toBe(before);
    expect((await vm.exportSeries(name)).map((s) => s.values)).toEqual([[5]]);
  });

  it('is unreachable while stopped or killed, and comes back', async () => {
    await vm.stop();
    await expect(vm.flush()).rejects.toThrow();
    await vm.restart();
    await vm.kill();
    await expect(vm.flush()).rejects.toThrow();
    await vm.restart();
    await expect(vm.flush()).resolves.toBeUndefined();
  });

  it('fails to start with its own error output when a flag is wrong', async () => {
    await expect(startVictoriaMetrics({ extraFlags: ['-noSuchFlag=1'] })).rejects.toThrow(
      /exited before it was ready[^]*noSuchFlag/,
    );
  });
});

describe('blackbox_exporter', () => {
  let server: Server;
  let target: string;
  let blackbox: BlackboxHandle;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/ok' ? 200 : 404;
      response.end('rig\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    target = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    blackbox = await startBlackbox(`
http_2xx:
  prober: http
  timeout: 5s
  http:
    preferred_ip_protocol: ip4
`);
  });
  afterAll(async () => {
    await blackbox?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('reports a 200 as success', async () => {
    const metrics = await blackbox.probe('http_2xx', `${target}/ok`);
    expect(metrics.get('probe_success')).toEqual([{ labels: {}, value: 1 }]);
    expect(metrics.get('probe_http_status_code')).toEqual([{ labels: {}, value: 200 }]);
  });

  it('reports a 404 as failure with its status code', async () => {
    const metrics = await blackbox.probe('http_2xx', `${target}/missing`);
    expect(metrics.get('probe_success')).toEqual([{ labels: {}, value: 0 }]);
    expect(metrics.get('probe_http_status_code')).toEqual([{ labels: {}, value: 404 }]);
  });

  it('gives its debug log', async () => {
    const text = await blackbox.probeDebug('http_2xx', `${target}/ok`);
    expect(text).toContain('Probe succeeded');
    expect(text).toContain('probe_success 1');
  });

  it('refuses an unknown module', async () => {
    await expect(blackbox.probe('nope', `${target}/ok`)).rejects.toThrow(/HTTP 400/);
  });

  it('reads its CPU time', async () => {
    const cpu = await blackbox.cpuSeconds();
    expect(Number.isFinite(cpu)).toBe(true);
    expect(cpu).toBeGreaterThanOrEqual(0);
  });

  it('starts from module entries alone and from a whole config, and reports a bad config', async () => {
    const whole = await startBlackbox('modules:\n  tcp:\n    prober: tcp\n');
    await whole.stop();
    await expect(startBlackbox('tcp:\n  prober: tcp\n  nonsense_field: 1\n')).rejects.toThrow(
      /exited before it was ready[^]*nonsense_field/,
    );
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
