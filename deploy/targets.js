// Reads and validates the stage's targets file for serverless.yml (schedules, alarms). It runs inside
// `sls package`, so it loads the project's own TypeScript schema through tsx: the file is judged by the same
// rules as the probe Lambda judges it, and an invalid file fails packaging instead of failing in production.

/** Lambda schedules run on whole minutes; finer intervals only work in the local run. */
const MINUTE_MS = 60_000;

/** The error serverless prints: our message alone, not a stack trace through osls' resolver. */
export class DeployConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DeployConfigError';
    this.stack = `${this.name}: ${message}`;
  }
}

const cache = new Map();

/**
 * The validated targets file at `file` (relative to the service directory). Cached per process: serverless
 * resolves several variables from it.
 * @param {string} serviceDir
 * @param {string} file
 */
export function loadStageTargets(serviceDir, file) {
  const key = `${serviceDir}\0${file}`;
  if (!cache.has(key)) cache.set(key, load(serviceDir, file));
  return cache.get(key);
}

async function load(serviceDir, file) {
  const { tsImport } = await import('tsx/esm/api');
  const { resolve } = await import('node:path');
  const { readFile } = await import('node:fs/promises');
  const config = await tsImport('../shared/config/index.ts', import.meta.url);
  const { shardCount } = await tsImport('../shared/pipeline/shards.ts', import.meta.url);
  let text;
  try {
    text = await readFile(resolve(serviceDir, file), 'utf8');
  } catch (err) {
    throw new DeployConfigError(`${file}: ${err.code === 'ENOENT' ? 'file not found (params.targetsFile of this stage)' : `cannot read file (${err.code})`}`);
  }
  let targets;
  try {
    targets = await config.withRegexEngine(() => config.parseTargetsFile(text, file));
  } catch (err) {
    if (err instanceof config.ConfigError) throw new DeployConfigError(`invalid targets file:\n${err.message}`);
    throw err;
  }
  // The probe Lambda splits a group the same way (shared/pipeline/shards.ts): one invocation per shard.
  return { targets, shards: targets.groups.map((group) => shardCount(targets, group)) };
}

/**
 * Each group's schedules as EventBridge Scheduler rate expressions, from its interval (or the file's
 * default): one per shard, so a group larger than one invocation should probe runs as several. Rejects
 * what Lambda schedules cannot do instead of silently rounding.
 * @returns {{ name: string, index: number, intervalMs: number, rate: string, shards: number }[]}
 */
export function groupSchedules({ targets, shards }, file) {
  return targets.groups.map((group, index) => {
    const intervalMs = group.interval ?? targets.defaults.interval;
    const field = group.interval === undefined ? 'defaults.interval' : `groups[${index}].interval`;
    if (intervalMs < MINUTE_MS) {
      throw new DeployConfigError(`${file}: ${field}: ${intervalMs / 1000}s is below 1 minute; Lambda schedules run at most once a minute (use 1m or more; shorter intervals only work in \`periscope run\`)`);
    }
    if (intervalMs % MINUTE_MS !== 0) {
      throw new DeployConfigError(`${file}: ${field}: ${intervalMs / 1000}s is not a whole number of minutes; EventBridge Scheduler rates are whole minutes`);
    }
    return { name: group.name, index, intervalMs, rate: rateExpression(intervalMs / MINUTE_MS), shards: shards[index] ?? 1 };
  });
}

function rateExpression(minutes) {
  const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

/**
 * Every ssm: secret reference (in the targets file or the stage params) must be readable by the stage's
 * Lambdas, whose IAM policy allows parameters under /periscope/<stage>/ only. Caught here, a wrong path is
 * a packaging error, not an AccessDenied at 3 a.m. Returns one message per reference outside that path.
 */
export function secretPathProblems(value, path, stage) {
  const prefix = `ssm:/periscope/${stage}/`;
  if (typeof value === 'string') {
    return value.startsWith('ssm:') && !value.startsWith(prefix) ? [`${path}: ${value} is outside ${prefix}* (the only SSM path the Lambdas may read)`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => secretPathProblems(item, `${path}[${i}]`, stage));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => secretPathProblems(v, `${path}.${k}`, stage));
  return [];
}
