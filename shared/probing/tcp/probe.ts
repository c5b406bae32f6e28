// The TCP prober, with blackbox_exporter's tcp prober semantics (tcp.go, query_response.go): connect,
// optionally TLS from the start, then the query_response steps in order — expect (a line matching an RE2
// regex), expect_bytes, send (a line, "\n" appended, ${1}/${name} from the last expect), starttls.
// Differences, deliberately: certificate metrics are written also when verification fails, and
// expect_bytes waits for all the expected bytes instead of judging a single read.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TcpModule } from '../../config/index.js';
import { cachedRe2, expandTemplate, type Re2Match } from '../../regex/index.js';
import { monotonicSeconds } from '../clock.js';
import { ProbeBudget } from '../deadline.js';
import { classifyError, ProbeFailure } from '../failure.js';
import { resolveHost, type Resolved } from '../resolve.js';
import { buildResult } from '../samples.js';
import { assertVerified, buildTlsOptions, readTlsInfo, tlsSamples } from '../tls.js';
import type { DebugInfo, FailureReason, ProbeOptions, ProbeResult, Sample, TlsInfo } from '../types.js';
import { PhaseLog } from './phases.js';
import { SocketReader } from './reader.js';
import { connectTcp, startTls, writeAll } from './socket.js';

type QueryResponseStep = TcpModule['query_response'][number];
type Stage = 'resolve' | 'connect' | 'tls' | 'exchange';

const EXCERPT_BYTES = 1024;
const LOG_TEXT_CHARS = 200;
/** Lines read before the expect loop gives the event loop a turn. */
const YIELD_EVERY_LINES = 64;
/** Lines of a step shown in --debug: a peer that floods lines must not grow the log without end. */
const LOGGED_LINES = 100;

export function splitHostPort(address: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
  if (!match) throw new ProbeFailure('network', `"${address}" is not host:port`);
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

function quote(text: string): string {
  return JSON.stringify(text.length > LOG_TEXT_CHARS ? `${text.slice(0, LOG_TEXT_CHARS)}…` : text);
}

/**
 * A send that carries credentials (SMTP/Redis AUTH, POP3/FTP PASS, IMAP LOGIN) is logged without its
 * arguments: debug output must not show secrets even when a module has them inline.
 */
function loggedSend(send: string): string {
  const command = /^(?:\S+\s+)?(?:AUTH|PASS|LOGIN)\b/i.exec(send);
  return command && command[0].length < send.length ? `${command[0]} <redacted>` : quote(send);
}

/** One probe's state: what it has learnt so far is reported even when a later step fails. */
class TcpProbeRun {
  readonly phases = new PhaseLog();
  readonly samples: Sample[] = [];
  resolved: Resolved | undefined;
  tls: TlsInfo | undefined;
  stage: Stage = 'resolve';
  connected = false;
  failedDueToRegex = 0;
  failedDueToBytes = 0;
  private socket: Socket | undefined;
  private secure: TLSSocket | undefined;
  private reader: SocketReader | undefined;
  private readonly log: string[] | undefined;
  private excerpt: Buffer = Buffer.alloc(0);

  constructor(
    private readonly module: TcpModule,
    private readonly options: ProbeOptions,
    private readonly budget: ProbeBudget,
  ) {
    this.log = options.debug ? [] : undefined;
  }

  debug(line: string): void {
    this.log?.push(line);
  }

  debugInfo(): DebugInfo | undefined {
    if (!this.log) return undefined;
    return { log: this.log, ...(this.excerpt.length ? { body_excerpt: this.excerpt.toString('utf8') } : {}) };
  }

  async run(): Promise<void> {
    const { host, port } = splitHostPort(this.module.address);
    this.resolved = await resolveHost(host, this.module.preferred_ip_protocol, this.module.ip_protocol_fallback, this.budget);
    this.phases.add('resolve', this.resolved.seconds);
    this.debug(`resolved ${host} to ${this.resolved.address}`);

    this.stage = 'connect';
    this.phases.begin('connect');
    this.socket = await connectTcp(this.resolved.address, this.resolved.family, port, this.budget);
    this.connected = true;
    this.debug(`connected to ${this.resolved.address}:${port}`);

    if (this.module.tls) {
      await this.upgrade(this.socket, host, 'tls');
    } else {
      this.reader = new SocketReader(this.socket, (chunk) => this.observe(chunk));
    }

    for (const [index, step] of this.module.query_response.entries()) {
      this.stage = 'exchange';
      this.phases.begin('query_response');
      await this.step(index, step, host);
    }
    this.phases.end();
  }

  /** Destroys whatever is still open. */
  close(): void {
    this.phases.end();
    this.reader?.detach();
    this.secure?.destroy();
    this.socket?.destroy();
  }

  private observe(chunk: Buffer): void {
    if (this.log && this.excerpt.length < EXCERPT_BYTES) {
      this.excerpt = Buffer.concat([this.excerpt, chunk.subarray(0, EXCERPT_BYTES - this.excerpt.length)]);
    }
  }

  private async upgrade(socket: Socket, host: string, phase: 'tls' | 'starttls'): Promise<void> {
    this.stage = 'tls';
    this.phases.begin(phase);
    const options = await buildTlsOptions(this.module.tls_config, host, this.options.secrets);
    this.debug(`${phase}: handshake (server name ${options.checkName})`);
    this.secure = await startTls(socket, options, this.budget);
    this.tls = readTlsInfo(this.secure);
    this.debug(`${phase}: ${this.tls.version} ${this.tls.cipher}, certificate ${this.tls.verified ? 'verified' : `not verified (${this.tls.verify_error ?? 'unknown'})`}`);
    assertVerified(this.tls, this.module.tls_config?.insecure_skip_verify ?? false);
    this.reader = new SocketReader(this.secure, (chunk) => this.observe(chunk));
    this.stage = 'exchange';
  }

  private async step(index: number, step: QueryResponseStep, host: string): Promise<void> {
    const reader = this.reader as SocketReader;
    let send = step.send ?? '';
    if (step.expect !== undefined) {
      const match = await this.expectLine(index, step.expect, reader);
      send = expandTemplate(send, match);
      if (step.labels) {
        const labels = Object.fromEntries(step.labels.map((label) => [label.name, expandTemplate(label.value, match)]));
        this.samples.push({ name: 'probe_expect_info', labels, value: 1 });
      }
    }
    if (step.expect_bytes) await this.expectBytes(index, step.expect_bytes, reader);
    if (send !== '') {
      this.debug(`step ${index + 1}: send ${loggedSend(send)}`);
      await this.budget.race(writeAll(this.secure ?? (this.socket as Socket), `${send}\n`), true);
    }
    if (step.starttls) {
      reader.detach();
      this.reader = undefined;
      // What the peer said before the handshake is discarded, as a fresh bufio.Scanner in blackbox does.
      await this.upgrade(this.socket as Socket, host, 'starttls');
    }
  }

  private async expectLine(index: number, pattern: string, reader: SocketReader): Promise<Re2Match> {
    const re = cachedRe2(pattern);
    this.debug(`step ${index + 1}: expect /${pattern}/`);
    let lines = 0;
    for (;;) {
      const line = await this.raceRead(reader.readLine(), `a line matching /${pattern}/`);
      if (line === null) break;
      const match = re.exec(line);
      lines += 1;
      // Lines already buffered are read without a turn of the event loop: a peer that floods lines would
      // hold it (timers, other probes) for as long as the flood lasts. Every so often, let it run.
      if (lines % YIELD_EVERY_LINES === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (lines <= LOGGED_LINES || match) this.debug(`step ${index + 1}: read ${quote(line)}${match ? ' (matched)' : ''}`);
      else if (lines === LOGGED_LINES + 1) this.debug(`step ${index + 1}: (further lines not logged)`);
      if (match) {
        this.failedDueToRegex = 0;
        return match;
      }
    }
    this.failedDueToRegex = 1;
    throw new ProbeFailure('expect', `connection closed before a line matched /${pattern}/ (step ${index + 1})`);
  }

  private async expectBytes(index: number, expected: string, reader: SocketReader): Promise<void> {
    const want = Buffer.from(expected, 'utf8');
    this.debug(`step ${index + 1}: expect ${want.length} bytes ${want.toString('hex')}`);
    const got = await this.raceRead(reader.readBytes(want.length), `${want.length} expected bytes`);
    this.debug(`step ${index + 1}: read ${got.length} bytes ${got.toString('hex')}`);
    if (got.equals(want)) {
      this.failedDueToBytes = 0;
      return;
    }
    this.failedDueToBytes = 1;
    throw new ProbeFailure(
      'expect',
      got.length < want.length
        ? `connection closed after ${got.length} of ${want.length} expected bytes (step ${index + 1})`
        : `bytes did not match: expected ${want.toString('hex')}, got ${got.toString('hex')} (step ${index + 1})`,
    );
  }

  /** Races a read against the budget; a timeout says what the probe was waiting for. */
  private async raceRead<T>(read: Promise<T>, waitingFor: string): Promise<T> {
    try {
      return await this.budget.race(read, true);
    } catch (err) {
      if (err instanceof ProbeFailure && err.reason === 'timeout') {
        throw new ProbeFailure('timeout', `${err.message} waiting for ${waitingFor}`);
      }
      throw err;
    }
  }
}

export async function probeTcp(targetName: string, module: TcpModule, options: ProbeOptions): Promise<ProbeResult> {
  const timestampMs = Date.now();
  const start = monotonicSeconds();
  const budget = new ProbeBudget(options.timeoutMs, options.signal);
  const probe = new TcpProbeRun(module, options, budget);
  let failure: { reason: FailureReason; message: string } | undefined;
  try {
    await probe.run();
  } catch (err) {
    failure = budget.aborted && !(err instanceof ProbeFailure) ? budget.failure(probe.connected) : classifyError(err, probe.stage);
    probe.debug(`failed: ${failure.reason}: ${failure.message}`);
  } finally {
    probe.close();
    budget.dispose();
  }

  const samples: Sample[] = [];
  if (probe.tls) samples.push(...tlsSamples(probe.tls));
  // blackbox_exporter 0.23 (Debian's) registers these at the start of every TCP probe, so a refused
  // connection reports them as 0 too; dashboards expect the series to exist.
  samples.push(
    { name: 'probe_failed_due_to_regex', labels: {}, value: probe.failedDueToRegex },
    { name: 'probe_failed_due_to_bytes', labels: {}, value: probe.failedDueToBytes },
  );
  samples.push(...probe.samples);
  const debug = probe.debugInfo();
  return buildResult({
    target: targetName,
    module: 'tcp',
    instance: module.address,
    timestampMs,
    durationSeconds: monotonicSeconds() - start,
    timeoutMs: options.timeoutMs,
    ...(probe.resolved ? { resolved: probe.resolved } : {}),
    ...(failure ? { failure: { reason: failure.reason, message: failure.message } } : {}),
    phases: probe.phases.phases,
    samples,
    ...(probe.tls ? { extra: { tls: probe.tls } } : {}),
    ...(debug ? { debug } : {}),
  });
}
