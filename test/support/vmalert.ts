// vmalert 1.79 (Debian's victoria-metrics package) as an oracle: its replay over a range, and a live vmalert
// whose alerts (annotations included) are read from its HTTP API.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findVmalert } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface WriteFlushProxy {
  url: string;
  /** Remote-write requests forwarded. */
  readonly writes: number;
  close(): Promise<void>;
}

/**
 * Forwards to VictoriaMetrics and, after each remote write, asks it to make the write searchable at once
 * (/internal/force_flush) before answering. vmalert's replay sleeps `-replay.rulesDelay` after each rule
 * for storage to persist what the rule wrote; with this in between, a short delay is always enough, so a
 * chained rule sees the rules before it whatever the machine's load.
 */
export async function startWriteFlushProxy(upstream: string): Promise<WriteFlushProxy> {
  const target = new URL(upstream);
  let writes = 0;
  const forward = (method: string, path: string, headers: Record<string, string | string[] | undefined>, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const out = request({ host: target.hostname, port: target.port, method, path, headers: { ...headers, host: target.host }, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('timeout', () => out.destroy(new Error('upstream timeout')));
      out.on('error', reject);
      out.end(body);
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const answer = await forward(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks));
          if ((req.url ?? '').startsWith('/api/v1/write')) {
            writes++;
            await forward('GET', '/internal/force_flush', {}, Buffer.alloc(0));
          }
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        } catch (err) {
          res.writeHead(502);
          res.end(String(err));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get writes() {
      return writes;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReplayOptions {
  rulesFile: string;
  datasourceUrl: string;
  remoteWriteUrl: string;
  from: Date;
  to: Date;
  /** Seconds vmalert waits after each rule (-replay.rulesDelay). */
  rulesDelay?: string;
}

/**
 * `vmalert -replay.timeFrom/-replay.timeTo`: every rule over the range, in order, its results (ALERTS,
 * ALERTS_FOR_STATE, recorded series) written through remote write. `-datasource.queryStep=0` makes the
 * step each group's interval (the default step is 5m). Resolves with its output once it has exited 0.
 */
export async function runVmalertReplay(options: ReplayOptions): Promise<string> {
  const args = [
    `-rule=${options.rulesFile}`,
    `-datasource.url=${options.datasourceUrl}`,
    `-remoteWrite.url=${options.remoteWriteUrl}`,
    `-replay.timeFrom=${options.from.toISOString().replace('.000Z', 'Z')}`,
    `-replay.timeTo=${options.to.toISOString().replace('.000Z', 'Z')}`,
    '-datasource.queryStep=0',
    `-replay.rulesDelay=${options.rulesDelay ?? '400ms'}`,
    '-remoteWrite.flushInterval=100ms',
    '-replay.disableProgressBar',
    `-httpListenAddr=127.0.0.1:${await freePort()}`,
  ];
  const proc = startProcess(findVmalert(), args, 'vmalert');
  const timer = setTimeout(() => void proc.kill(), 120_000);
  const { code } = await proc.waitForExit();
  clearTimeout(timer);
  if (code !== 0) throw new Error(`vmalert replay exited ${code}:\n${proc.outputTail()}`);
  return proc.outputTail();
}

export interface VmalertAlert {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export interface LiveVmalert {
  url: string;
  /** Active alerts from /api/v1/alerts. */
  alerts(): Promise<VmalertAlert[]>;
  /** Whether every rule has been evaluated at least once (/api/v1/rules' lastEvaluation). */
  evaluated(): Promise<boolean>;
  stop(): Promise<void>;
  output(): string;
}

/** A live vmalert evaluating `rulesFile` against the datasource (notifications go to `notifierUrl`). */
export async function startVmalert(options: { rulesFile: string; datasourceUrl: string; notifierUrl: string; extraFlags?: string[] }): Promise<LiveVmalert> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ManagedProcess = startProcess(
    findVmalert(),
    [
      `-rule=${options.rulesFile}`,
      `-datasource.url=${options.datasourceUrl}`,
      `-notifier.url=${options.notifierUrl}`,
      '-datasource.queryStep=0',
      `-httpListenAddr=127.0.0.1:${port}`,
      ...(options.extraFlags ?? []),
    ],
    'vmalert',
  );
  await waitUntilReady(proc, `vmalert on port ${port}`, async () => (await fetchWithTimeout(`${url}/health`, {}, 1000)).status === 200);
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetchWithTimeout(`${url}${path}`);
    if (response.status !== 200) throw new Error(`vmalert ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    url,
    alerts: async () => (await getJson<{ data: { alerts: VmalertAlert[] | null } }>('/api/v1/alerts')).data.alerts ?? [],
    evaluated: async () => {
      const { data } = await getJson<{ data: { groups: Array<{ rules: Array<{ lastEvaluation: string }> }> } }>('/api/v1/rules');
      return data.groups.length > 0 && data.groups.every((g) => g.rules.every((r) => !r.lastEvaluation.startsWith('0001')));
    },
    stop: () => proc.stop(5_000),
    output: () => proc.outputTail(),
  };
}
