// The probing capability's public face: run one target, get a ProbeResult (never throws for probe failures).
export { runProbe } from './run-probe.js';
export type { ProbeOptions, ProbeResult, Sample, Labels, FailureReason, TlsInfo, PhaseTiming, DebugInfo, DnsDetails, GrpcDetails, StepDetails } from './types.js';
export { FAILURE_REASONS } from './types.js';
