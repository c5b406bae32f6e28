// The test rig itself: the real VictoriaMetrics the other tests rely on behaves as the helpers promise, and
// the binaries the suite needs are on this machine. blackbox_exporter's helper is
// test/differential/rig-blackbox.test.ts; the helpers' parsers are test/unit/rig-parsers.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findRequiredBinaries } from '../support/binaries.js';
import { prometheusLine, startVictoriaMetrics, VmClient, type VmHandle } from '../support/victoria-metrics.js';

const RUN = randomUUID().slice(0, 8);
const HOUR_AGO = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

describe('binaries', () => {
  it('finds every binary the suite needs on this machine', () => {
    const found = findRequiredBinaries();
    expect(found.victoriaMetrics).toMatch(/victoria-metrics$/);
    expect(found.blackboxExporter).toMatch(/prometheus-blackbox-exporter$/);
    expect(found.initdb).toMatch(/initdb$/);
    expect(found.pgCtl).toMatch(/pg_ctl$/);
    expect(found.vmalert).toMatch(/vmalert$/);
    expect(found.alertmanager).toMatch(/prometheus-alertmanager$/);
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
