// Every written sample carries the identity of what measured it and what was measured, so the same target
// probed from several accounts stays several series: job, instance, target, module, group, stage, account,
// region — plus the file's, group's and target's own labels.
import type { ProbeResult } from '../probing/index.js';
import type { TimedSample } from '../storage/exposition.js';

export interface RunIdentity {
  group: string;
  stage: string;
  /** AWS account id from the Lambda's ARN, or "local". */
  account: string;
  region: string;
}

export function labelSamples(result: ProbeResult, identity: RunIdentity, extraLabels: Record<string, string>): TimedSample[] {
  const base: Record<string, string> = {
    ...extraLabels,
    job: 'periscope',
    instance: result.instance,
    target: result.target,
    module: result.module,
    group: identity.group,
    stage: identity.stage,
    account: identity.account,
    region: identity.region,
  };
  return result.samples.map((sample) => ({
    name: sample.name,
    labels: sample.labels && Object.keys(sample.labels).length > 0 ? { ...base, ...sample.labels } : base,
    value: sample.value,
    timestampMs: result.timestamp_ms,
  }));
}
