// @ts-check
// Reads and validates the stage's targets file and the alerting rules it carries or names, for serverless.yml
// (schedules, alarms). It runs inside `sls package`, so it loads the project's own TypeScript code through tsx
// (deploy/stage-files.ts): the files are judged by the same code as the Lambdas judge them, and an invalid
// file fails packaging instead of failing in production.
/** @import { StageFiles } from './stage-files.js' */

/** Lambda schedules run on whole minutes; finer intervals only work in the local run. */
const MINUTE_MS = 60_000;

/** The error serverless prints: our message alone, not a stack trace through osls' resolver. */
export class DeployConfigError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'DeployConfigError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** @type {Map<string, Promise<StageFiles>>} */
const cache = new Map();

/**
 * The validated targets file at `file` (relative to the service directory), checked for what a Lambda stage
 * cannot do (deploy/stage-files.ts; with `stage`, also its ssm: paths). Cached per process: serverless resolves
 * several variables from it.
 * @param {string} serviceDir
 * @param {string} file
 * @param {string} [stage]
 */
export function loadStageTargets(serviceDir, file, stage) {
  const prefix = `${serviceDir}\0${file}\0`;
  // Without a stage (the snapshot's build), the stage's own load serves: the same file, checked more.
  if (stage === undefined) for (const [key, loaded] of cache) if (key.startsWith(prefix)) return loaded;
  const key = `${prefix}${stage ?? ''}`;
  let loaded = cache.get(key);
  if (!loaded) cache.set(key, (loaded = load(serviceDir, file, stage)));
  return loaded;
}

/**
 * @param {string} serviceDir
 * @param {string} file
 * @param {string} [stage]
 * @returns {Promise<StageFiles>}
 */
async function load(serviceDir, file, stage) {
  const { tsImport } = await import('tsx/esm/api');
  // One import: the schema, the rule loader and their error classes come from one module graph.
  /** @type {typeof import('./stage-files.js')} */
  const { loadStageFiles, StageFileError } = await tsImport('./stage-files.ts', import.meta.url);
  try {
    return await loadStageFiles(serviceDir, file, stage);
  } catch (err) {
    if (err instanceof StageFileError) throw new DeployConfigError(err.message);
    throw err;
  }
}

/**
 * Each group's schedules as EventBridge Scheduler rate expressions, from its interval (or the file's
 * default): one per shard, so a group larger than one invocation should probe runs as several. Rejects
 * what Lambda schedules cannot do instead of silently rounding.
 * @param {Pick<StageFiles, 'targets' | 'shards'>} stageFiles
 * @param {string} file the targets file as the messages name it
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

/** @param {number} minutes */
function rateExpression(minutes) {
  const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

/**
 * Every ssm: secret reference (in the targets file or the stage params) must be readable by the stage's
 * Lambdas, whose IAM policy allows parameters under /periscope/<stage>/ only. Caught here, a wrong path is
 * a packaging error, not an AccessDenied at 3 a.m. Returns one message per reference outside that path.
 * @param {unknown} value
 * @param {string} path where the value is, for the messages
 * @param {string} stage
 * @returns {string[]}
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
