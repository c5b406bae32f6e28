// The probe pipeline end to end against real VictoriaMetrics: identity labels, escaping, and the fault
// cases (VictoriaMetrics down, answering 500, hanging) where nothing may be lost.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSecretResolver, parseTargetsFile, type TargetsFile } from '../../shared/config/index.js';
import { silentLogger } from '../../shared/observability/logger.js';
import type { MetricsSink, SelfMetric } from '../../shared/observability/metrics.js';
import { runGroup, type RunGroupDeps } from '../../shared/pipeline/run-group.js';
import { createFileSpool } from '../../shared/storage/index.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';
import { freePort } from '../support/ports.js';
import { startVictoriaMetrics, VmClient, type VmHandle } from '../support/victoria-metrics.js';

function recordingSink(): MetricsSink & { calls: Array<{ metrics: SelfMetric[]; properties: Record<string, string> }> } {
  const calls: Array<{ metrics: SelfMetric[]; properties: Record<string, string> }> = [];
  return { calls, put: async (metrics, properties) => void calls.push({ metrics, properties }) };
}

let web: TestServer;
let closedPort: number;
let dir: string;

beforeAll(async () => {
  web = await startHttpServer((req, res) => {
    if (req.url?.startsWith('/fail')) res.writeHead(500).end('broken');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  closedPort = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'periscope-pipeline-'));
});

afterAll(async () => {
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

function fileWith(groupName: string, extra = ''): TargetsFile {
  return parseTargetsFile(
    `
labels:
  team: 'plat"form\\\\ops'
  note: "line one\\nline two"
defaults: { timeout: 2s, interval: 1m }
groups:
  - name: ${groupName}
    labels: { tier: gold }
    targets:
      - name: web-ok
        labels: { service: pizza-service }
        http: { url: "${web.url}/ok" }
      - name: web-fail
        http: { url: "${web.url}/fail" }
      - name: closed-port
        tcp: { address: "127.0.0.1:${closedPort}" }
${extra}`,
    'test.yml',
  );
}

function deps(file: TargetsFile, vmUrl: string, spoolDir: string, overrides: Partial<RunGroupDeps> = {}): RunGroupDeps {
  return {
    file,
    group: file.groups[0] as RunGroupDeps['group'],
    identity: { stage: 'test', account: '123456789012', region: 'eu-central-1' },
    vm: { url: vmUrl },
    spool: createFileSpool(spoolDir),
    secrets: createSecretResolver(),
    metrics: recordingSink(),
    logger: silentLogger,
    deadlineMs: Date.now() + 10_000,
    ...overrides,
  };
}

describe('runGroup against the shared VictoriaMetrics', () => {
  const vm = new VmClient(inject('vmUrl'));

  it('writes every sample with all identity labels, escaped label values intact', async () => {
    const file = fileWith('pipeline-identity');
    const metrics = recordingSink();
    const { summary, results } = await runGroup(deps(file, vm.url, join(dir, 'identity'), { metrics }));
    expect(summary).toMatchObject({ group: 'pipeline-identity', targets: 3, succeeded: 1, failed: 2, spooled: 0, rejected: 0 });
    // Every probe sample, plus the run's own event-loop lag sample.
    expect(summary.samples_written).toBe(results.reduce((n, r) => n + r.samples.length, 0) + 1);
    expect(summary.event_loop_lag_ms.max).toBeGreaterThanOrEqual(0);

    const success = await vm.exportSeries('probe_success{group="pipeline-identity"}');
    const byTarget = new Map(success.map((s) => [s.metric.target, s]));
    expect(byTarget.get('web-ok')?.metric).toEqual({
      __name__: 'probe_success',
      job: 'periscope',
      instance: `${web.url}/ok`,
      target: 'web-ok',
      module: 'http',
      group: 'pipeline-identity',
      stage: 'test',
      account: '123456789012',
      region: 'eu-central-1',
      team: 'plat"form\\\\ops',
      note: 'line one\nline two',
      tier: 'gold',
      service: 'pizza-service',
    });
    expect(byTarget.get('web-ok')?.values).toEqual([1]);
    expect(byTarget.get('web-ok')?.timestamps).toEqual([results[0]?.timestamp_ms]);
    expect(byTarget.get('web-fail')?.values).toEqual([0]);
    expect(byTarget.get('closed-port')?.metric).toMatchObject({ module: 'tcp', instance: `127.0.0.1:${closedPort}` });
    const reasons = await vm.exportSeries('probe_failure_info{group="pipeline-identity"}');
    expect(reasons.map((s) => [s.metric.target, s.metric.reason]).sort()).toEqual([
      ['closed-port', 'refused'],
      ['web-fail', 'status_code'],
    ]);
    // Every sample the probers produced is in VictoriaMetrics, once.
    const all = await vm.exportSeries('{group="pipeline-identity"}');
    expect(all.reduce((n, s) => n + s.values.length, 0)).toBe(summary.samples_written);

    const put = metrics.calls[0];
    expect(put?.properties).toEqual({ stage: 'test', interval: '1m', group: 'pipeline-identity' });
    // Only what an alarm watches is a CloudWatch metric: one run per stage and interval.
    expect(put?.metrics.filter((m) => m.dimensions)).toEqual([{ name: 'Runs', value: 1, unit: 'Count', dimensions: ['stage', 'interval'] }]);
    const value = (name: string) => put?.metrics.find((m) => m.name === name)?.value;
    expect(value('ProbesRun')).toBe(3);
    expect(value('ProbesFailed')).toBe(2);
    expect(value('SamplesWritten')).toBe(summary.samples_written);
    expect(value('SpoolDepth')).toBe(0);
  });

  it('dry run probes but writes nothing', async () => {
    const file = fileWith('pipeline-dry');
    const { summary } = await runGroup(deps(file, vm.url, join(dir, 'dry'), { dryRun: true }));
    expect(summary.targets).toBe(3);
    expect(await vm.exportSeries('probe_success{group="pipeline-dry"}')).toEqual([]);
  });
});

describe('when VictoriaMetrics fails', () => {
  let own: VmHandle;
  beforeAll(async () => {
    own = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await own.cleanup();
  });

  it('spools while it is down and replays every sample exactly once with its timestamp when it is back', async () => {
    const file = fileWith('pipeline-outage');
    const spoolDir = join(dir, 'outage');
    const first = await runGroup(deps(file, own.url, spoolDir));
    expect(first.summary.spooled).toBe(0);

    await own.stop();
    const deadlineMs = Date.now() + 4_000;
    const second = await runGroup(deps(file, own.url, spoolDir, { deadlineMs }));
    expect(Date.now()).toBeLessThanOrEqual(deadlineMs);
    expect(second.summary.samples_written).toBe(0);
    expect(second.summary.spooled).toBe(second.results.reduce((n, r) => n + r.samples.length, 0) + 1);
    expect(second.summary.spool_depth).toBeGreaterThan(0);

    await own.restart();
    const third = await runGroup(deps(file, own.url, spoolDir));
    expect(third.summary.replayed).toBe(second.summary.spooled);
    expect(third.summary.spool_depth).toBe(0);

    const series = await own.exportSeries('probe_success{group="pipeline-outage"}');
    for (const target of ['web-ok', 'web-fail', 'closed-port']) {
      const s = series.find((x) => x.metric.target === target);
      const expected = [first, second, third].map((run) => run.results.find((r) => r.target === target)?.timestamp_ms).sort();
      expect(s?.timestamps).toEqual(expected);
    }
    const all = await own.exportSeries('{group="pipeline-outage"}');
    const total = [first, second, third].reduce((n, run) => n + run.results.reduce((m, r) => m + r.samples.length, 0), 0);
    const lag = await own.exportSeries('periscope_probe_event_loop_lag_seconds{group="pipeline-outage"}');
    expect(lag[0]?.values).toHaveLength(3);
    expect(all.reduce((n, s) => n + s.values.length, 0)).toBe(total + 3); // and one event-loop lag sample per run
  });

  for (const mode of ['500', 'hang'] as const) {
    it(`spools and still ends before the deadline when it ${mode === '500' ? 'answers 500' : 'hangs'}`, async () => {
      const server: Server = createServer((_req, res) => {
        if (mode === '500') res.writeHead(500).end('internal error');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        const file = fileWith(`pipeline-${mode}`);
        const spoolDir = join(dir, `mode-${mode}`);
        const deadlineMs = Date.now() + 3_000;
        const { summary } = await runGroup(deps(file, url, spoolDir, { deadlineMs }));
        expect(Date.now()).toBeLessThanOrEqual(deadlineMs);
        expect(summary.samples_written).toBe(0);
        expect(summary.spooled).toBeGreaterThan(0);
        expect(await createFileSpool(spoolDir).depth()).toBe(1);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  }

  it('does not retry a 400 and reports it as rejected, not spooled; a batch refused whatever its lines costs three requests', async () => {
    let calls = 0;
    const server: Server = createServer((_req, res) => {
      calls++;
      res.writeHead(400).end('cannot parse');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const file = fileWith('pipeline-400');
      const { summary } = await runGroup(deps(file, url, join(dir, 'mode-400')));
      // The batch, then its two halves refused with the same words: no line alone is the cause.
      expect(calls).toBe(3);
      expect(summary.spooled).toBe(0);
      expect(summary.rejected).toBeGreaterThan(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('scale', () => {
  it('probes and writes a group of 2 000 loopback targets within the deadline', async () => {
    const vm = new VmClient(inject('vmUrl'));
    const targets = Array.from({ length: 2000 }, (_, i) => `      - name: t${i}\n        http: { url: "${web.url}/ok/${i}" }`).join('\n');
    const file = parseTargetsFile(`defaults: { timeout: 5s }\ngroups:\n  - name: pipeline-scale\n    targets:\n${targets}\n`, 'scale.yml');
    const deadlineMs = Date.now() + 30_000;
    const { summary } = await runGroup(deps(file, vm.url, join(dir, 'scale'), { deadlineMs, concurrency: 100 }));
    expect(Date.now()).toBeLessThanOrEqual(deadlineMs);
    expect(summary).toMatchObject({ targets: 2000, succeeded: 2000, failed: 0, spooled: 0 });
    const success = await vm.exportSeries('probe_success{group="pipeline-scale"}');
    expect(success).toHaveLength(2000);
  });
});
