// `periscope cost`: the month's cost of a targets file deployed as a stage, with the formulas of docs/cost.md's
// cost table (shared/cost), so the cost of a change is seen before it is deployed.
import { readFile } from 'node:fs/promises';
import { ConfigError, loadTargetsFile, parseDuration } from '../shared/config/index.js';
import { estimateCost, formatEstimate, PRICES, profileFromBench, scheduleLoads, DEFAULT_RUN_PROFILE, type CostEstimate, type RunProfile } from '../shared/cost/index.js';
import { DEFAULT_PROBE_CONCURRENCY, DEFAULT_PROBE_MEMORY_MB } from '../shared/cost/stage-defaults.js';

export interface CostFlags {
  config: string;
  memory?: string;
  concurrency?: string;
  region?: string;
  latency?: string;
  existingTopic?: boolean;
  sharedKey?: boolean;
  profile?: string;
  json?: boolean;
}

function bad(path: string, message: string): ConfigError {
  return new ConfigError('command line', [{ path, message }]);
}

function positiveInt(value: string | undefined, fallback: number, path: string, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw bad(path, `${JSON.stringify(value)} is not a whole number from 1 to ${max}`);
  return n;
}

/** The CPU profile: a bench results file (default bench/results.json beside the package, when it exists). */
async function loadProfile(path: string | undefined): Promise<RunProfile> {
  const file = path ?? new URL('../bench/results.json', import.meta.url).pathname;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (path) throw bad('--profile', `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
    return DEFAULT_RUN_PROFILE;
  }
  try {
    const profile = profileFromBench(JSON.parse(text));
    return profile.source === 'defaults' ? profile : { ...profile, source: file };
  } catch {
    throw bad('--profile', `${file} is not JSON`);
  }
}

export async function estimateForFile(flags: CostFlags): Promise<CostEstimate> {
  const file = await loadTargetsFile(flags.config);
  const region = flags.region ?? 'us-east-1';
  const prices = PRICES[region];
  if (prices === undefined) throw bad('--region', `no price table for ${flags.region} (known: ${Object.keys(PRICES).join(', ')})`);
  const profile = await loadProfile(flags.profile);
  let latency = profile.targetLatencyMs;
  if (flags.latency !== undefined) {
    const parsed = parseDuration(flags.latency);
    if (parsed === undefined) throw bad('--latency', `${JSON.stringify(flags.latency)} is not a duration such as 200ms`);
    latency = parsed;
  }
  return estimateCost(
    scheduleLoads(file),
    {
      // Lambda memory sizes run from 128 MB to 10 240 MB.
      memoryMb: positiveInt(flags.memory, DEFAULT_PROBE_MEMORY_MB, '--memory', 10_240),
      concurrency: positiveInt(flags.concurrency, DEFAULT_PROBE_CONCURRENCY, '--concurrency', 10_000),
      ownTopicKey: !flags.existingTopic && !flags.sharedKey,
    },
    { ...profile, targetLatencyMs: latency },
    prices,
  );
}

export async function costCommand(flags: CostFlags): Promise<number> {
  const estimate = await estimateForFile(flags);
  process.stdout.write(flags.json ? `${JSON.stringify(estimate, null, 2)}\n` : `${formatEstimate(estimate)}\n`);
  return 0;
}
