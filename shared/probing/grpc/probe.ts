// The gRPC prober, with blackbox_exporter's grpc prober semantics (grpc.go): grpc.health.v1.Health/Check for
// `service` (empty: the whole server), plaintext or TLS, with metadata; success only for SERVING; the same
// metrics (probe_grpc_duration_seconds{phase="resolve|check"}, probe_grpc_status_code, probe_grpc_ssl,
// probe_grpc_healthcheck_response{serving_status}). Deliberate differences: the call has the probe's
// deadline (blackbox 0.23 calls without one and can hang), and probe_ssl_* samples appear only for TLS
// connections (blackbox writes probe_ssl_earliest_cert_expiry 0 for plaintext, which reads as "expired").
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { GrpcModule } from '../../config/index.js';
import { SecretError } from '../../config/index.js';
import { monotonicSeconds } from '../clock.js';
import { ProbeBudget, runWithinBudget } from '../deadline.js';
import { classifyError, ProbeFailure } from '../failure.js';
import { resolveHost, type Resolved } from '../resolve.js';
import { buildResult } from '../samples.js';
import { connectTcp, startTls } from '../tcp/socket.js';
import { assertVerified, buildTlsOptions, readTlsInfo, tlsSamples } from '../tls.js';
import type { FailureReason, GrpcDetails, ProbeOptions, ProbeResult, Sample, TlsInfo } from '../types.js';
import { redactSecrets } from '../../observability/redact.js';
import { GrpcCallFailure, openSession, statusHeaders, unaryCall } from './call.js';
import {
  callStatus,
  decodeStatusMessage,
  firstMessage,
  grpcTimeout,
  HEALTH_CHECK_PATH,
  healthCheckRequest,
  SERVING_STATUSES,
  servingStatus,
  Status,
  statusName,
} from './protocol.js';

const REDACTED = '<redacted>';

export function splitAddress(address: string, tls: boolean): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(address);
  return { host: match?.[1] ?? address, port: match?.[2] ? Number(match[2]) : tls ? 443 : 80 };
}

class GrpcProbeRun {
  readonly log: string[] | undefined;
  resolved: Resolved | undefined;
  checkStarted: number | undefined;
  checkSeconds: number | undefined;
  tls: TlsInfo | undefined;
  statusCode: number = Status.UNKNOWN;
  statusMessage: string | undefined;
  serving: string | undefined;
  failure: { reason: FailureReason; message: string } | undefined;
  private connected = false;
  private secretValues: string[] = [];
  private closers: Array<() => void> = [];

  constructor(
    private readonly module: GrpcModule,
    private readonly options: ProbeOptions,
    private readonly budget: ProbeBudget,
    private readonly started: number,
  ) {
    this.log = options.debug ? [] : undefined;
  }

  debug(line: string): void {
    if (!this.log) return;
    const text = redactSecrets(line, this.secretValues);
    this.log.push(`${((monotonicSeconds() - this.started) * 1000).toFixed(1)} ms  ${text}`);
  }

  fail(err: unknown): void {
    if (err instanceof ProbeFailure) this.failure = { reason: err.reason, message: err.message };
    else if (this.budget.aborted) this.failure = { reason: this.budget.failure(this.connected).reason, message: this.budget.failure(this.connected).message };
    else this.failure = classifyError(err, this.connected ? 'exchange' : 'connect');
    if (err instanceof GrpcCallFailure) this.statusCode = err.grpcStatus;
    // No status from the server: the code grpc-go gives the caller for the same failure.
    else if (this.serving === undefined && this.failure.reason !== 'grpc_status') {
      this.statusCode = this.failure.reason === 'timeout' || this.failure.reason === 'connect_timeout' || this.failure.reason === 'deadline' ? Status.DEADLINE_EXCEEDED : Status.UNAVAILABLE;
    }
    this.debug(`failed: ${this.failure.reason}: ${this.failure.message}`);
  }

  close(): void {
    for (const close of this.closers.splice(0)) close();
  }

  private async metadata(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(this.module.metadata)) out[key.toLowerCase()] = values;
    for (const [key, ref] of Object.entries(this.module.metadata_from)) {
      try {
        const value = await this.budget.race(this.options.secrets.resolve(ref), false);
        this.secretValues.push(value);
        out[key.toLowerCase()] = [value];
      } catch (err) {
        if (err instanceof ProbeFailure) throw err;
        throw new ProbeFailure('secret', err instanceof SecretError ? err.message : `secret ${ref} could not be resolved`);
      }
    }
    return out;
  }

  async execute(): Promise<void> {
    const module = this.module;
    const metadata = await this.metadata();
    const { host, port } = splitAddress(module.address, module.tls);
    this.resolved = await resolveHost(host, module.preferred_ip_protocol, module.ip_protocol_fallback, this.budget);
    this.debug(`resolved ${host} → ${this.resolved.address} (IPv${this.resolved.family})`);
    this.checkStarted = monotonicSeconds();

    const socket = await connectTcp(this.resolved.address, this.resolved.family, port, this.budget);
    this.closers.push(() => socket.destroy());
    this.debug(`connected to ${this.resolved.address}:${port}${module.tls ? ', TLS handshake' : ' (plaintext HTTP/2)'}`);
    let stream: typeof socket | TLSSocket = socket;
    if (module.tls) {
      const tlsOptions = await buildTlsOptions(module.tls_config, host, this.options.secrets);
      const secure = await startTls(socket, { ...tlsOptions, ALPNProtocols: ['h2'] }, this.budget);
      this.closers.unshift(() => secure.destroy());
      stream = secure;
      this.tls = readTlsInfo(secure);
      this.debug(`TLS ${this.tls.version}, ${this.tls.cipher}, ALPN ${secure.alpnProtocol || 'none'}, ${this.tls.verified ? 'verified' : `not verified: ${this.tls.verify_error ?? 'unknown'}`}`);
      assertVerified(this.tls, module.tls_config?.insecure_skip_verify ?? false);
    }
    this.connected = true;

    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const session = openSession(`${module.tls ? 'https' : 'http'}://${authority}`, stream);
    this.closers.unshift(() => session.destroy());
    const headers = {
      ':method': 'POST',
      ':path': HEALTH_CHECK_PATH,
      ':authority': authority,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': grpcTimeout(this.budget.timeoutMs - (monotonicSeconds() - this.started) * 1000),
      'user-agent': 'periscope-grpc-probe',
      ...metadata,
    };
    this.debug(`> POST ${HEALTH_CHECK_PATH} service=${JSON.stringify(module.service)}`);
    for (const [key, values] of Object.entries(metadata)) {
      this.debug(`> ${key}: ${key in module.metadata_from || key === 'authorization' ? REDACTED : values.join(', ')}`);
    }
    const outcome = await unaryCall(session, headers, healthCheckRequest(module.service), this.budget);
    const { status, message } = statusHeaders(outcome);
    this.statusCode = callStatus(outcome.httpStatus, status);
    this.statusMessage = decodeStatusMessage(message);
    this.debug(`< HTTP/2 ${outcome.httpStatus ?? '-'}, ${outcome.body.length} body bytes, grpc-status ${status ?? 'missing'} (${statusName(this.statusCode)})${this.statusMessage ? `, grpc-message ${JSON.stringify(this.statusMessage)}` : ''}`);
    if (this.statusCode !== Status.OK) {
      throw new ProbeFailure('grpc_status', `health check returned ${statusName(this.statusCode)} (${this.statusCode})${this.statusMessage ? `: ${this.statusMessage}` : ''}`);
    }
    const messageBytes = firstMessage(outcome.body);
    if (typeof messageBytes === 'string') {
      this.statusCode = Status.INTERNAL;
      throw new ProbeFailure('grpc_status', `health check response unusable: ${messageBytes}`);
    }
    const serving = servingStatus(messageBytes);
    if (serving === undefined) {
      this.statusCode = Status.INTERNAL;
      throw new ProbeFailure('grpc_status', 'health check response unusable: the message does not decode as a HealthCheckResponse');
    }
    this.serving = serving;
    this.debug(`serving status ${this.serving}`);
    if (this.serving !== 'SERVING') throw new ProbeFailure('not_serving', `health of ${module.service === '' ? 'the server' : `service "${module.service}"`} is ${this.serving}`);
  }

  samples(): Sample[] {
    const samples: Sample[] = [
      { name: 'probe_grpc_status_code', labels: {}, value: this.statusCode },
      // blackbox sets it from the peer of a call that returned a response.
      { name: 'probe_grpc_ssl', labels: {}, value: this.tls && this.serving !== undefined ? 1 : 0 },
      ...SERVING_STATUSES.map((status) => ({ name: 'probe_grpc_healthcheck_response', labels: { serving_status: status }, value: this.serving === status ? 1 : 0 })),
    ];
    if (this.tls) samples.push(...tlsSamples(this.tls));
    return samples;
  }

  details(): GrpcDetails {
    return {
      status_code: this.statusCode,
      // grpc-js sends "OK" with a success; only a failure's message says something.
      ...(this.statusMessage && this.statusCode !== Status.OK ? { status_message: this.statusMessage } : {}),
      ...(this.serving ? { serving_status: this.serving } : {}),
    };
  }
}

/** Probes one gRPC health endpoint. Never rejects for a probe failure: the result says what went wrong. */
export async function probeGrpc(targetName: string, module: GrpcModule, options: ProbeOptions): Promise<ProbeResult> {
  const timestampMs = Date.now();
  const started = monotonicSeconds();
  const budget = new ProbeBudget(options.timeoutMs, options.signal);
  const run = new GrpcProbeRun(module, options, budget, started);
  await runWithinBudget(budget, run);
  const end = monotonicSeconds();
  const phases = [{ phase: 'resolve', seconds: run.resolved?.seconds ?? 0 }];
  if (run.checkStarted !== undefined) phases.push({ phase: 'check', seconds: end - run.checkStarted });
  return buildResult({
    target: targetName,
    module: 'grpc',
    instance: module.address,
    timestampMs,
    durationSeconds: end - started,
    timeoutMs: options.timeoutMs,
    ...(run.resolved ? { resolved: run.resolved } : {}),
    ...(run.failure ? { failure: run.failure } : {}),
    phases,
    phaseMetric: 'probe_grpc_duration_seconds',
    samples: run.samples(),
    extra: { grpc: run.details(), ...(run.tls ? { tls: run.tls } : {}) },
    ...(run.log ? { debug: { log: run.log } } : {}),
  });
}
