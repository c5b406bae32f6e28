// Runs one target with its module's prober and gives its ProbeResult (never throws for probe failures).
import type { TargetSpec } from '../config/index.js';
import { probeHttp } from './http/probe.js';
import { probePostgres } from './postgres/probe.js';
import { probeTcp } from './tcp/probe.js';
import { recordingResolver, redactResult } from './redact-result.js';
import type { ProbeOptions, ProbeResult } from './types.js';

/** Runs the target's module. `timeoutMs` is the target's own timeout, else the caller's default. */
export async function runProbe(target: TargetSpec, options: ProbeOptions): Promise<ProbeResult> {
  // Every secret the probe resolves is redacted from its result, whatever text it ends up in.
  const secrets = recordingResolver(options.secrets);
  const result = redactResult(await runModule(target, { ...options, secrets, timeoutMs: target.timeout ?? options.timeoutMs }), secrets.values);
  // An imported target keeps the instance label Prometheus gave it (see periscope import).
  return target.instance === undefined ? result : { ...result, instance: target.instance };
}

function runModule(target: TargetSpec, effective: ProbeOptions): Promise<ProbeResult> {
  if (target.http) return probeHttp(target.name, target.http, effective);
  if (target.tcp) return probeTcp(target.name, target.tcp, effective);
  if (target.postgres) return probePostgres(target.name, target.postgres, effective);
  // DNS, gRPC and multi-step probers (and dns-packet, the protobuf codec) are loaded on first use, like pg:
  // in the bundle, but not initialised by groups that only probe HTTP.
  const { dns, grpc, steps } = target;
  if (dns) return import('./dns/probe.js').then(({ probeDns }) => probeDns(target.name, dns, effective));
  if (grpc) return import('./grpc/probe.js').then(({ probeGrpc }) => probeGrpc(target.name, grpc, effective));
  if (steps) return import('./steps/probe.js').then(({ probeSteps }) => probeSteps(target.name, steps, effective));
  // The schema guarantees exactly one module block; this is a programming error, not bad input.
  throw new Error(`target ${target.name} has no module block`);
}
