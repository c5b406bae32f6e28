// The write path when its dependencies fail, in-process and fast (the packaged handlers meet the same faults
// in platform-faults.test.ts): a batch refused because of one line, a VictoriaMetrics that refuses everything,
// credentials refused, the circuit that stops retrying a dead VictoriaMetrics, a spool that throws or never
// answers, and `Runs` reported whatever happens.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TargetsFile } from '../../shared/config/index.js';
import { createSecretResolver } from '../../shared/config/secrets.js';
import type { Logger } from '../../shared/observability/logger.js';
import type { MetricsSink, SelfMetric } from '../../shared/observability/metrics.js';
import { runGroup } from '../../shared/pipeline/run-group.js';
import type { TimedSample } from '../../shared/storage/exposition.js';
import { createFileSpool } from '../../shared/storage/file-spool.js';
import { createRunSpool } from '../../shared/storage/run-spool.js';
import type { Spool } from '../../shared/storage/spool.js';
import { writeSamples } from '../../shared/storage/write-samples.js';
import { createWriteCircuit } from '../../shared/victoria-metrics/write-circuit.js';
import { VmClient } from '../support/victoria-metrics.js';

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const vm = new VmClient(inject('vmUrl'));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-write-faults-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recordingLogger(): Logger & { lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A server answering each request by `answer(lines)`, recording the exposition lines of each request. */
async function vmLike(answer: (lines: string[]) => { status: number; text?: string } | 'hang') {
  const requests: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const lines = gunzipSync(Buffer.concat(chunks)).toString().split('\n').filter(Boolean);
      requests.push(lines);
      const a = answer(lines);
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.text ?? '');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

const samples = (name: string, n: number): TimedSample[] => Array.from({ length: n }, (_, i) => ({ name, labels: { i: String(i) }, value: i, timestampMs: T0 + i }));

describe('a batch VictoriaMetrics refuses (400/422)', () => {
  it('is split until the refused line stands alone: the others are written, the one set aside in the dead letters', async () => {
    // Refuses any request holding the line of sample 37, quoting it, as VictoriaMetrics does.
    const server = await vmLike((lines) => {
      const bad = lines.find((l) => l.includes('i="37"'));
      return bad ? { status: 400, text: `cannot parse line ${JSON.stringify(bad)}` } : { status: 204 };
    });
    const spoolDir = join(dir, 'bisect');
    const logger = recordingLogger();
    try {
      const result = await writeSamples(samples('wpf_bisect', 100), { vm: { url: server.url }, spool: createFileSpool(spoolDir), logger, deadlineMs: Date.now() + 10_000 });
      expect(result).toMatchObject({ written: 99, rejected: 1, spooled: 0, lost: 0 });
      // ~2·log2(100) requests, not 100.
      expect(server.requests.length).toBeLessThanOrEqual(15);
      const written = server.requests.filter((r) => !r.some((l) => l.includes('i="37"'))).flat();
      expect(new Set(written).size).toBe(99);
      const [letter, ...more] = await readdir(join(spoolDir, 'rejected'));
      expect(more).toEqual([]);
      expect(gunzipSync(await readFile(join(spoolDir, 'rejected', letter as string))).toString()).toMatch(/^wpf_bisect\{i="37"\} 37 \d+\n$/);
      const error = logger.lines.find((l) => l.level === 'error');
      expect(error).toMatchObject({ message: 'VictoriaMetrics rejected 1 of 100 samples; not retried', fields: { kept_in: 'the dead letters', lines: [expect.stringContaining('i="37"')] } });
    } finally {
      await server.close();
    }
  });

  it('is set aside whole after three requests when no line alone is the cause', async () => {
    const server = await vmLike(() => ({ status: 400, text: 'vmauth: request body is not allowed here' }));
    try {
      const result = await writeSamples(samples('wpf_all_refused', 50), { vm: { url: server.url }, spool: createFileSpool(join(dir, 'all-refused')), logger: recordingLogger(), deadlineMs: Date.now() + 10_000 });
      expect(result).toMatchObject({ written: 0, rejected: 50, lost: 0 });
      expect(server.requests.map((r) => r.length)).toEqual([50, 25, 25]);
    } finally {
      await server.close();
    }
  });
});

describe('answers no retry changes soon', () => {
  for (const status of [401, 403, 404, 413]) {
    it(`${status}: spooled at once, not rejected, and the circuit opens for the rest of the run`, async () => {
      const server = await vmLike(() => ({ status, text: 'no' }));
      const spool = createFileSpool(join(dir, `status-${status}`));
      const circuit = createWriteCircuit();
      try {
        const result = await writeSamples(samples('wpf_status', 12), { vm: { url: server.url }, spool, logger: recordingLogger(), deadlineMs: Date.now() + 10_000, batchSize: 4, parallel: 1, circuit });
        expect(result).toMatchObject({ written: 0, rejected: 0, spooled: 12, spooledBatches: 3, lost: 0 });
        // One attempt for the first batch; the circuit keeps the other two from trying.
        expect(server.requests).toHaveLength(1);
        expect(await spool.depth()).toBe(3);
      } finally {
        await server.close();
      }
    });
  }
});

describe('the circuit', () => {
  it('gives a VictoriaMetrics answering 503 a few seconds, then spools the rest at once', async () => {
    const server = await vmLike(() => ({ status: 503, text: 'overloaded' }));
    const circuit = createWriteCircuit(600);
    try {
      const started = Date.now();
      const result = await writeSamples(samples('wpf_circuit', 40), { vm: { url: server.url }, spool: createFileSpool(join(dir, 'circuit')), logger: recordingLogger(), deadlineMs: Date.now() + 20_000, batchSize: 10, parallel: 1, circuit, baseBackoffMs: 20 });
      expect(result).toMatchObject({ written: 0, spooled: 40, spooledBatches: 4 });
      // Retries of the first batch within the circuit's 600 ms; none for the three after it.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(server.requests.every((r) => r[0]?.includes('i="0"'))).toBe(true);
      expect(circuit.tripped).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('counts a hanging attempt from its start: one attempt, then open', async () => {
    const server = await vmLike(() => 'hang');
    const circuit = createWriteCircuit(300);
    try {
      const result = await writeSamples(samples('wpf_hang', 10), { vm: { url: server.url }, spool: createFileSpool(join(dir, 'hang')), logger: recordingLogger(), deadlineMs: Date.now() + 20_000, batchSize: 5, parallel: 1, circuit, attemptTimeoutMs: 400 });
      expect(result).toMatchObject({ spooled: 10 });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('the run spool', () => {
  const failing = (how: 'throw' | 'hang'): Spool & { calls: string[] } => {
    const calls: string[] = [];
    const act = (name: string) => () => {
      calls.push(name);
      return how === 'throw' ? Promise.reject(new Error('AccessDeniedException: not authorized to perform sqs:SendMessage')) : new Promise<never>(() => {});
    };
    return { calls, put: act('put'), take: act('take'), depth: act('depth') };
  };

  it('contains a spool that throws: the fallback takes the batch, the primary is not tried again, failures are counted', async () => {
    const primary = failing('throw');
    const logger = recordingLogger();
    const spool = createRunSpool({ primary, fallback: createFileSpool(join(dir, 'fallback-throw')), logger, deadlineMs: Date.now() + 5_000 });
    expect(await spool.take(10)).toEqual([]);
    await spool.put({ createdMs: T0, samples: 1, payload: Buffer.from('x') });
    await spool.put({ createdMs: T0, samples: 1, payload: Buffer.from('y') });
    expect(primary.calls).toEqual(['take']);
    expect(spool.failures).toBe(1);
    expect(spool.fellBack).toBe(2);
    expect(await spool.depthOrUndefined()).toBeUndefined();
    expect(logger.lines.filter((l) => l.message === 'spool operation failed')[0]?.fields).toMatchObject({ spool: 'primary', operation: 'take', error: expect.stringContaining('AccessDenied') });
  });

  it('bounds a spool that never answers by the deadline, leaving the fallback its margin', async () => {
    const spool = createRunSpool({ primary: failing('hang'), fallback: createFileSpool(join(dir, 'fallback-hang')), logger: recordingLogger(), deadlineMs: Date.now() + 1_200 });
    const started = Date.now();
    await spool.put({ createdMs: T0, samples: 1, payload: Buffer.from('x') });
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(spool.fellBack).toBe(1);
  });

  it('throws from put only when the fallback fails too', async () => {
    const spool = createRunSpool({ primary: failing('throw'), fallback: failing('throw'), logger: recordingLogger(), deadlineMs: Date.now() + 5_000 });
    await expect(spool.put({ createdMs: T0, samples: 1, payload: Buffer.from('x') })).rejects.toThrow('AccessDenied');
    expect(spool.failures).toBe(2);
  });
});

describe('runGroup with the spool failing', () => {
  const file = (closed: number): TargetsFile =>
    ({
      defaults: { interval: 60_000, timeout: 1_000 },
      labels: {},
      groups: [{ name: 'wpf', labels: {}, targets: [{ name: 'closed', labels: {}, tcp: { address: `127.0.0.1:${closed}` } }] }],
    }) as unknown as TargetsFile;
  const sink = (): MetricsSink & { puts: SelfMetric[][] } => {
    const puts: SelfMetric[][] = [];
    return { puts, put: async (m) => void puts.push(m) };
  };

  for (const how of ['throw', 'hang'] as const) {
    it(`${how === 'throw' ? 'denied' : 'hanging'}: samples still written to VictoriaMetrics, Runs and SpoolFailures reported, before the deadline`, async () => {
      const calls: string[] = [];
      const spool: Spool = {
        put: async () => void calls.push('put'),
        take: () => (calls.push('take'), how === 'throw' ? Promise.reject(new Error('AccessDenied')) : new Promise<never>(() => {})),
        depth: () => (calls.push('depth'), how === 'throw' ? Promise.reject(new Error('AccessDenied')) : new Promise<never>(() => {})),
      };
      const metrics = sink();
      const logger = recordingLogger();
      const stage = `wpf-${how}-${process.pid}`;
      const deadlineMs = Date.now() + 4_000;
      const { summary } = await runGroup({
        file: file(9),
        group: file(9).groups[0]!,
        identity: { stage, account: 'local', region: 'local' },
        vm: { url: vm.url },
        spool,
        secrets: createSecretResolver(),
        metrics,
        logger,
        deadlineMs,
      });
      expect(Date.now()).toBeLessThanOrEqual(deadlineMs);
      expect(summary).toMatchObject({ targets: 1, spooled: 0, lost: 0, spool_depth: null });
      expect(summary.samples_written).toBeGreaterThan(0);
      expect(summary.spool_failures).toBe(1);
      const [put] = metrics.puts;
      expect(put?.find((m) => m.name === 'Runs')).toMatchObject({ value: 1, dimensions: ['stage', 'interval'] });
      expect(put?.find((m) => m.name === 'SpoolFailures')).toMatchObject({ value: 1, dimensions: ['stage'] });
      expect(put?.some((m) => m.name === 'SpoolDepth')).toBe(false);
      expect(calls).toEqual(['take']);
      const series = await vm.exportSeriesUntil(`probe_success{stage="${stage}"}`, (s) => s.length === 1);
      expect(series).toHaveLength(1);
    });
  }

  it('reports Runs even when the run cannot probe at all (a discovery group without discovery)', async () => {
    const metrics = sink();
    const discovering = { ...file(9).groups[0]!, discovery: {} } as unknown as TargetsFile['groups'][number];
    await expect(
      runGroup({ file: file(9), group: discovering, identity: { stage: 'wpf', account: 'local', region: 'local' }, vm: { url: vm.url }, spool: createFileSpool(join(dir, 'never')), secrets: createSecretResolver(), metrics, logger: recordingLogger(), deadlineMs: Date.now() + 2_000 }),
    ).rejects.toThrow(/uses discovery/);
    expect(metrics.puts).toEqual([[{ name: 'Runs', value: 1, unit: 'Count', dimensions: ['stage', 'interval'] }]]);
  });
});
