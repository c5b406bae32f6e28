import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger, type Logger } from '../../shared/observability/logger.js';
import { createFileSpool, encodeSample, replaySpool, sampleProblem, writeSamples, type TimedSample } from '../../shared/storage/index.js';
import { importUrl, redactUrl, writeBatch } from '../../shared/victoria-metrics/index.js';
import { VmClient } from '../support/victoria-metrics.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function sample(name: string, labels: Record<string, string>, value: number, timestampMs = T0): TimedSample {
  return { name, labels, value, timestampMs };
}

/** A stand-in VictoriaMetrics that answers each request from a script, recording what it received. */
function scriptedServer(answers: Array<number | 'hang'>): Promise<{ url: string; bodies: string[]; requests: IncomingMessage[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const requests: IncomingMessage[] = [];
  let call = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(req);
      bodies.push(gunzipSync(Buffer.concat(chunks)).toString());
      const answer = answers[Math.min(call++, answers.length - 1)];
      if (answer === 'hang') return;
      res.writeHead(answer as number, { 'content-type': 'text/plain' });
      res.end(answer === 400 ? 'cannot parse line "bad{": missing closing brace' : answer === 204 ? '' : 'overloaded');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        bodies,
        requests,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    }),
  );
}

function recordingLogger(): Logger & { lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('exposition encoding', () => {
  it('escapes backslashes, quotes and newlines in label values', () => {
    expect(encodeSample(sample('m', { a: 'x\\y"z\nw' }, 1))).toBe(`m{a="x\\\\y\\"z\\nw"} 1 ${T0}`);
  });

  it('refuses what VictoriaMetrics would drop or alter instead of sending it', () => {
    expect(sampleProblem(sample('probe_success', {}, NaN))).toMatch(/not finite/);
    expect(sampleProblem(sample('probe-success', {}, 1))).toMatch(/invalid metric name/);
    expect(sampleProblem(sample('m', { 'bad-label': 'x' }, 1))).toMatch(/invalid label name/);
    expect(sampleProblem(sample('m', {}, 1, 1_700_000_000))).toMatch(/milliseconds/);
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`l${i}`, 'v']));
    expect(sampleProblem(sample('m', many, 1))).toMatch(/labels/);
    expect(sampleProblem(sample('m', { a: 'x'.repeat(20_000) }, 1))).toMatch(/longer/);
    expect(sampleProblem(sample('m', { a: 'ok' }, 0.25))).toBeUndefined();
  });

  it('appends the import path unless the URL names it, and redacts credentials in logs', () => {
    expect(importUrl('http://vm:8428').toString()).toBe('http://vm:8428/api/v1/import/prometheus');
    expect(importUrl('http://vminsert:8480/insert/42/prometheus/').toString()).toBe('http://vminsert:8480/insert/42/prometheus/api/v1/import/prometheus');
    expect(importUrl('http://vm:8428/api/v1/import/prometheus').pathname).toBe('/api/v1/import/prometheus');
    expect(redactUrl('https://user:pw@vmauth:8427/x?token=abc')).toBe('https://vmauth:8427/x?%E2%80%A6');
  });
});

describe('writeBatch against a scripted server', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('retries 5xx and succeeds, sending gzip and the credentials', async () => {
    const server = await scriptedServer([503, 500, 204]);
    servers.push(server);
    const result = await writeBatch('m 1 ' + T0 + '\n', { url: server.url, auth: { type: 'basic', username: 'w', password: 'pw' } }, { deadlineMs: Date.now() + 10_000, baseBackoffMs: 5 });
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(server.bodies).toEqual(Array(3).fill(`m 1 ${T0}\n`));
    expect(server.requests[0]?.headers['content-encoding']).toBe('gzip');
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('w:pw').toString('base64')}`);
  });

  it('does not retry a 400 and reports VictoriaMetrics’ message', async () => {
    const server = await scriptedServer([400, 204]);
    servers.push(server);
    const result = await writeBatch('bad{ 1\n', { url: server.url }, { deadlineMs: Date.now() + 10_000, baseBackoffMs: 5 });
    expect(result.ok).toBe(false);
    expect(server.bodies).toHaveLength(1);
    if (!result.ok) {
      expect(result.retriable).toBe(false);
      expect(result.status).toBe(400);
      expect(result.message).toContain('missing closing brace');
    }
  });

  it('gives up on a hanging server at the deadline', async () => {
    const server = await scriptedServer(['hang']);
    servers.push(server);
    const deadline = Date.now() + 1_500;
    const result = await writeBatch('m 1 1\n', { url: server.url }, { deadlineMs: deadline, attemptTimeoutMs: 500, baseBackoffMs: 5 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.retriable).toBe(true);
    expect(Date.now()).toBeLessThan(deadline + 1_000);
    expect(server.bodies.length).toBeGreaterThanOrEqual(2);
  });

  it('bearer tokens go in the Authorization header and never into the message', async () => {
    const server = await scriptedServer([500]);
    servers.push(server);
    const result = await writeBatch('m 1 1\n', { url: server.url, auth: { type: 'bearer', token: 'tok-secret' } }, { deadlineMs: Date.now() + 300, baseBackoffMs: 5 });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer tok-secret');
    expect(JSON.stringify(result)).not.toContain('tok-secret');
  });
});

describe('writeSamples, spool and replay against a real VictoriaMetrics', () => {
  const vm = new VmClient(inject('vmUrl'));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periscope-spool-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every sample in several batches, exactly as given', async () => {
    const samples = Array.from({ length: 25 }, (_, i) => sample('storage_batches_test', { i: String(i), q: 'a"b\\c\nd' }, i * 1.5, T0 + i * 1000));
    const result = await writeSamples(samples, { vm: { url: vm.url }, spool: createFileSpool(join(dir, 'a')), logger: silentLogger, deadlineMs: Date.now() + 10_000, batchSize: 10 });
    expect(result).toMatchObject({ written: 25, spooled: 0, rejected: 0, invalid: 0 });
    const series = await vm.exportSeries('storage_batches_test');
    expect(series).toHaveLength(25);
    const byI = new Map(series.map((s) => [s.metric.i, s]));
    expect(byI.get('7')).toMatchObject({ metric: { q: 'a"b\\c\nd' }, values: [10.5], timestamps: [T0 + 7000] });
  });

  it('logs invalid samples instead of dropping them silently', async () => {
    const logger = recordingLogger();
    const result = await writeSamples([sample('storage_invalid_test', {}, NaN), sample('storage_invalid_test', {}, 2)], { vm: { url: vm.url }, spool: createFileSpool(join(dir, 'b')), logger, deadlineMs: Date.now() + 5_000 });
    expect(result).toMatchObject({ written: 1, invalid: 1 });
    expect(logger.lines.some((l) => l.level === 'error' && String(l.fields.problem).includes('not finite'))).toBe(true);
  });

  it('spools when the server fails, and replay writes the spooled samples with their original timestamps', async () => {
    const down = await scriptedServer([503]);
    const spool = createFileSpool(join(dir, 'c'));
    const samples = [sample('storage_replay_test', { k: 'x' }, 1, T0), sample('storage_replay_test', { k: 'y' }, 2, T0 + 60_000)];
    const failed = await writeSamples(samples, { vm: { url: down.url }, spool, logger: silentLogger, deadlineMs: Date.now() + 800, baseBackoffMs: 5 });
    await down.close();
    expect(failed).toMatchObject({ written: 0, spooled: 2, spooledBatches: 1 });
    expect(await spool.depth()).toBe(1);

    const replay = await replaySpool({ vm: { url: vm.url }, spool, logger: silentLogger, deadlineMs: Date.now() + 5_000 });
    expect(replay).toEqual({ replayedBatches: 1, replayedSamples: 2, stopped: false });
    expect(await spool.depth()).toBe(0);
    const series = await vm.exportSeries('storage_replay_test');
    expect(series.map((s) => [s.metric.k, s.values, s.timestamps]).sort()).toEqual([
      ['x', [1], [T0]],
      ['y', [2], [T0 + 60_000]],
    ]);
  });

  it('replays oldest first and stops when VictoriaMetrics fails again', async () => {
    const spool = createFileSpool(join(dir, 'd'));
    for (const createdMs of [T0 + 2, T0, T0 + 1]) await spool.put({ createdMs, samples: 1, payload: gzipSync(`storage_order_test ${createdMs - T0} ${createdMs}\n`) });
    const server = await scriptedServer([204, 503]);
    const replay = await replaySpool({ vm: { url: server.url }, spool, logger: silentLogger, deadlineMs: Date.now() + 600, baseBackoffMs: 5 });
    await server.close();
    expect(server.bodies[0]).toBe(`storage_order_test 0 ${T0}\n`);
    expect(server.bodies.slice(1).every((b) => b === `storage_order_test 1 ${T0 + 1}\n`)).toBe(true);
    expect(replay.replayedBatches).toBe(1);
    expect(replay.stopped).toBe(true);
    expect(await spool.depth()).toBe(2);
  });

  it('sets aside a spooled batch that VictoriaMetrics rejects, without deleting it', async () => {
    const spool = createFileSpool(join(dir, 'e'));
    await spool.put({ createdMs: T0, samples: 1, payload: gzipSync('x 1 1\n') });
    const server = await scriptedServer([400]);
    const logger = recordingLogger();
    await replaySpool({ vm: { url: server.url }, spool, logger, deadlineMs: Date.now() + 2_000 });
    await server.close();
    expect(await spool.depth()).toBe(0);
    expect(await readdir(join(dir, 'e', 'rejected'))).toHaveLength(1);
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
  });
});
