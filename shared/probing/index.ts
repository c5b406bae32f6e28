// The probing capability's public face: run one target, get a ProbeResult (never throws for probe failures).
import type { TargetSpec } from '../config/index.js';
import { probeDns } from './dns/probe.js';
import { probeGrpc } from './grpc/probe.js';
import { probeHttp } from './http/probe.js';
import { probeSteps } from './multistep/probe.js';
import { probePostgres } from './postgres/probe.js';
import { probeTcp } from './tcp/probe.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export type { ProbeOptions, ProbeResult, Sample, Labels, FailureReason, TlsInfo, PhaseTiming, DebugInfo, DnsDetails, GrpcDetails, StepDetails } from './types.js';
export { FAILURE_REASONS } from './types.js';

/** Runs the target's module. `timeoutMs` is the target's own timeout, else the caller's default. */
export function runProbe(target: TargetSpec, options: ProbeOptions): Promise<ProbeResult> {
  const effective: ProbeOptions = { ...options, timeoutMs: target.timeout ?? options.timeoutMs };
  if (target.http) return probeHttp(target.name, target.http, effective);
  if (target.tcp) return probeTcp(target.name, target.tcp, effective);
  if (target.postgres) return probePostgres(target.name, target.postgres, effective);
  if (target.dns) return probeDns(target.name, target.dns, effective);
  if (target.grpc) return probeGrpc(target.name, target.grpc, effective);
  if (target.steps) return probeSteps(target.name, target.steps, effective);
  // The schema guarantees exactly one module block; this is a programming error, not bad input.
  throw new Error(`target ${target.name} has no module block`);
}
