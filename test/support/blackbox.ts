// The real prometheus-blackbox-exporter as a reference: tests probe the same local server with it and
// with Periscope and compare the samples; the benchmark reads its CPU time.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBlackboxExporter } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface ExpositionSample {
  labels: Record<string, string>;
  value: number;
}

/** Samples by metric name. */
export type Exposition = Map<string, ExpositionSample[]>;

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${JSON.stringify(text)}`);
  return value;
}

/** `{a="x",b="y\"z"}` starting at `pos` (the "{"); returns the labels and the index after "}". */
function parseLabels(line: string, pos: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = pos + 1;
  const skipSpaces = (): void => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  for (;;) {
    skipSpaces();
    if (line[i] === '}') return { labels, end: i + 1 };
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (!nameMatch) throw new Error(`bad label name at ${i}: ${line}`);
    const name = nameMatch[0];
    i += name.length;
    skipSpaces();
    if (line[i] !== '=') throw new Error(`expected "=" at ${i}: ${line}`);
    i++;
    skipSpaces();
    if (line[i] !== '"') throw new Error(`expected '"' at ${i}: ${line}`);
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated label value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        // The format defines \\, \" and \n; anything else is kept as written, as Prometheus does.
        value += next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next ?? ''}`;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    i++;
    labels[name] = value;
    skipSpaces();
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`expected "," or "}" at ${i}: ${line}`);
  }
}

/** Prometheus text exposition format (0.0.4): comments and blank lines skipped, timestamps ignored. */
export function parseExposition(text: string): Exposition {
  const out: Exposition = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad metric line: ${line}`);
    const name = nameMatch[0];
    let rest = name.length;
    let labels: Record<string, string> = {};
    if (line[rest] === '{') {
      const parsed = parseLabels(line, rest);
      labels = parsed.labels;
      rest = parsed.end;
    }
    const [valueText = ''] = line.slice(rest).trim().split(/\s+/);
    const samples = out.get(name) ?? [];
    samples.push({ labels, value: parseValue(valueText) });
    out.set(name, samples);
  }
  return out;
}

export interface ProbeRequestOptions {
  /**
   * Sent as X-Prometheus-Scrape-Timeout-Seconds, as Prometheus does (its default is 10). Without it
   * blackbox_exporter allows up to 120 s less --timeout-offset, unless the module sets a shorter timeout.
   */
  scrapeTimeoutSeconds?: number;
}

/** The metrics section of a `debug=true` probe page (between its log and its module configuration). */
export function metricsFromDebug(text: string): Exposition {
  const start = text.indexOf('Metrics that would have been returned:');
  const end = text.indexOf('Module configuration:');
  return parseExposition(text.slice(text.indexOf('\n', start) + 1, end < 0 ? undefined : end));
}

/** A DNS probe's rcode from its debug log, miekg's dig-like ";; opcode: QUERY, status: NXDOMAIN, id: …". */
export function rcodeFromDebug(text: string): string | undefined {
  return /status: ([A-Z]+)/.exec(text)?.[1];
}

export interface BlackboxHandle {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** GET /probe; the exposition it returns, parsed. */
  probe(module: string, target: string, options?: ProbeRequestOptions): Promise<Exposition>;
  /** GET /probe with debug=true: its log of the probe followed by the metrics, as text. */
  probeDebug(module: string, target: string, options?: ProbeRequestOptions): Promise<string>;
  /** CPU time the exporter has used so far (user + system), in seconds. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
  output(): string;
}

/**
 * Linux's USER_HZ, the unit of /proc/<pid>/stat times. It is 100 on every mainstream architecture and
 * not readable from Node without spawning getconf.
 */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime from /proc/<pid>/stat (fields 14 and 15; the name in field 2 may contain spaces). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc/${pid}/stat: ${stat}`);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** Accepts a whole blackbox.yml, or only the module entries (then it is wrapped in `modules:`). */
function configText(modulesYaml: string): string {
  if (/^modules\s*:/m.test(modulesYaml)) return modulesYaml;
  const indented = modulesYaml
    .split('\n')
    .map((line) => (line.trim() === '' ? line : `  ${line}`))
    .join('\n');
  return `modules:\n${indented}\n`;
}

class BlackboxProcess implements BlackboxHandle {
  readonly url: string;

  constructor(
    readonly port: number,
    private readonly proc: ManagedProcess,
    private readonly configDir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.proc.pid;
  }

  private async fetchProbe(module: string, target: string, debug: boolean, options: ProbeRequestOptions): Promise<string> {
    const params = new URLSearchParams({ module, target });
    if (debug) params.set('debug', 'true');
    const headers: Record<string, string> = {};
    if (options.scrapeTimeoutSeconds !== undefined) {
      headers['X-Prometheus-Scrape-Timeout-Seconds'] = String(options.scrapeTimeoutSeconds);
    }
    const timeoutMs = ((options.scrapeTimeoutSeconds ?? 120) + 5) * 1000;
    const response = await fetchWithTimeout(`${this.url}/probe?${params}`, { headers }, timeoutMs);
    const body = await response.text();
    // A failed probe is still 200; anything else is a request or config error (unknown module, bad target).
    if (response.status !== 200) throw new Error(`blackbox /probe ${params}: HTTP ${response.status}: ${body}`);
    return body;
  }

  async probe(module: string, target: string, options: ProbeRequestOptions = {}): Promise<Exposition> {
    return parseExposition(await this.fetchProbe(module, target, false, options));
  }

  probeDebug(module: string, target: string, options: ProbeRequestOptions = {}): Promise<string> {
    return this.fetchProbe(module, target, true, options);
  }

  cpuSeconds(): Promise<number> {
    return processCpuSeconds(this.proc.pid);
  }

  async stop(): Promise<void> {
    await this.proc.stop(5000);
    await rm(this.configDir, { recursive: true, force: true });
  }

  output(): string {
    return this.proc.outputTail();
  }
}

export async function startBlackbox(modulesYaml: string): Promise<BlackboxHandle> {
  const binary = findBlackboxExporter();
  const configDir = await mkdtemp(join(tmpdir(), 'periscope-blackbox-'));
  const configFile = join(configDir, 'blackbox.yml');
  await writeFile(configFile, configText(modulesYaml));
  // A port taken between freePort() and the bind (parallel test files) is retried with another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = startProcess(
      binary,
      [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      'prometheus-blackbox-exporter',
    );
    try {
      await waitUntilReady(proc, `prometheus-blackbox-exporter on port ${port}`, async () => {
        const response = await fetchWithTimeout(`http://127.0.0.1:${port}/-/healthy`, {}, 1000);
        await response.text();
        return response.status === 200;
      });
      return new BlackboxProcess(port, proc, configDir);
    } catch (error) {
      await proc.stop();
      if (!/address already in use/i.test(proc.outputTail()) || attempt >= 3) {
        await rm(configDir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}
