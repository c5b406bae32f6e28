// The DNS prober, with blackbox_exporter's dns prober semantics (dns.go): the target is the server to ask;
// one question (query_name, query_type, query_class, RD bit) over UDP, TCP or DNS over TLS; the reply's
// rcode and records checked against valid_rcodes and validate_*_rrs; the same metric names
// (probe_dns_duration_seconds{phase}, probe_dns_answer_rrs, …, probe_dns_serial for SOA queries).
// Deliberate differences: a truncated UDP reply is asked again over TCP (as resolvers do; blackbox 0.23
// reports the truncated reply), and DoT adds the probe_ssl_* / probe_tls_* certificate samples.
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { DnsModule } from '../../config/index.js';
import { monotonicSeconds } from '../clock.js';
import { ProbeBudget, runWithinBudget } from '../deadline.js';
import { classifyError, ProbeFailure } from '../failure.js';
import { resolveHost, type Resolved } from '../resolve.js';
import { buildResult } from '../samples.js';
import { assertVerified, buildTlsOptions, readTlsInfo, tlsSamples } from '../tls.js';
import type { DnsDetails, FailureReason, PhaseTiming, ProbeOptions, ProbeResult, Sample, TlsInfo } from '../types.js';
import { rcodeName, responseFailure } from './checks.js';
import { loadDnsPacket } from './load-dns-packet.js';
import { decodeReply, headerOnly, type Reply } from './reply.js';
import { streamExchange, udpExchange, type Endpoint, type Exchange } from './transport.js';

/** host and port of `server`; the port defaults to 53, or 853 for DNS over TLS (as blackbox). */
export function splitServer(server: string, dot: boolean): { host: string; port: number } {
  const defaultPort = dot ? 853 : 53;
  if (isIP(server) === 6) return { host: server, port: defaultPort };
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(server);
  return { host: match?.[1] ?? server, port: match?.[2] ? Number(match[2]) : defaultPort };
}

/** Answer records kept in the result for people (the waterfall, --json); the counts are always complete. */
const MAX_ANSWERS_SHOWN = 20;

class DnsProbeRun {
  readonly phases = { resolve: 0, connect: 0, request: 0 };
  readonly log: string[] | undefined;
  resolved: Resolved | undefined;
  reply: Reply | undefined;
  tls: TlsInfo | undefined;
  transport: string;
  failure: { reason: FailureReason; message: string } | undefined;
  /** Where the probe is: the waterfall's unfinished phase when it ends before a reply (phases.* get time only then). */
  stage: 'resolve' | 'exchange' | 'done' = 'resolve';
  private connected = false;

  constructor(
    private readonly module: DnsModule,
    private readonly options: ProbeOptions,
    private readonly budget: ProbeBudget,
    private readonly started: number,
  ) {
    this.log = options.debug ? [] : undefined;
    this.transport = module.dns_over_tls ? 'tcp+tls' : module.transport_protocol;
  }

  debug(line: string): void {
    this.log?.push(`${((monotonicSeconds() - this.started) * 1000).toFixed(1)} ms  ${line}`);
  }

  fail(err: unknown): void {
    if (err instanceof ProbeFailure) this.failure = { reason: err.reason, message: err.message };
    else if (this.budget.aborted) this.failure = { reason: this.budget.failure(this.connected).reason, message: this.budget.failure(this.connected).message };
    else {
      const { reason, message } = classifyError(err, this.connected ? 'exchange' : 'connect');
      // A socket error that is not refused/reset/TLS means no usable reply.
      this.failure = { reason: reason === 'network' ? 'dns_query' : reason, message };
    }
    this.debug(`failed: ${this.failure.reason}: ${this.failure.message}`);
  }

  async execute(): Promise<void> {
    const module = this.module;
    const packet = await loadDnsPacket();
    const { host, port } = splitServer(module.server, module.dns_over_tls);
    this.resolved = await resolveHost(host, module.preferred_ip_protocol, module.ip_protocol_fallback, this.budget);
    this.phases.resolve = this.resolved.seconds;
    this.debug(`server ${host} → ${this.resolved.address} (IPv${this.resolved.family}), port ${port}`);
    const endpoint: Endpoint = { address: this.resolved.address, family: this.resolved.family, port, ...(module.source_ip_address ? { sourceIp: module.source_ip_address } : {}) };
    const query = packet.encode({
      type: 'query',
      id: randomInt(0, 65536),
      flags: module.recursion_desired ? packet.RECURSION_DESIRED : 0,
      // The union of names is checked by the schema against the ones dns-packet knows.
      questions: [{ name: module.query_name.replace(/\.$/, ''), type: module.query_type as 'A', class: module.query_class as 'IN' }],
    });
    this.debug(`query ${module.query_name.replace(/\.?$/, '.')} ${module.query_class} ${module.query_type}${module.recursion_desired ? ' (recursion desired)' : ''} over ${this.transport}`);
    this.stage = 'exchange';

    let raw: Buffer;
    if (module.transport_protocol === 'udp') {
      raw = this.add(await udpExchange(endpoint, query, this.budget));
      if (headerOnly(raw).truncated) {
        this.debug('reply truncated (TC bit): asking again over TCP');
        this.transport = 'udp→tcp';
        raw = this.add(await streamExchange(endpoint, query, undefined, this.budget));
      }
    } else {
      const tls = module.dns_over_tls ? await buildTlsOptions(module.tls_config, host, this.options.secrets) : undefined;
      raw = this.add(
        await streamExchange(endpoint, query, tls, this.budget, (socket: TLSSocket) => {
          this.tls = readTlsInfo(socket);
          this.debug(`TLS ${this.tls.version}, ${this.tls.cipher}, ${this.tls.verified ? 'verified' : `not verified: ${this.tls.verify_error ?? 'unknown'}`}`);
          assertVerified(this.tls, module.tls_config?.insecure_skip_verify ?? false);
        }),
      );
    }
    this.connected = true;
    this.reply = decodeReply(packet, raw, module.query_type);
    const reply = this.reply;
    this.debug(
      `reply ${rcodeName(reply.rcode)}${reply.truncated ? ' (truncated)' : ''}: ${reply.answers.length} answer, ${reply.authorities.length} authority, ${reply.additionals.length} additional`,
    );
    for (const [section, records] of [['answer', reply.answers], ['authority', reply.authorities], ['additional', reply.additionals]] as const) {
      for (const record of records.slice(0, 50)) this.debug(`  ${section}: ${record.replace(/\t/g, ' ')}`);
    }
    const failure = responseFailure(module, reply);
    if (failure) throw new ProbeFailure(failure[0], failure[1]);
  }

  private add(exchange: Exchange): Buffer {
    this.stage = 'done';
    this.connected = true;
    this.phases.connect += exchange.connectSeconds;
    this.phases.request += exchange.requestSeconds;
    return exchange.response;
  }

  samples(): Sample[] {
    const reply = this.reply;
    const samples: Sample[] = [
      { name: 'probe_dns_answer_rrs', labels: {}, value: reply?.answers.length ?? 0 },
      { name: 'probe_dns_authority_rrs', labels: {}, value: reply?.authorities.length ?? 0 },
      { name: 'probe_dns_additional_rrs', labels: {}, value: reply?.additionals.length ?? 0 },
      { name: 'probe_dns_query_succeeded', labels: {}, value: reply ? 1 : 0 },
    ];
    if (reply?.serial !== undefined) samples.push({ name: 'probe_dns_serial', labels: {}, value: reply.serial });
    if (this.tls) samples.push(...tlsSamples(this.tls));
    return samples;
  }

  /** The phase still running when the probe ended: a UDP "connect" is local, so over UDP the wait is the request. */
  unfinishedPhase(): string | undefined {
    if (this.failure === undefined || this.stage === 'done') return undefined;
    if (this.stage === 'resolve') return 'resolve';
    const connecting = this.failure.reason === 'connect_timeout' || this.failure.reason === 'refused' || this.failure.reason === 'tls_handshake';
    return this.transport !== 'udp' && connecting ? 'connect' : 'request';
  }

  details(): DnsDetails {
    const reply = this.reply;
    return {
      transport: this.transport,
      ...(reply ? { rcode: rcodeName(reply.rcode), answers: reply.answers.slice(0, MAX_ANSWERS_SHOWN) } : {}),
      answer_rrs: reply?.answers.length ?? 0,
      authority_rrs: reply?.authorities.length ?? 0,
      additional_rrs: reply?.additionals.length ?? 0,
      ...(reply?.serial !== undefined ? { serial: reply.serial } : {}),
    };
  }
}

/** Probes one DNS server. Never rejects for a probe failure: the result says what went wrong. */
export async function probeDns(targetName: string, module: DnsModule, options: ProbeOptions): Promise<ProbeResult> {
  const timestampMs = Date.now();
  const started = monotonicSeconds();
  const budget = new ProbeBudget(options.timeoutMs, options.signal);
  const run = new DnsProbeRun(module, options, budget, started);
  await runWithinBudget(budget, run);
  const phases: PhaseTiming[] = (['resolve', 'connect', 'request'] as const).map((phase) => ({ phase, seconds: run.phases[phase] }));
  return buildResult({
    target: targetName,
    module: 'dns',
    instance: module.server,
    timestampMs,
    durationSeconds: monotonicSeconds() - started,
    timeoutMs: options.timeoutMs,
    ...(run.resolved ? { resolved: run.resolved } : {}),
    ...(run.failure ? { failure: run.failure } : {}),
    phases,
    ...(run.unfinishedPhase() ? { unfinishedPhase: run.unfinishedPhase() } : {}),
    phaseMetric: 'probe_dns_duration_seconds',
    samples: run.samples(),
    extra: { dns: run.details(), ...(run.tls ? { tls: run.tls } : {}) },
    ...(run.log ? { debug: { log: run.log } } : {}),
  });
}
