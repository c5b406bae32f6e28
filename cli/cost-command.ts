// `periscope cost`: the month's cost of a targets file deployed as a stage, with the formulas of docs/cost.md's
// cost table (shared/cost), so the cost of a change is seen before it is deployed. The stage's params come from
// serverless.yml — the stage --stage names, else the one whose targetsFile is the file, else params.default —
// so `periscope cost --config targets/prod.yml` prices prod as it deploys (its region, memory, concurrency and
// existing topic); flags override them.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadTargetsFile, parseDuration } from '../shared/config/index.js';
import { estimateCost, formatEstimate, PRICES, profileFromBench, scheduleLoads, DEFAULT_RUN_PROFILE, type CostEstimate, type RunProfile, type StageSetup } from '../shared/cost/index.js';
import { DEFAULT_PROBE_CONCURRENCY, DEFAULT_PROBE_MEMORY_MB } from '../shared/cost/stage-defaults.js';
import { paramsOf, readServerlessStages, stageOfTargetsFile } from './serverless-params.js';

export interface CostFlags {
  config: string;
  stage?: string;
  memory?: number;
  concurrency?: number;
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

/** What the estimate assumed and where each setting came from (a flag, the stage's params, a default). */
export interface PricedStage {
  /** The stage of serverless.yml whose params were read; undefined: params.default (no stage names the file). */
  stage?: string;
  region: string;
  memoryMb: number;
  concurrency: number;
  topic: 'own topic and KMS key' | 'existing topic' | 'own topic, shared KMS key';
}

/** A positive whole number from the params (probeMemoryMb: 1024, or '1024' as osls passes them). */
function numberParam(value: unknown, name: string, flag: string, where: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw bad(flag, `${where}.${name} is ${JSON.stringify(value)}, not a number this command can price: pass ${flag}`);
  return n;
}

/** The stage's settings: flags first, then the stage's params in serverless.yml, then the stage defaults. */
async function stageSettings(flags: CostFlags): Promise<PricedStage> {
  const service = await readServerlessStages(dirname(resolve(flags.config)));
  const stage = flags.stage ?? (service ? stageOfTargetsFile(service, flags.config) : undefined);
  if (flags.stage !== undefined && service && !service.stages.has(flags.stage)) {
    throw bad('--stage', `serverless.yml has no stage ${flags.stage} under params (stages: ${[...service.stages.keys()].join(', ')})`);
  }
  const params = service ? (stage !== undefined ? paramsOf(service, stage) : service.defaults) : {};
  const where = stage !== undefined ? `params.${stage}` : 'params.default';
  const region = flags.region ?? (typeof params.region === 'string' && params.region ? params.region : 'us-east-1');
  if (PRICES[region] === undefined) {
    const from = flags.region === undefined ? ` (${where}.region; pass --region to price another)` : '';
    throw bad('--region', `no price table for ${region}${from} (known: ${Object.keys(PRICES).join(', ')})`);
  }
  const existingTopic = flags.existingTopic ?? params.createAlertsTopic === false;
  const sharedKey = flags.sharedKey ?? (typeof params.alertsTopicKeyArn === 'string' && params.alertsTopicKeyArn !== '');
  return {
    ...(stage !== undefined ? { stage } : {}),
    region,
    memoryMb: flags.memory ?? numberParam(params.probeMemoryMb, 'probeMemoryMb', '--memory', where) ?? DEFAULT_PROBE_MEMORY_MB,
    concurrency: flags.concurrency ?? numberParam(params.probeConcurrency, 'probeConcurrency', '--concurrency', where) ?? DEFAULT_PROBE_CONCURRENCY,
    topic: existingTopic ? 'existing topic' : sharedKey ? 'own topic, shared KMS key' : 'own topic and KMS key',
  };
}

export async function estimateForFile(flags: CostFlags): Promise<CostEstimate & { stage: PricedStage }> {
  const file = await loadTargetsFile(flags.config);
  const priced = await stageSettings(flags);
  const prices = PRICES[priced.region];
  if (prices === undefined) throw bad('--region', `no price table for ${priced.region}`);
  const profile = await loadProfile(flags.profile);
  let latency = profile.targetLatencyMs;
  if (flags.latency !== undefined) {
    const parsed = parseDuration(flags.latency);
    if (parsed === undefined) throw bad('--latency', `${JSON.stringify(flags.latency)} is not a duration such as 200ms`);
    latency = parsed;
  }
  const setup: StageSetup = { memoryMb: priced.memoryMb, concurrency: priced.concurrency, ownTopicKey: priced.topic === 'own topic and KMS key' };
  return { ...estimateCost(scheduleLoads(file), setup, { ...profile, targetLatencyMs: latency }, prices), stage: priced };
}

function stageLine(config: string, priced: PricedStage): string {
  const which = priced.stage !== undefined ? `stage ${priced.stage}` : `params.default (no stage of serverless.yml names ${config}; --stage NAME prices a stage)`;
  return `${which}: ${priced.region}, ${priced.memoryMb} MB, ${priced.concurrency} probes in flight, ${priced.topic}`;
}

export async function costCommand(flags: CostFlags): Promise<number> {
  const estimate = await estimateForFile(flags);
  process.stdout.write(flags.json ? `${JSON.stringify(estimate, null, 2)}\n` : `${stageLine(flags.config, estimate.stage)}\n${formatEstimate(estimate)}\n`);
  return 0;
}
