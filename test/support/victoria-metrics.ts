// A real VictoriaMetrics for tests: one shared per run (started by global-setup.ts, URL via
// inject('vmUrl')) and private ones for fault tests that stop, kill or restart it.
// Writes answer 204 even when samples are dropped, so tests read back with exportSeries().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findVictoriaMetrics } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  /** Unix milliseconds. */
  timestamps: number[];
}

export interface VmQueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: Array<{
    metric: Record<string, string>;
    /** [unix seconds, value as string] for vector results. */
    value?: [number, string];
    values?: Array<[number, string]>;
  }>;
}

export interface ExportOptions {
  /** Default: the epoch, i.e. everything (the export API's own default is only the last day). */
  start?: Date;
  end?: Date;
}

/** One line for importPrometheus, label values escaped as the text exposition format requires. */
export function prometheusLine(
  name: string,
  labels: Record<string, string>,
  value: number,
  timestampMs: number,
): string {
  const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  const formatted = Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
  return `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${formatted} ${timestampMs}`;
}

function seconds(date: Date): string {
  return (date.getTime() / 1000).toString();
}

/**
 * One line of /api/v1/export. VictoriaMetrics writes infinities as bare +Inf/-Inf, which JSON.parse
 * rejects; they can only occur in the values array (a quote inside a label value is always escaped, so
 * the text `"values":[` cannot come from one).
 */
export function parseExportLine(line: string): VmSeries {
  const key = '"values":[';
  const start = line.lastIndexOf(key);
  let json = line;
  if (start >= 0) {
    const from = start + key.length;
    const to = line.indexOf(']', from);
    const values = line.slice(from, to).replace(/([+-]?Inf|NaN)/g, '"$1"');
    json = line.slice(0, from) + values + line.slice(to);
  }
  const parsed = JSON.parse(json) as { metric: Record<string, string>; values: Array<number | string>; timestamps: number[] };
  const toNumber = (v: number | string): number =>
    v === '+Inf' || v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : typeof v === 'string' ? NaN : v;
  return { metric: parsed.metric, values: parsed.values.map(toNumber), timestamps: parsed.timestamps };
}

async function expectOk(response: Response, what: string, status = 200): Promise<string> {
  const body = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: HTTP ${response.status} (expected ${status}): ${body.slice(0, 2000)}`);
  }
  return body;
}

/** The HTTP side, usable with the shared instance's URL alone. */
export class VmClient {
  constructor(readonly url: string) {}

  /** Makes everything written so far searchable (otherwise a new series can take ~8 s). */
  async flush(): Promise<void> {
    await expectOk(await fetchWithTimeout(`${this.url}/internal/force_flush`), 'force_flush');
  }

  /** Raw samples of the matching series, after a flush. Give a selector unique to the test. */
  async exportSeries(match: string, options: ExportOptions = {}): Promise<VmSeries[]> {
    await this.flush();
    const params = new URLSearchParams({ 'match[]': match, start: seconds(options.start ?? new Date(0)) });
    // An explicit end in the future: without it the -search.latencyOffset hides the newest second.
    params.set('end', seconds(options.end ?? new Date(Date.now() + 86_400_000)));
    const body = await expectOk(await fetchWithTimeout(`${this.url}/api/v1/export?${params}`), `export ${match}`);
    return body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(parseExportLine);
  }

  /**
   * exportSeries until `done` holds or `timeoutMs` passes (then the last answer). A series written by
   * another process can take a moment to reach the index when the machine is busy.
   */
  async exportSeriesUntil(match: string, done: (series: VmSeries[]) => boolean, timeoutMs = 10_000): Promise<VmSeries[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const series = await this.exportSeries(match);
      if (done(series) || Date.now() > until) return series;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Waits until `count(last_over_time(<selector>[window]))` reaches `series`: new series can take a moment
   * to reach the index of a busy VictoriaMetrics even after a flush, and queries would not see them yet.
   */
  async waitForSeries(selector: string, series: number, timeoutMs = 20_000, window = '1d'): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const data = await this.query(`count(last_over_time(${selector}[${window}]))`);
      const found = Number(data.result[0]?.value?.[1] ?? 0);
      if (found >= series) return;
      if (Date.now() > until) throw new Error(`${selector}: ${found} of ${series} series searchable after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Instant query after a flush, bypassing the response cache. `time` defaults to now. */
  async query(expr: string, time?: Date): Promise<VmQueryData> {
    await this.flush();
    const params = new URLSearchParams({ query: expr, nocache: '1' });
    if (time) params.set('time', seconds(time));
    const body = await expectOk(await fetchWithTimeout(`${this.url}/api/v1/query?${params}`), `query ${expr}`);
    const parsed = JSON.parse(body) as { status: string; data: VmQueryData; error?: string };
    if (parsed.status !== 'success') throw new Error(`query ${expr}: ${parsed.error ?? body}`);
    return parsed.data;
  }

  /** Writes Prometheus text format (timestamps in ms). 204 does not mean every line was kept. */
  async importPrometheus(text: string, options: { extraLabels?: Record<string, string> } = {}): Promise<void> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.extraLabels ?? {})) params.append('extra_label', `${k}=${v}`);
    const query = params.size ? `?${params}` : '';
    const response = await fetchWithTimeout(`${this.url}/api/v1/import/prometheus${query}`, {
      method: 'POST',
      body: text.endsWith('\n') ? text : `${text}\n`,
    });
    await expectOk(response, 'import/prometheus', 204);
  }
}

export interface VmOptions {
  /** Default: a free loopback port. */
  port?: number;
  /** Default: a new temp dir, removed by cleanup(). A given one is kept. */
  dataDir?: string;
  extraFlags?: string[];
  /** Keep VictoriaMetrics' response cache on, as in production (benchmarks of cached reads); off by default for read-after-write. */
  responseCache?: boolean;
}

export interface VmHandle extends VmClient {
  readonly port: number;
  readonly dataDir: string;
  /** SIGTERM (VictoriaMetrics flushes on it), SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Stops if running, then starts again on the same port with the same data. */
  restart(): Promise<void>;
  /** SIGKILL: unflushed samples may be lost, as in a crash. */
  kill(): Promise<void>;
  /** Stops it and removes the data dir if this helper created it. */
  cleanup(): Promise<void>;
  /** The tail of its log, for assertion messages. */
  output(): string;
}

function vmFlags(port: number, dataDir: string, extraFlags: string[], responseCache: boolean): string[] {
  return [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${dataDir}`,
    '-retentionPeriod=100y',
    // Samples become visible after 1 s instead of 30 s, and no response cache hides new writes.
    '-search.latencyOffset=1s',
    ...(responseCache ? [] : ['-search.disableCache']),
    // As in production: a replayed write of the same (series, timestamp) is stored once, not summed twice.
    '-dedup.minScrapeInterval=1ms',
    // The staleness lookback is left at its default, as in production (a lone sample stays visible to
    // instant queries for about 5 minutes); fault tests can pass -search.maxStalenessInterval in extraFlags.
    ...extraFlags,
  ];
}

const READY_TIMEOUT_MS = 20_000;

class VictoriaMetricsProcess extends VmClient implements VmHandle {
  private proc: ManagedProcess | undefined;

  constructor(
    private readonly binary: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly extraFlags: string[],
    private readonly responseCache = false,
  ) {
    super(`http://127.0.0.1:${port}`);
  }

  async launch(): Promise<void> {
    const proc = startProcess(this.binary, vmFlags(this.port, this.dataDir, this.extraFlags, this.responseCache), 'victoria-metrics');
    this.proc = proc;
    await waitUntilReady(
      proc,
      `victoria-metrics on port ${this.port}`,
      async () => {
        const response = await fetchWithTimeout(`${this.url}/health`, {}, 1000);
        return response.status === 200 && (await response.text()).trim() === 'OK';
      },
      READY_TIMEOUT_MS,
    );
  }

  async stop(): Promise<void> {
    await this.proc?.stop(5000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  async cleanup(): Promise<void> {
    await this.stop();
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  output(): string {
    return this.proc?.outputTail() ?? '';
  }
}

export async function startVictoriaMetrics(options: VmOptions = {}): Promise<VmHandle> {
  const binary = findVictoriaMetrics();
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'periscope-vm-')));
  // freePort() closes its probe socket before VictoriaMetrics binds, so a parallel test file may take the
  // port in between; with a port of our own choosing, try another.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const vm = new VictoriaMetricsProcess(binary, port, dataDir, options.dataDir === undefined, options.extraFlags ?? [], options.responseCache ?? false);
    try {
      await vm.launch();
      return vm;
    } catch (error) {
      const portTaken = /address already in use/i.test(vm.output());
      if (!portTaken || attempt >= attempts) {
        await vm.cleanup();
        throw error;
      }
    }
  }
}
